#!/usr/bin/env node
/**
 * A minimal elastic-scheduler client of Carbonado's Scale API: polls each pool's decision every
 * interval and prints it. A real scheduler would act on "up" and "down" here (set the pool's size
 * to `instances`). Plain Node 20+, no dependencies.
 *
 *   node examples/scheduler-client.mjs --pool web1 [--pool web2] [--url http://127.0.0.1:8080] [--interval 60] [--once]
 */
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8080' },
    pool: { type: 'string', multiple: true },
    interval: { type: 'string', default: '60' },
    once: { type: 'boolean', default: false },
  },
});
const base = values.url.replace(/\/+$/, '');
const intervalSeconds = Number(values.interval);
if (!(intervalSeconds > 0)) {
  console.error(`--interval: expected seconds > 0, got '${values.interval}'`);
  process.exit(1);
}

/** Every pool the server knows, when none was named. */
async function pools() {
  if (values.pool?.length) return values.pool;
  const response = await fetch(`${base}/scale/pools`);
  if (!response.ok) throw new Error(`GET /scale/pools: ${response.status} ${await response.text()}`);
  return (await response.json()).pools.map((p) => p.pool);
}

function describe(d) {
  const delta = d.delta === null ? '' : ` (${d.delta >= 0 ? '+' : ''}${d.delta})`;
  const redundancy = d.redundancy === null ? 'unknown' : d.redundancy.toFixed(2);
  return `${d.action.toUpperCase().padEnd(4)} ${d.pool}: instances ${d.instances ?? '?'}${delta}, redundancy ${redundancy}, line ${d.line ?? '-'}: ${d.reason}`;
}

async function pollOnce() {
  const stamp = new Date().toISOString();
  for (const pool of await pools()) {
    try {
      const response = await fetch(`${base}/scale/pools/${encodeURIComponent(pool)}/decision`);
      const body = await response.json();
      if (!response.ok) console.log(`${stamp} ${pool}: ${response.status} ${body.error}`);
      else console.log(`${stamp} ${describe(body)}`);
    } catch (error) {
      console.log(`${stamp} ${pool}: ${error.cause?.message ?? error.message}`);
    }
  }
}

await pollOnce();
if (!values.once) {
  setInterval(() => void pollOnce().catch((error) => console.error(error.message)), intervalSeconds * 1000);
}
