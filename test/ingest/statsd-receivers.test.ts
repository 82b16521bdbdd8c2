import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { ByteRingReader, createByteRing, createDoorbell, RecordFlags, RecordOffset, TailOffset, tailOffset } from '../../src/ingest/index.js';
import { ReceiverStat } from '../../src/ingest/receiver-stats.js';
import { startStatsdReceivers, type StatsdReceivers } from '../../src/ingest/statsd-receivers.js';
import { allEndWithin, threadsStartedBy } from '../support/threads.js';

async function oneReceiver(): Promise<{ receivers: StatsdReceivers; reader: ByteRingReader }> {
  const ring = createByteRing(1 << 20);
  const receivers = await startStatsdReceivers({
    host: '127.0.0.1',
    port: 0,
    recvBufferBytes: 1 << 20,
    maxNameLength: 1024,
    rings: [[ring]],
    doorbells: [createDoorbell()],
  });
  return { receivers, reader: new ByteRingReader(ring) };
}

/** Receivers on loopback feeding one aggregator: rings[receiver][0]. */
function receiverOptions(rings: ReturnType<typeof createByteRing>[][], port = 0): Parameters<typeof startStatsdReceivers>[0] {
  return { host: '127.0.0.1', port, recvBufferBytes: 1 << 20, maxNameLength: 1024, rings, doorbells: [createDoorbell()] };
}

/** Names of the records in the ring (each name is sent once), polled until `last` arrives (bounded). */
async function namesUntil(reader: ByteRingReader, last: string): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < 200 && names.at(-1) !== last; i++) {
    reader.drainBatches((view, bytes, offsets, count) => {
      for (const offset of offsets.subarray(0, count)) {
        const flags = bytes[offset + RecordOffset.flags];
        assert.ok(flags & RecordFlags.Named, 'a name seen for the first time is sent with its record');
        const tail = tailOffset(offset, flags);
        const length = view.getUint16(tail + TailOffset.nameLen, true);
        const start = tail + TailOffset.name;
        names.push(Buffer.from(bytes.subarray(start, start + length)).toString('latin1'));
      }
    });
    if (names.at(-1) !== last) await new Promise((r) => setTimeout(r, 10));
  }
  return names;
}

function tcpConnect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const conn = connect(port, '127.0.0.1', () => resolve(conn));
    conn.once('error', reject);
  });
}

test('a TCP line longer than the limit is dropped whole, not its tail taken as a new line', { timeout: 20_000 }, async () => {
  const { receivers, reader } = await oneReceiver();
  try {
    const conn = await tcpConnect(receivers.tcpPort!);
    // '!' is dropped by sanitising: the tail of this line would parse as a valid 'leak' counter.
    conn.end(`${'!'.repeat(300_000)}leak:1|c\nok:2|c\nlast:3|c`);
    const names = await namesUntil(reader, 'last');
    assert.deepEqual(names, ['ok', 'last']);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(receivers.stats[0][ReceiverStat.badLines], 1);
  } finally {
    await receivers.stop();
  }
});

test('stop() returns while a TCP client keeps its connection open', { timeout: 20_000 }, async () => {
  const { receivers, reader } = await oneReceiver();
  const conn = await tcpConnect(receivers.tcpPort!);
  conn.on('error', () => {});
  conn.write('open:1|c\n');
  assert.deepEqual(await namesUntil(reader, 'open'), ['open']);
  const stopped = await Promise.race([
    receivers.stop().then(() => true),
    new Promise<false>((r) => setTimeout(() => r(false), 5000).unref()),
  ]);
  conn.destroy();
  assert.equal(stopped, true, 'stop() did not return within 5 s');
});

test('a burst of datagrams faster than events are handled is counted in full', { timeout: 20_000 }, async () => {
  const { receivers, reader } = await oneReceiver();
  const client = (await import('node:dgram')).createSocket('udp4');
  try {
    const datagrams = 3000;
    const lines = 20;
    const payload = Buffer.from(Array.from({ length: lines }, (_, i) => `burst.m${i}:1|c`).join('\n'));
    for (let i = 0; i < datagrams; i++) {
      client.send(payload, receivers.udpPort, '127.0.0.1');
      // A pause now and then: the kernel's buffer (1 MiB here) must not overflow on a busy machine.
      if (i % 200 === 199) await new Promise((r) => setTimeout(r, 5));
    }
    let records = 0;
    for (let i = 0; i < 400 && receivers.stats[0][ReceiverStat.lines] < datagrams * lines; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 20));
    reader.drainBatches((_view, _bytes, _offsets, count) => (records += count));
    assert.equal(receivers.stats[0][ReceiverStat.packets], datagrams);
    assert.equal(receivers.stats[0][ReceiverStat.lines], datagrams * lines);
    assert.equal(records, datagrams * lines, 'every line reaches the ring');
  } finally {
    client.close();
    await receivers.stop();
  }
});

