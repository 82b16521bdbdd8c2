import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteRingReader, createByteRing, createDoorbell } from '../../src/ingest/byte-ring.js';
import { RingSink } from '../../src/ingest/ring-sink.js';
import { MetricKind, RecordFlags, RecordOffset, TailOffset, nameHash, tailOffset } from '../../src/ingest/statsd-record.js';

interface Seen {
  kind: number;
  id: number;
  /** Set for named records. */
  name?: string;
  member?: string;
  value: number;
  rate: number;
}

function drain(reader: ByteRingReader): Seen[] {
  const seen: Seen[] = [];
  reader.drainBatches((view, bytes, offsets, count) => {
    for (const offset of offsets.subarray(0, count)) {
      const kind = bytes[offset + RecordOffset.kind];
      const flags = bytes[offset + RecordOffset.flags];
      const rate = flags & RecordFlags.Sampled ? view.getFloat64(offset + RecordOffset.sampleRate, true) : 1;
      const record: Seen = { kind, id: view.getUint32(offset + RecordOffset.id, true), value: view.getFloat64(offset + RecordOffset.value, true), rate };
      if (flags & RecordFlags.Named || kind === MetricKind.Set) {
        const tail = tailOffset(offset, flags);
        const nameLen = view.getUint16(tail + TailOffset.nameLen, true);
        const memberLen = view.getUint16(tail + TailOffset.setValueLen, true);
        const at = tail + TailOffset.name;
        if (flags & RecordFlags.Named) record.name = Buffer.from(bytes.subarray(at, at + nameLen)).toString('latin1');
        if (kind === MetricKind.Set) record.member = Buffer.from(bytes.subarray(at + nameLen, at + nameLen + memberLen)).toString('latin1');
      }
      seen.push(record);
    }
  });
  return seen;
}

function send(sink: RingSink, kind: number, name: string, value: number, rate = 1, member = ''): void {
  const input = Buffer.from(`${name}${member}`, 'latin1');
  sink.record(kind, 0, nameHash(input, 0, name.length), value, rate, input, 0, name.length, input, name.length, input.length);
}

test('a name goes down the ring once, then only its id; each kind has its own id', () => {
  const ring = createByteRing(1 << 16);
  const sink = new RingSink([ring], [createDoorbell()]);
  const reader = new ByteRingReader(ring);
  send(sink, MetricKind.Counter, 'a.b', 1);
  send(sink, MetricKind.Counter, 'a.b', 2, 0.5);
  send(sink, MetricKind.Timer, 'a.b', 3);
  send(sink, MetricKind.Set, 'a.b', 0, 1, 'u1');
  send(sink, MetricKind.Set, 'a.b', 0, 1, 'u2');
  sink.publish();
  assert.deepEqual(drain(reader), [
    { kind: MetricKind.Counter, id: 0, name: 'a.b', value: 1, rate: 1 },
    { kind: MetricKind.Counter, id: 0, value: 2, rate: 0.5 },
    { kind: MetricKind.Timer, id: 1, name: 'a.b', value: 3, rate: 1 },
    { kind: MetricKind.Set, id: 2, name: 'a.b', member: 'u1', value: 0, rate: 1 },
    { kind: MetricKind.Set, id: 2, member: 'u2', value: 0, rate: 1 },
  ]);
});

test('a named record dropped on a full ring is named again next time', () => {
  const ring = createByteRing(1024);
  const sink = new RingSink([ring], [createDoorbell()]);
  const reader = new ByteRingReader(ring);
  for (let i = 0; i < 20; i++) send(sink, MetricKind.Gauge, `filler.${'x'.repeat(40)}.${i}`, i);
  // Longer than any filler record, so it cannot fit in what the fillers left.
  const late = `late.${'y'.repeat(60)}`;
  send(sink, MetricKind.Gauge, late, 7);
  sink.publish();
  assert.ok(sink.drops > 0, 'the ring overflowed');
  assert.equal(drain(reader).some((r) => r.id === 20), false);
  send(sink, MetricKind.Gauge, late, 8);
  sink.publish();
  assert.deepEqual(drain(reader).at(-1), { kind: MetricKind.Gauge, id: 20, name: late, value: 8, rate: 1 });
});
