import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyConfig, ConfigError, loadConfig } from '../../src/config/index.js';
import { startPipeline } from '../../src/pipeline/index.js';
import { freePort, render, startCarbonado, tempDataDir } from '../support/carbonado-process.js';
import { allEndWithin, threadsStartedBy } from '../support/threads.js';

/** Sends lines over one carbon connection; resolves once the server has closed it (everything read and logged). */
function sendCarbon(port: number, payload: string): Promise<boolean> {
  return new Promise((resolve) => {
    const conn = connect(port, '127.0.0.1', () => conn.end(payload));
    conn.on('close', (hadError) => resolve(!hadError));
    conn.on('error', () => resolve(false));
    conn.resume();
  });
}

test('kill -9 mid-ingest loses no acknowledged carbon point', { timeout: 90_000 }, async () => {
  const dataDir = tempDataDir();
  const first = await startCarbonado(['--flush-interval', '1s'], dataDir, { carbon: true });
  const now = Math.floor(Date.now() / 1000);
  const base = now - (now % 10) - 3000;
  const acknowledged = new Map<string, number>(); // "series ts" -> value
  let killed = false;
  let batch = 0;
  // Connections go out back to back; the kill lands while one of them is streaming.
  const killAt = 6 + Math.floor(Math.random() * 4);
  while (!killed && batch < 40) {
    const lines: string[] = [];
    const points: [string, number][] = [];
    for (let i = 0; i < 500; i++) {
      const series = `crash.s${i % 25}`;
      const ts = base + (batch * 20 + Math.floor(i / 25)) * 10;
      lines.push(`${series} ${batch * 1000 + i} ${ts}`);
      points.push([`${series} ${ts}`, batch * 1000 + i]);
    }
    const sending = sendCarbon(first.carbonPort, lines.join('\n') + '\n');
    if (batch === killAt) {
      first.child.kill('SIGKILL');
      killed = true;
    }
    if (await sending) for (const [key, value] of points) acknowledged.set(key, value);
    batch++;
  }
  await first.exited;
  assert.ok(acknowledged.size >= 6 * 500, `acknowledged ${acknowledged.size}`);

  const second = await startCarbonado(['--flush-interval', '1s'], dataDir, { carbon: true });
  try {
    assert.match(second.output(), /replayed \d+ points from the write-ahead log/);
    const series = await render(second.httpPort, 'crash.*', String(base - 10), String(now + 60));
    const stored = new Map<string, number>();
    for (const s of series) for (const [v, ts] of s.datapoints) if (v !== null) stored.set(`${s.target} ${ts}`, v);
    const missing = [...acknowledged].filter(([key, value]) => stored.get(key) !== value);
    assert.deepEqual(missing.slice(0, 5), [], `${missing.length} of ${acknowledged.size} acknowledged points missing`);
  } finally {
    assert.equal(await second.stop(), 0);
  }
});

test('SIGTERM flushes pending StatsD aggregates and persists them', { timeout: 60_000 }, async () => {
  const dataDir = tempDataDir();
  const first = await startCarbonado(['--flush-interval', '1m'], dataDir);
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.send('term.hits:7|c\nterm.hits:5|c', first.statsdPort, '127.0.0.1', () => resolve()));
  socket.close();
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await first.stop(), 0, first.output());

  const second = await startCarbonado(['--flush-interval', '1m'], dataDir);
  try {
    const series = await render(second.httpPort, 'stats.counters.term.hits.count', '-10min');
    const values = series.flatMap((s) => s.datapoints.map(([v]) => v).filter((v) => v !== null));
    // [12], or [12, 0] when a minute boundary passed before the SIGTERM: the regular flush wrote
    // the 12 and the shutdown flush a 0 for the counter, as Etsy StatsD re-sends known counters.
    assert.deepEqual(values.filter((v) => v !== 0), [12], JSON.stringify(values));
  } finally {
    assert.equal(await second.stop(), 0);
  }
});

test('SIGTERM exits 0 with StatsD and carbon TCP clients still connected, and keeps what they sent', { timeout: 60_000 }, async () => {
  const dataDir = tempDataDir();
  const first = await startCarbonado(['--flush-interval', '1m'], dataDir, { carbon: true });
  const open = (port: number, payload: string) =>
    new Promise<Socket>((resolve, reject) => {
      const conn = connect(port, '127.0.0.1', () => conn.write(payload, () => resolve(conn)));
      conn.once('error', reject);
    });
  const statsdConn = await open(first.statsdPort, 'open.tcp.hits:4|c\n');
  const carbonConn = await open(first.carbonPort, `open.tcp.carbon 9 ${Math.floor(Date.now() / 1000)}\n`);
  statsdConn.on('error', () => {});
  carbonConn.on('error', () => {});
  await new Promise((r) => setTimeout(r, 300));
  const code = await first.stop();
  statsdConn.destroy();
  carbonConn.destroy();
  assert.equal(code, 0, first.output());

  const second = await startCarbonado(['--flush-interval', '1m'], dataDir, { carbon: true });
  try {
    const values = async (target: string) =>
      (await render(second.httpPort, target, '-10min')).flatMap((s) => s.datapoints.map(([v]) => v).filter((v) => v !== null));
    assert.deepEqual(await values('stats.counters.open.tcp.hits.count'), [4]);
    assert.deepEqual(await values('open.tcp.carbon'), [9]);
  } finally {
    assert.equal(await second.stop(), 0);
  }
});

test('a start that fails at a later stage (HTTP port taken) ends the threads, listeners and store it started', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'carbonado-start-'));
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const takenPort = (holder.address() as AddressInfo).port;
  const statsdPort = await freePort();
  const carbonPort = await freePort();
  const config = loadConfig(undefined, {
    dataDir: join(dir, 'data'),
    host: '127.0.0.1',
    statsdPort,
    carbonPort,
    picklePort: 0,
    httpPort: takenPort,
    workers: 1,
    receivers: 1,
  });
  const { threads, outcome } = await threadsStartedBy(() => startPipeline(config));
  holder.close();
  assert.equal(outcome.status, 'rejected');
  assert.match(String((outcome as PromiseRejectedResult).reason), /EADDRINUSE/);
  assert.ok(threads.length >= 3, `the statsd and carbon threads started (${threads.length})`);
  assert.equal(await allEndWithin(threads, 10_000), true, 'every thread of the failed start ended');
  // Its ports and the store's lock are free again: a second start on them comes up.
  const again = await startPipeline({ ...config, httpPort: await freePort() });
  try {
    assert.equal(again.statsdPort, statsdPort);
    assert.equal(again.carbonPort, carbonPort);
  } finally {
    await again.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a config file pool whose target can never evaluate stops the start with an error naming its key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'carbonado-pools-'));
  try {
    const config = loadConfig(undefined, { dataDir: join(dir, 'data'), host: '127.0.0.1', statsdPort: 0, carbonPort: 0, picklePort: 0, httpPort: 0 });
    const pool = (health: string) => ({
      qps: 'sumSeries(web.*.qps)',
      instances: 4,
      capacityPerInstance: 100,
      lines: { fatal: 1.2, warning: 1.5, safe: 3 },
      health: [{ target: health, above: 0.1 }],
    });
    applyConfig(config, { scale: { pools: { web: pool('asPercent(web.*.slow, web.*.all)'), api: pool('sumSeriez(api.*.errors)') } } });
    await assert.rejects(
      startPipeline(config),
      (err: unknown) => err instanceof ConfigError && /config key 'scale\.pools\.api\.health\[0\]\.target': unknown function sumSeriez\(\)/.test(err.message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