test('a receiver with an empty socket reads the datagrams the kernel queued for a sibling, each once', { timeout: 30_000 }, async () => {
  // One client socket: the kernel's hash sends every datagram to the same one of the two receivers.
  const rings = [[createByteRing(1 << 20)], [createByteRing(1 << 20)]];
  const receivers = await startStatsdReceivers({
    host: '127.0.0.1',
    port: 0,
    recvBufferBytes: 4 << 20,
    maxNameLength: 1024,
    rings,
    doorbells: [createDoorbell()],
  });
  const client = (await import('node:dgram')).createSocket('udp4');
  const total = (stat: ReceiverStat): number => receivers.stats[0][stat] + receivers.stats[1][stat];
  try {
    const lines = 60;
    const payload = Buffer.from(Array.from({ length: lines }, (_, i) => `steal.metric_${i}:1|ms|@0.5`).join('\n'));
    let sent = 0;
    // Bursts until the idle receiver has taken some: it reads a sibling's socket only while that one
    // is behind (a whole turn read and more queued), looking every 10 ms while its own socket is quiet.
    for (let round = 0; round < 40 && total(ReceiverStat.stolenPackets) === 0; round++) {
      for (let i = 0; i < 4000; i++, sent++) client.send(payload, receivers.udpPort, '127.0.0.1');
      for (let i = 0; i < 200 && total(ReceiverStat.packets) < sent; i++) await new Promise((r) => setTimeout(r, 5));
    }
    assert.ok(total(ReceiverStat.stolenPackets) > 0, 'the idle receiver read from its sibling\'s socket');
    const owner = receivers.stats[0][ReceiverStat.stolenPackets] > 0 ? 1 : 0;
    assert.equal(receivers.stats[owner][ReceiverStat.stolenPackets], 0, 'only the receiver without clients reads its sibling\'s socket');
    assert.ok(total(ReceiverStat.packets) <= sent);
    assert.equal(total(ReceiverStat.lines), total(ReceiverStat.packets) * lines, 'each datagram read and parsed exactly once');
  } finally {
    client.close();
    await receivers.stop();
  }
});

test('stop() returns when a receiver thread has already exited', { timeout: 20_000 }, async () => {
  const { threads, outcome } = await threadsStartedBy(() =>
    startStatsdReceivers(receiverOptions([[createByteRing(1 << 16)], [createByteRing(1 << 16)]])),
  );
  assert.equal(outcome.status, 'fulfilled');
  const receivers = (outcome as PromiseFulfilledResult<StatsdReceivers>).value;
  assert.equal(threads.length, 2);
  await threads[1].terminate(); // as a crash would end it: no 'stopped', no 'quiesced'
  const stopped = await Promise.race([
    receivers.stop().then(() => true),
    new Promise<false>((r) => setTimeout(() => r(false), 5000).unref()),
  ]);
  if (!stopped) await threads[0].terminate(); // lets the test process end
  assert.equal(stopped, true, 'stop() did not return within 5 s');
});

test('a receiver that fails to start ends the threads already started, and the start fails', { timeout: 20_000 }, async () => {
  const { threads, outcome } = await threadsStartedBy(() =>
    // The second thread cannot attach to a ring that is not one, and fails as it starts.
    startStatsdReceivers(receiverOptions([[createByteRing(1 << 16)], [{} as ReturnType<typeof createByteRing>]])),
  );
  assert.equal(outcome.status, 'rejected');
  assert.equal(threads.length, 2);
  assert.equal(await allEndWithin(threads, 5000), true, 'the receiver that started was left running');
});

test('a receiver that binds UDP but not TCP (port taken) ends, and the start fails', { timeout: 20_000 }, async () => {
  // Another process on the TCP port, the UDP port free: the thread's UDP socket is bound when its
  // TCP listen fails, and it reported the error but stayed alive holding the UDP port.
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  const { threads, outcome } = await threadsStartedBy(() =>
    startStatsdReceivers(receiverOptions([[createByteRing(1 << 16)]], port)),
  );
  blocker.close();
  assert.equal(outcome.status, 'rejected');
  assert.match(String((outcome as PromiseRejectedResult).reason), /failed to bind/);
  assert.equal(threads.length, 1);
  assert.equal(await allEndWithin(threads, 5000), true, 'the receiver that failed to start was left running, its UDP port bound');
});
