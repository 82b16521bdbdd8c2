import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricTable } from '../../src/ingest/metric-table.js';
import { nameHash } from '../../src/ingest/statsd-record.js';

const encoder = new TextEncoder();

function key(name: string): { bytes: Uint8Array; hash: number } {
  const bytes = encoder.encode(name);
  return { bytes, hash: nameHash(bytes, 0, bytes.length) };
}

function insertNew(table: MetricTable, kind: number, name: string, hash?: number): number {
  const k = key(name);
  const h = hash ?? k.hash;
  assert.equal(table.find(kind, h, k.bytes, 0, k.bytes.length), -1, `${name} should be absent`);
  return table.insert(kind, h, k.bytes, 0, k.bytes.length);
}

function lookup(table: MetricTable, kind: number, name: string, hash?: number): number {
  const k = key(name);
  return table.find(kind, hash ?? k.hash, k.bytes, 0, k.bytes.length);
}

test('clear forgets every key', () => {
  const table = new MetricTable();
  for (let i = 0; i < 3000; i++) insertNew(table, 0, `k${i}`);
  table.clear();
  assert.equal(table.size, 0);
  assert.equal(lookup(table, 0, 'k1'), -1);
  assert.equal(insertNew(table, 0, 'k2999'), 0);
  assert.equal(lookup(table, 0, 'k2999'), 0);
});

test('keys get dense indices in insertion order and are found again after many rehashes', () => {
  const table = new MetricTable();
  const count = 50_000;
  for (let i = 0; i < count; i++) assert.equal(insertNew(table, i % 4, `app.host${i}.requests`), i);
  assert.equal(table.size, count);
  for (let i = 0; i < count; i++) {
    assert.equal(lookup(table, i % 4, `app.host${i}.requests`), i);
    assert.equal(table.kindOf(i), i % 4);
  }
  assert.equal(lookup(table, 0, 'app.host50000.requests'), -1);
});

test('the same name under another kind is another key', () => {
  const table = new MetricTable();
  const counter = insertNew(table, 0, 'x');
  const timer = insertNew(table, 1, 'x');
  assert.notEqual(counter, timer);
  assert.equal(lookup(table, 0, 'x'), counter);
  assert.equal(lookup(table, 1, 'x'), timer);
  assert.equal(lookup(table, 2, 'x'), -1);
});

test('keys whose hashes collide are told apart by their bytes', () => {
  const table = new MetricTable();
  const names = ['a', 'ab', 'abc', 'abd', 'b', ''];
  const ids = names.map((n) => insertNew(table, 0, n, 42));
  names.forEach((n, i) => assert.equal(lookup(table, 0, n, 42), ids[i]));
  assert.equal(lookup(table, 0, 'abe', 42), -1);
  assert.equal(lookup(table, 0, 'abcd', 42), -1);
});

test('lookups read the key at an offset inside a larger buffer', () => {
  const table = new MetricTable();
  const k = key('svc.latency');
  const id = table.insert(3, k.hash, k.bytes, 0, k.bytes.length);
  const buffer = new Uint8Array(100);
  buffer.set(k.bytes, 37);
  assert.equal(table.find(3, k.hash, buffer, 37, k.bytes.length), id);
  assert.equal(table.find(3, k.hash, buffer, 36, k.bytes.length), -1);
});

test('long keys grow the arena without corrupting earlier keys', () => {
  const table = new MetricTable();
  const names = Array.from({ length: 5 }, (_, i) => String.fromCharCode(97 + i).repeat(40_000));
  names.forEach((n) => insertNew(table, 1, n));
  names.forEach((n, i) => assert.equal(lookup(table, 1, n), i));
  assert.equal(lookup(table, 1, 'a'.repeat(39_999) + 'b'), -1);
});

test('colliding keys of every length 1..40 that differ in one byte, at any position, are told apart', () => {
  // The compare goes 8 bytes, then 4, then 1 at a time: a difference in any of those parts, for
  // every length's mix of them, with keys at odd offsets of the source and the arena.
  const table = new MetricTable();
  const source = new Uint8Array(1 + 40 + 7);
  const base = (length: number): Uint8Array => Uint8Array.from({ length }, (_, i) => 0x61 + ((i * 7) % 26));
  const ids = new Map<string, number>();
  for (let length = 1; length <= 40; length++) {
    const bytes = base(length);
    source.set(bytes, 1);
    ids.set(String(length), table.insert(0, 7, source, 1, length));
  }
  for (let length = 1; length <= 40; length++) {
    const bytes = base(length);
    source.set(bytes, 1);
    assert.equal(table.find(0, 7, source, 1, length), ids.get(String(length)), `length ${length}`);
    for (let at = 0; at < length; at++) {
      source[1 + at] ^= 0x20;
      assert.equal(table.find(0, 7, source, 1, length), -1, `length ${length}, byte ${at} changed`);
      source[1 + at] ^= 0x20;
    }
  }
});
