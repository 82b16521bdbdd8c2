import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { DatagramDrain, MAX_DATAGRAM_BYTES } from '../../src/ingest/datagram-drain.js';

function bound(): Promise<Socket> {
  const socket = createSocket('udp4');
  return new Promise((resolve) => socket.bind(0, '127.0.0.1', () => resolve(socket)));
}

function send(socket: Socket, port: number, payload: Buffer): Promise<void> {
  return new Promise((resolve, reject) => socket.send(payload, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
}

test('reads queued datagrams one at a time with their boundaries, then reports the socket empty', { timeout: 10_000 }, async () => {
  const server = await bound();
  const client = createSocket('udp4');
  try {
    const drain = DatagramDrain.open(server);
    assert.ok(drain, 'the descriptor of a bound socket is reachable on this Node');
    drain.pauseEvents();
    let events = 0;
    server.on('message', () => events++);
    const big = Buffer.alloc(60_000, 0x61);
    const payloads = [Buffer.from('a:1|c'), Buffer.from('b:2|c\nc:3|ms'), big];
    for (const p of payloads) await send(client, server.address().port, p);
    await new Promise((r) => setTimeout(r, 50));
    const buffer = new Uint8Array(2 * MAX_DATAGRAM_BYTES);
    const read: string[] = [];
    let at = 0;
    for (let length; (length = drain.read(buffer, at)) >= 0; at += length) {
      read.push(Buffer.from(buffer.subarray(at, at + length)).toString('latin1'));
    }
    assert.deepEqual(read, payloads.map((p) => p.toString('latin1')));
    assert.equal(drain.read(buffer, 0), -1);
    assert.equal(events, 0, 'paused: Node does not read the socket itself');

    drain.resumeEvents();
    const arrived = new Promise<string>((resolve) => server.once('message', (msg) => resolve(msg.toString())));
    await send(client, server.address().port, Buffer.from('d:4|g'));
    assert.equal(await arrived, 'd:4|g');
  } finally {
    client.close();
    server.close();
  }
});
