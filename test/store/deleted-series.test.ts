import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeletedSeries } from '../../src/store/deleted-series.js';

test('a deleted series is found by name and by id until it comes back', () => {
  const deleted = new DeletedSeries();
  assert.equal(deleted.idOf('a.b'), undefined);
  deleted.add(7, 'a.b', 0x1234);
  deleted.add(9, 'c.d', 0x5678);
  assert.equal(deleted.size, 2);
  assert.equal(deleted.idOf('a.b'), 7);
  assert.equal(deleted.nameOf(9), 'c.d');
  assert.equal(deleted.nameOf(8), undefined);
  deleted.remove(7, 'a.b');
  assert.equal(deleted.idOf('a.b'), undefined);
  assert.equal(deleted.nameOf(7), undefined);
  assert.equal(deleted.size, 1);
});

test('a hash may be a deleted name\'s while any is deleted, and is forgotten once none is', () => {
  const deleted = new DeletedSeries();
  assert.equal(deleted.mayHaveHash(0x1234), false);
  deleted.add(7, 'a.b', 0x1234);
  deleted.add(9, 'c.d', 0x5678);
  assert.equal(deleted.mayHaveHash(0x1234), true);
  assert.equal(deleted.mayHaveHash(0x9999), false);
  deleted.remove(7, 'a.b');
  // Kept while another is deleted: a false "maybe" only costs a lookup by string.
  assert.equal(deleted.mayHaveHash(0x1234), true);
  deleted.remove(9, 'c.d');
  assert.equal(deleted.mayHaveHash(0x5678), false);
  deleted.add(9, 'c.d', 0x5678);
  assert.equal(deleted.mayHaveHash(0x1234), false, 'hashes of series back before were cleared');
  assert.equal(deleted.mayHaveHash(0x5678), true);
});
