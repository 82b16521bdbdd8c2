import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect, createServer, type Socket } from 'node:net';
import { DEFAULT_BATCHER_LIMITS } from '../../src/ingest/carbon-batcher.js';
import { startCarbonListeners, type CarbonListeners } from '../../src/ingest/carbon-listeners.js';
import type { PointBatch, PointWriter } from '../../src/points.js';
import { openTempEngine } from '../support/temp-engine.js';
import { threadsStartedBy } from '../support/threads.js';

/** Keeps every point as `name value timestamp`. */
class CollectingWriter implements PointWriter {
  private readonly names: string[] = [];
  readonly points: string[] = [];
  /** Milliseconds each append holds the main thread, to make the store slow. */
  appendMs = 0;
  appends = 0;
  seriesId(name: string): number {
    const known = this.names.indexOf(name);
    if (known >= 0) return known;
    this.names.push(name);
    return this.names.length - 1;
  }
  append(batch: PointBatch): void {
    this.appends++;
    const until = performance.now() + this.appendMs;
    while (performance.now() < until);
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

async function startListeners(writer: PointWriter, plaintextOnly = false): Promise<CarbonListeners> {
  for (let attempt = 0; ; attempt++) {
    try {
      const [plaintextPort, picklePort] = [await freePort(), plaintextOnly ? 0 : await freePort()];
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

test('plaintext lines split across reads, one of them over three, come out whole and in order', { timeout: 20_000 }, async () => {
  const writer = new CollectingWriter();
  const carbon = await startListeners(writer, true);
  try {
    const conn = await tcpConnect(carbon.plaintextPort!);
    conn.setNoDelay(true);
    const pieces = ['a.one 1 170000', '0000\nb.two 2 1700000000\nc.th', 'ree 3', ' 1700000000\n', '\nd.four 4 1700000000\ne.five 5 17000000', '00\n'];
    for (const piece of pieces) {
      conn.write(piece);
      await new Promise((r) => setTimeout(r, 30)); // each piece its own read
    }
    conn.end();
    await until(() => writer.points.length === 5);
    assert.deepEqual(writer.points, [
      'a.one 1 1700000000',
      'b.two 2 1700000000',
      'c.three 3 1700000000',
      'd.four 4 1700000000',
      'e.five 5 1700000000',
    ]);
    assert.equal(carbon.counters.badLines, 1); // the empty line
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

/** Sends `payload` and half-closes; resolves with whether the server then closed cleanly. */
function sendAndWaitForClose(port: number, payload: Uint8Array | string, onClose: () => void = () => {}): Promise<boolean> {
  return new Promise((resolve) => {
    const conn = connect(port, '127.0.0.1', () => conn.end(payload));
    conn.on('close', (hadError) => {
      onClose();
      resolve(!hadError);
    });
    conn.on('error', () => {});
    conn.resume();
  });
}

/** CPython's pickle.dumps([('a.b', (1700000000, 1.5)), ('c;x=y', (1700000001, -2))], protocol=2), length-prefixed. */
function pickleFrame(): Buffer {
  const body = Buffer.from('80025d7100285803000000612e6271014a00f15365473ff80000000000008671028671035805000000633b783d7971044a01f153654afeffffff867105867106652e', 'hex');
  const frame = Buffer.alloc(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

test('the server closes a TCP connection only once every point it sent is appended, even with a slow store', { timeout: 30_000 }, async () => {
  const writer = new CollectingWriter();
  writer.appendMs = 40;
  const carbon = await startListeners(writer);
  try {
    const lines = Array.from({ length: 5000 }, (_, i) => `ack.s${i % 700} ${i} 1700000000`);
    let appendedAtClose = -1;
    const clean = await sendAndWaitForClose(carbon.plaintextPort!, lines.join('\n'), () => (appendedAtClose = writer.points.length));
    assert.equal(clean, true);
    assert.equal(appendedAtClose, 5000, 'the connection closed before all its points were appended');
    assert.ok(writer.appends >= 5, `${writer.appends} appends: one message per point or per connection would be wrong too`);
    let pickleAtClose = -1;
    assert.equal(await sendAndWaitForClose(carbon.picklePort!, pickleFrame(), () => (pickleAtClose = writer.points.length)), true);
    assert.equal(pickleAtClose, 5002);
    assert.deepEqual(writer.points.slice(-2), ['a.b 1.5 1700000000', 'c;x=y -2 1700000001']);
  } finally {
    await carbon.stop();
  }
});

test('bad plaintext lines (TCP and UDP) and bad pickles are counted, good ones around them kept', { timeout: 20_000 }, async () => {
  const writer = new CollectingWriter();
  const carbon = await startListeners(writer);
  try {
    await sendAndWaitForClose(carbon.plaintextPort!, 'tcp.ok 1 1700000000\nnot a line\ntcp.nan NaN 1700000000\n');
    const udp = createSocket('udp4');
    await new Promise<void>((resolve) => udp.send('udp.ok 2 1700000000\nudp.bad x 1700000000\n', carbon.plaintextPort!, '127.0.0.1', () => resolve()));
    udp.close();
    const garbage = Buffer.from([0, 0, 0, 3, 0x63, 0x6f, 0x73]); // a 3-byte frame that is no pickle
    await sendAndWaitForClose(carbon.picklePort!, Buffer.concat([garbage, pickleFrame()]));
    await until(() => writer.points.length === 4);
    assert.deepEqual(writer.points.sort(), ['a.b 1.5 1700000000', 'c;x=y -2 1700000001', 'tcp.ok 1 1700000000', 'udp.ok 2 1700000000']);
    const c = carbon.counters;
    assert.deepEqual(
      { lines: c.lines, badLines: c.badLines, connections: c.connections, pickleFrames: c.pickleFrames, badPickles: c.badPickles, queueDrops: c.queueDrops },
      { lines: 7, badLines: 3, connections: 2, pickleFrames: 2, badPickles: 1, queueDrops: 0 },
    );
  } finally {
    await carbon.stop();
  }
});

test('stop() appends every point the listeners had read', { timeout: 20_000 }, async () => {
  const writer = new CollectingWriter();
  writer.appendMs = 5;
  const carbon = await startListeners(writer, true);
  const udp = createSocket('udp4');
  const datagrams = 300;
  for (let d = 0; d < datagrams; d++) {
    const payload = Array.from({ length: 20 }, (_, i) => `stop.s${i} ${d} 1700000000`).join('\n');
    await new Promise<void>((resolve) => udp.send(payload, carbon.plaintextPort!, '127.0.0.1', () => resolve()));
  }
  udp.close();
  await until(() => carbon.counters.lines === datagrams * 20);
  const read = carbon.counters.lines;
  assert.ok(read > 0);
  await carbon.stop();
  assert.equal(writer.points.length, read);
});

test('stop() returns when the listener thread has already exited', { timeout: 20_000 }, async () => {
  const { threads, outcome } = await threadsStartedBy(() => startListeners(new CollectingWriter(), true));
  assert.equal(outcome.status, 'fulfilled');
  const carbon = (outcome as PromiseFulfilledResult<CarbonListeners>).value;
  assert.equal(threads.length, 1);
  await threads[0].terminate(); // as a crash would end it: no 'stopped'
  const stopped = await Promise.race([
    carbon.stop().then(() => true),
    new Promise<false>((r) => setTimeout(() => r(false), 5000).unref()),
  ]);
  assert.equal(stopped, true, 'stop() did not return within 5 s');
});

test('a series deleted from the store while carbon keeps sending it comes back with only the new points', { timeout: 20_000 }, async (t) => {
  const { store } = await openTempEngine(t);
  const carbon = await startListeners(store, true);
  try {
    const now = Math.floor(Date.now() / 1000);
    const t0 = now - (now % 10) - 600;
    assert.equal(await sendAndWaitForClose(carbon.plaintextPort!, `gone.a 1 ${t0}\nkept.b 2 ${t0}\n`), true);
    assert.equal(await store.deleteSeries(['gone.a']), 1);
    assert.deepEqual([...store.names()], ['kept.b']);
    assert.equal(await sendAndWaitForClose(carbon.plaintextPort!, `gone.a 3 ${t0 + 10}\nkept.b 4 ${t0 + 10}\n`), true);
    const ranges = await store.read(['gone.a', 'kept.b'], t0 - 10, t0 + 20);
    const values = Object.fromEntries(ranges.map((r) => [r.name, [...r.values].filter((v) => !Number.isNaN(v))]));
    assert.deepEqual(values, { 'gone.a': [3], 'kept.b': [2, 4] });
  } finally {
    await carbon.stop();
  }
});

test('with the store behind, TCP reading pauses instead of queueing without bound, and stop() still appends all that was read', { timeout: 30_000 }, async () => {
  const writer = new CollectingWriter();
  writer.appendMs = 100;
  const carbon = await startListeners(writer, true);
  // Sixty batches' worth: about 23 can be read in 1.5 s (the window of 8, then 15 appends).
  const total = 60 * DEFAULT_BATCHER_LIMITS.maxPoints;
  const conn = await tcpConnect(carbon.plaintextPort!);
  conn.on('error', () => {});
  conn.write(Array.from({ length: total }, (_, i) => `slow.s${i % 1000} ${i} 1700000000\n`).join(''));
  await new Promise((r) => setTimeout(r, 1500));
  const read = carbon.counters.lines;
  writer.appendMs = 0; // a failed assertion must not leave stop() minutes of appends to drain
  await carbon.stop();
  conn.destroy();
  // Unpaused, the worker parses all of it in well under a second while main appends ten batches a second.
  assert.ok(read < total / 2, `${read} of ${total} lines read while the store took about 15 batches`);
  assert.equal(writer.points.length, carbon.counters.lines);
});

test('thousands of new names of every shape, through the listener thread as blocks, are the series their strings are', { timeout: 30_000 }, async (t) => {
  const { store } = await openTempEngine(t);
  const carbon = await startListeners(store, true);
  try {
    const now = Math.floor(Date.now() / 1000);
    const t0 = now - (now % 10) - 600;
    // [as sent, as the store knows it]
    const shapes = (i: number): [string, string] => {
      switch (i % 6) {
        case 0: return [`~e2e.tilde.m${i}`, `e2e.tilde.m${i}`];
        case 1: return [`e2e.tag.m${i};z=1;a=2`, `e2e.tag.m${i};a=2;z=1`];
        case 2: return [`e2e.ünï.m${i}`, `e2e.ünï.m${i}`];
        case 3: return [`e2e.trail_${i % 5}.`, `e2e.trail_${i % 5}.`];
        case 4: return [`E2E..Up-Per_${i % 9}.~m${i}`, `E2E..Up-Per_${i % 9}.~m${i}`];
        default: return [`e2e.host_${i % 7}.m${i}`, `e2e.host_${i % 7}.m${i}`];
      }
    };
    const names = Array.from({ length: 3000 }, (_, i) => shapes(i));
    // A third known to the store already, by their strings, as StatsD or a query would make them.
    const before = new Map(names.filter((_, i) => i % 3 === 0).map(([, name]) => [name, store.seriesId(name)]));
    const lines = names.map(([sent], i) => `${sent} ${i} ${t0}\n`).join('');
    assert.equal(await sendAndWaitForClose(carbon.plaintextPort!, lines), true);
    const expected = new Set(names.map(([, name]) => name));
    assert.equal(store.seriesCount(), expected.size);
    assert.deepEqual(new Set(store.names()), expected);
    for (const [name, id] of before) assert.equal(store.seriesId(name), id, name);
    assert.equal(store.seriesCount(), expected.size, 'every name found by its string');
    const untagged = [...expected].filter((name) => !name.includes(';'));
    assert.deepEqual(new Set([...store.match('*.*.*'), ...store.match('*.*.*.*')]), new Set(untagged));
  } finally {
    await carbon.stop();
  }
});
