import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { completeTags, completeValues } from '../../src/query/series-by-tag.js';

describe('tag auto-completion', () => {
  it('completes tags and values over selected series', () => {
    const series = ['cpu;dc=east;host=a', 'cpu;dc=west;rack=r1', 'mem;dc=east;host=b'];
    assert.deepEqual(completeTags(series, ['dc=east'], '', 10), ['host', 'name', 'rack']);
    assert.deepEqual(completeTags(series, ['dc=east'], 'h', 10), ['host']);
    assert.deepEqual(completeTags(series, ['dc=east'], '', 1), ['host']);
    assert.deepEqual(completeValues(series, 'dc', '', 10), ['east', 'west']);
    assert.deepEqual(completeValues(series, 'host', 'b', 10), ['b']);
  });
});
