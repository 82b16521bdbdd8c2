#!/usr/bin/env node
/**
 * `carbonado start [options]`: flags override the config file, which overrides the defaults.
 * `carbonado backtest --pool NAME ...`: a thin client of a running server's backtest endpoint.
 */
import { parseArgs } from 'node:util';
import { applyConfig, ConfigError, defaultConfig, loadConfig } from './config/index.js';
import { startPipeline } from './pipeline/index.js';

const USAGE = `usage: carbonado start [options]
       carbonado backtest --pool NAME [--from TIME] [--until TIME] [--url URL]

  --config FILE          main config file (default: config/carbonado.json if present)
  --data-dir DIR         where everything persistent lives (default ./data)
  --host ADDR            bind address for every listener (default 0.0.0.0)
  --statsd-port N        StatsD over UDP and TCP (default 8125, 0 disables)
  --carbon-port N        Graphite plaintext over TCP and UDP (default 2003, 0 disables)
  --pickle-port N        Graphite pickle over TCP (default 2004, 0 disables)
  --http-port N          render API, scale API, health (default 8080, 0 disables)
  --flush-interval DUR   StatsD flush interval (default 10s)
  --workers N            aggregator threads (default: number of CPUs)

backtest: replays a pool's history on a running server and prints every decision
  --pool NAME            the pool (see GET /scale/pools)
  --from TIME            Graphite time (default -24h)
  --until TIME           Graphite time (default now)
  --url URL              the server (default http://127.0.0.1:8080)
`;

const BACKTEST_FLAGS = {
  pool: { type: 'string' },
  from: { type: 'string' },
  until: { type: 'string' },
  url: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface BacktestDecision {
  at: number;
  action: string;
  instances: number | null;
  delta: number | null;
  line: string | null;
  redundancy: number | null;
  reason: string;
}

/** Asks the server for the backtest and prints one line per decision. */
async function backtest(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: BACKTEST_FLAGS, strict: true, allowPositionals: false });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.pool === undefined) throw new ConfigError('backtest: --pool NAME is required');
  const base = (values.url ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const query = new URLSearchParams({ from: values.from ?? '-24h', until: values.until ?? 'now' });
  const url = `${base}/scale/pools/${encodeURIComponent(values.pool)}/backtest?${query}`;
  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new ConfigError(`backtest: cannot reach ${base}: ${(err as Error).cause ?? (err as Error).message}`);
  }
  const body = (await response.json().catch(() => ({}))) as { error?: string; evaluations?: number; decisions?: BacktestDecision[] };
  if (!response.ok) throw new ConfigError(`backtest: ${response.status} ${body.error ?? response.statusText}`);
  const decisions = body.decisions ?? [];
  for (const d of decisions) {
    const delta = d.delta === null ? '' : ` (${d.delta >= 0 ? '+' : ''}${d.delta})`;
    const redundancy = d.redundancy === null ? '-' : d.redundancy.toFixed(2);
    process.stdout.write(
      `${new Date(d.at * 1000).toISOString()}  ${d.action.padEnd(4)}  line=${d.line ?? '-'}  instances=${d.instances ?? '-'}${delta}  redundancy=${redundancy}  ${d.reason}\n`,
    );
  }
  const count = (action: string) => decisions.filter((d) => d.action === action).length;
  process.stdout.write(`${body.evaluations ?? 0} decisions evaluated: ${count('up')} up, ${count('down')} down\n`);
  return 0;
}

const FLAGS = {
  config: { type: 'string' },
  'data-dir': { type: 'string' },
  host: { type: 'string' },
  'statsd-port': { type: 'string' },
  'carbon-port': { type: 'string' },
  'pickle-port': { type: 'string' },
  'http-port': { type: 'string' },
  'flush-interval': { type: 'string' },
  workers: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Flag values as config keys; numbers stay strings until here so that `--workers abc` names itself.
 * Each value is checked here too, so a bad one is reported under the flag the user typed rather
 * than as the config key it sets (`--flush-interval 10`, not `config key 'flushInterval'`).
 */
function flagOverrides(values: Record<string, string | boolean | undefined>): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  const integer = (flag: string, text: string): number => {
    if (!/^\d+$/.test(text)) throw new ConfigError(`flag --${flag}: expected a whole number, got '${text}'`);
    return Number(text);
  };
  const map: [string, string, boolean][] = [
    ['data-dir', 'dataDir', false],
    ['host', 'host', false],
    ['statsd-port', 'statsdPort', true],
    ['carbon-port', 'carbonPort', true],
    ['pickle-port', 'picklePort', true],
    ['http-port', 'httpPort', true],
    ['flush-interval', 'flushInterval', false],
    ['workers', 'workers', true],
  ];
  for (const [flag, key, numeric] of map) {
    const v = values[flag];
    if (typeof v !== 'string') continue;
    overrides[key] = numeric ? integer(flag, v) : v;
    try {
      applyConfig(defaultConfig(), { [key]: overrides[key] as string | number });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      throw new ConfigError(`flag --${flag}: ${err.message.replace(`config key '${key}': `, '')}`);
    }
  }
  return overrides;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined ? 1 : 0;
  }
  if (command === 'backtest') {
    try {
      return await backtest(rest);
    } catch (err) {
      process.stderr.write(`carbonado: ${(err as Error).message}\n`);
      return 1;
    }
  }
  if (command !== 'start') {
    process.stderr.write(`carbonado: unknown command '${command}'\n${USAGE}`);
    return 1;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: rest, options: FLAGS, strict: true, allowPositionals: false }).values;
  } catch (err) {
    process.stderr.write(`carbonado: ${(err as Error).message}\n${USAGE}`);
    return 1;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    const config = loadConfig(values.config as string | undefined, flagOverrides(values));
    await startPipeline(config);
    return -1; // keep running; the pipeline exits the process on SIGTERM/SIGINT
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`carbonado: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`carbonado: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
