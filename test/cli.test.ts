import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { CLI, render, startCarbonado } from './support/carbonado-process.js';

function sendUdp(port: number, payload: string): Promise<void> {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) =>
    socket.send(payload, port, '127.0.0.1', (err) => {
      socket.close();
      if (err) reject(err);
      else resolve();
    }),
  );
}

function sendTcp(port: number, payload: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const conn = connect(port, '127.0.0.1', () => conn.end(payload));
    conn.on('close', () => resolve());
    conn.on('error', reject);
  });
}

const values = (series: { datapoints: [number | null, number][] }[]): number[] =>
  series.flatMap((s) => s.datapoints.map(([v]) => v).filter((v): v is number => v !== null));
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Polls a render until `done` accepts its values (flushes land every second). */
async function waitForValues(httpPort: number, target: string, done: (vs: number[]) => boolean): Promise<number[]> {
  let last: number[] = [];
  for (let i = 0; i < 60; i++) {
    last = values(await render(httpPort, target));
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  return last;
}

test('StatsD over UDP and TCP is aggregated, flushed and readable over HTTP', { timeout: 60_000 }, async () => {
  const server = await startCarbonado(['--flush-interval', '1s', '--workers', '2']);
  try {
    const health = await fetch(`http://127.0.0.1:${server.httpPort}/health`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, 'ok');

    await sendUdp(
      server.statsdPort,
      ['e2e.hits:1|c', 'e2e.hits:2|c|@0.5', 'this is not statsd', 'e2e.lat:100|ms', 'e2e.lat:300|ms', 'e2e.temp:21|g', 'e2e.users:alice|s', 'e2e.users:bob|s', 'e2e.users:alice|s'].join('\n'),
    );
    await sendTcp(server.statsdPort, 'e2e.hits:10|c\ne2e.lat:200|ms\n');

    const hits = await waitForValues(server.httpPort, 'stats.counters.e2e.hits.count', (vs) => sum(vs) >= 15);
    assert.equal(sum(hits), 1 + 2 / 0.5 + 10);
    const upper = await waitForValues(server.httpPort, 'stats.timers.e2e.lat.upper', (vs) => vs.length > 0 && Math.max(...vs) === 300);
    assert.equal(Math.max(...upper), 300);
    const count = await waitForValues(server.httpPort, 'stats.timers.e2e.lat.count', (vs) => sum(vs) >= 3);
    assert.equal(sum(count), 3);
    const gauge = await waitForValues(server.httpPort, 'stats.gauges.e2e.temp', (vs) => vs.length > 0);
    assert.equal(gauge.at(-1), 21);
    const users = await waitForValues(server.httpPort, 'stats.sets.e2e.users.count', (vs) => sum(vs) >= 2);
    assert.equal(sum(users), 2);
    const bad = await waitForValues(server.httpPort, 'carbonado.statsd.bad_lines', (vs) => sum(vs) >= 1);
    assert.equal(sum(bad), 1);

    const glob = await render(server.httpPort, 'stats.counters.e2e.*.count');
    assert.deepEqual(glob.map((s) => s.target), ['stats.counters.e2e.hits.count']);
  } finally {
    assert.equal(await server.stop(), 0, server.output());
  }
  assert.match(server.output(), /SIGTERM/);
});

test('a bad flag or config value stops start-up with a message naming it', () => {
  const run = (args: string[]) => spawnSync(process.execPath, [CLI, 'start', ...args], { encoding: 'utf8', timeout: 10_000 });
  const badInterval = run(['--flush-interval', '10', '--http-port', '0', '--statsd-port', '0']);
  assert.equal(badInterval.status, 1);
  assert.match(badInterval.stderr, /^carbonado: flag --flush-interval: bad duration '10'/);
  const badRange = run(['--http-port', '70000']);
  assert.equal(badRange.status, 1);
  assert.match(badRange.stderr, /^carbonado: flag --http-port: expected a port number 0-65535, got 70000/);
  const badWorkers = run(['--workers', '0']);
  assert.equal(badWorkers.status, 1);
  assert.match(badWorkers.stderr, /^carbonado: flag --workers: expected an integer/);
  const badPort = run(['--http-port', 'eighty']);
  assert.equal(badPort.status, 1);
  assert.match(badPort.stderr, /--http-port.*'eighty'/);
  const unknown = run(['--no-such-flag']);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /no-such-flag/);
});
