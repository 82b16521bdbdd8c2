import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutSpec, parseLayoutSpec } from '../../src/store/layout.js';

test('a layout spec is seconds per point and points of each archive (docs/format/leveldb.md), read back with retentions', () => {
  const archives = [
    { secondsPerPoint: 10, points: 60_480, retentionSeconds: 604_800 },
    { secondsPerPoint: 60, points: 43_200, retentionSeconds: 2_592_000 },
  ];
  assert.equal(layoutSpec(archives), '10:60480,60:43200');
  assert.deepEqual(parseLayoutSpec('10:60480,60:43200'), archives);
  assert.deepEqual(parseLayoutSpec('1:86400'), [{ secondsPerPoint: 1, points: 86_400, retentionSeconds: 86_400 }]);
});
