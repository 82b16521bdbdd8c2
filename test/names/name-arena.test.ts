import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NameArena } from '../../src/names/name-arena.js';
import { hashName } from '../../src/names/name-hash.js';

test('names come back as given, ASCII or not, and compare without being made strings', () => {
  const arena = new NameArena();
  const names = ['cb.host_01.metric_000001', 'ünïcode.ñame', '', 'a;tag=välue', 'x'.repeat(70_000)];
  names.forEach((name, id) => arena.set(id, name));
  assert.equal(arena.limit, names.length);
  names.forEach((name, id) => {
    assert.equal(arena.has(id), true);
    assert.equal(arena.get(id), name);
    assert.equal(arena.is(id, name), true);
    assert.equal(arena.is(id, `${name}.`), false);
  });
  // Same length, one character apart; an ASCII byte never equals a non-ASCII character.
  assert.equal(arena.is(0, 'cb.host_01.metric_000002'), false);
  assert.equal(arena.is(0, 'cb.host_01.metric_00000\u0131'), false);
  assert.equal(arena.has(names.length), false);
  assert.equal(arena.get(names.length), undefined);
  assert.equal(arena.is(names.length, ''), false);
});

test('a cleared id has no name, and a name set again replaces the old one', () => {
  const arena = new NameArena();
  arena.set(0, 'a.b');
  arena.set(3, 'c.d'); // ids 1 and 2 have none
  assert.equal(arena.has(1), false);
  assert.equal(arena.get(2), undefined);
  arena.clear(0);
  assert.equal(arena.has(0), false);
  assert.equal(arena.is(0, 'a.b'), false);
  arena.set(3, 'é.f');
  assert.equal(arena.get(3), 'é.f');
  arena.set(3, 'g.h');
  assert.equal(arena.get(3), 'g.h');
  assert.equal(arena.is(3, 'é.f'), false);
});

test('names survive growth and the compaction of cleared names, which keeps the arena bounded under churn', () => {
  const arena = new NameArena();
  const name = (i: number): string => `churn.host_${i % 97}.metric_${String(i).padStart(8, '0')}`;
  const live = new Map<number, string>();
  // 200k names of 34 bytes, each cleared 100 names after it is set: 6.8 MB written, ~3.4 KB live.
  for (let i = 0; i < 200_000; i++) {
    arena.set(i, name(i));
    live.set(i, name(i));
    if (i >= 100) {
      arena.clear(i - 100);
      live.delete(i - 100);
    }
  }
  for (const [id, text] of live) {
    assert.equal(arena.get(id), text);
    assert.equal(arena.is(id, text), true);
  }
  assert.equal(arena.has(0), false);
  assert.ok((arena as unknown as { bytes: Buffer }).bytes.length <= 4 << 20, 'compacted, not grown to hold every name ever set');
});

test('names given as bytes are kept as a copy, and bytes compare with names kept either way', () => {
  const arena = new NameArena();
  const bytes = Buffer.from('xx cb.host_01.m1 a.b', 'latin1');
  arena.setBytes(0, bytes, 3, 16);
  arena.set(1, 'a.b');
  arena.set(2, 'ünï');
  bytes[3] = 0x7a; // the arena kept its own copy
  assert.equal(arena.get(0), 'cb.host_01.m1');
  assert.equal(arena.asciiLength(0), 13);
  assert.equal(arena.isBytes(0, Buffer.from('cb.host_01.m1'), 0, 13), true);
  assert.equal(arena.isBytes(0, Buffer.from('cb.host_01.m2'), 0, 13), false);
  assert.equal(arena.isBytes(1, bytes, 17, 20), true, 'a name set as a string');
  assert.equal(arena.isBytes(1, bytes, 17, 19), false);
  assert.equal(arena.isBytes(2, Buffer.from('ünï', 'latin1'), 0, 3), false, 'a name kept as a string is not ASCII');
  assert.equal(arena.isBytes(3, bytes, 0, 0), false, 'no name');
  // Replaced, through the arena's growth.
  const long = Buffer.from('y'.repeat(100_000));
  arena.setBytes(0, long, 0, long.length);
  assert.equal(arena.get(0), 'y'.repeat(100_000));
  assert.equal(arena.get(1), 'a.b');
  arena.clear(0);
  assert.equal(arena.isBytes(0, long, 0, long.length), false);
});

test('a name hashes as its string does, kept as bytes or as a string, given as either', () => {
  const arena = new NameArena();
  const names = ['cb.host_01.metric_000001', 'ünïcode.ñame', '', 'a;tag=välue', 'é'];
  names.forEach((name, id) => arena.set(id, name));
  const bytes = Buffer.from('..cb.host_02.m7..', 'latin1');
  arena.setBytes(names.length, bytes, 2, 15);
  names.forEach((name, id) => assert.equal(arena.hash(id), hashName(name), JSON.stringify(name)));
  assert.equal(arena.hash(names.length), hashName('cb.host_02.m7'));
});
