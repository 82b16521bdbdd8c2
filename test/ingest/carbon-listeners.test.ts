import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { startCarbonListeners, type CarbonListeners } from '../../src/ingest/carbon-listeners.js';
import type { PointBatch, PointWriter } from '../../src/points.js';

/** Keeps every point as `name value timestamp`. */
class CollectingWriter implements PointWriter {
  private readonly names: string[] = [];
  readonly points: string[] = [];
  seriesId(name: string): number {
    const known = this.names.indexOf(name);
    if (known >= 0) return known;
    this.names.push(name);
    return this.names.length - 1;
  }
  append(batch: PointBatch): void {
    for (let i = 0; i < batch.length; i++) {
      this.points.push(`${this.names[batch.seriesIds[i]]} ${batch.values[i]} ${batch.timestamps[i]}`);
    }
  }
}

/** An ephemeral loopback port (port 0 would disable a listener). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function startListeners(writer: PointWriter): Promise<CarbonListeners> {
  for (let attempt = 0; ; attempt++) {
    try {
      const [plaintextPort, picklePort] = [await freePort(), await freePort()];
      return await startCarbonListeners({ host: '127.0.0.1', plaintextPort, picklePort, maxNameLength: 1024, writer });
    } catch (err) {
      if (attempt >= 10) throw err;
    }
  }
}

function tcpConnect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const conn = connect(port, '127.0.0.1', () => resolve(conn));
    conn.once('error', reject);
  });
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
}

test('a plaintext line longer than the limit is dropped whole, not its tail taken as a new line', { timeout: 20_000 }, async () => {
  const writer = new CollectingWriter();
  const carbon = await startListeners(writer);
  try {
    const conn = await tcpConnect(carbon.plaintextPort!);
    // Leading blanks are skipped: the tail of this line would parse as a valid point.
    conn.end(`${' '.repeat(300_000)}leak.metric 1 1700000000\nok.metric 2 1700000000\nlast.metric 3 1700000000`);
    await until(() => writer.points.some((p) => p.startsWith('last.')));
    assert.deepEqual(writer.points, ['ok.metric 2 1700000000', 'last.metric 3 1700000000']);
    assert.equal(carbon.counters.badLines, 1);
  } finally {
    await carbon.stop();
  }
});

test('stop() returns while plaintext and pickle clients keep their connections open', { timeout: 20_000 }, async () => {
  const writer = new CollectingWriter();
  const carbon = await startListeners(writer);
  const conn = await tcpConnect(carbon.plaintextPort!);
  const pickleConn = await tcpConnect(carbon.picklePort!);
  conn.on('error', () => {});
  pickleConn.on('error', () => {});
  conn.write('open.metric 1 1700000000\n');
  await until(() => writer.points.length === 1 && carbon.counters.connections === 2);
  assert.deepEqual(writer.points, ['open.metric 1 1700000000']);
  const stopped = await Promise.race([
    carbon.stop().then(() => true),
    new Promise<false>((r) => setTimeout(() => r(false), 5000).unref()),
  ]);
  conn.destroy();
  pickleConn.destroy();
  assert.equal(stopped, true, 'stop() did not return within 5 s');
});
