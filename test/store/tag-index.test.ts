import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSeriesByTag } from '../../src/names/tag-expression.js';
import { TagIndex } from '../../src/store/tag-index.js';

const NAMES = [
  'cpu.load;dc=east;host=web1',
  'cpu.load;dc=east;host=web2',
  'cpu.load;dc=west;host=db1',
  'cpu.load;host=lonely',
  'mem.free;dc=east;host=web1',
];

function index(): TagIndex {
  const tags = new TagIndex();
  NAMES.forEach((name, id) => tags.add(id, name));
  return tags;
}

const select = (tags: TagIndex, ...expressions: string[]) => tags.select(parseSeriesByTag(expressions));

describe('TagIndex', () => {
  it('selects by exact value, sorted by name', () => {
    assert.deepEqual(select(index(), 'dc=east'), ['cpu.load;dc=east;host=web1', 'cpu.load;dc=east;host=web2', 'mem.free;dc=east;host=web1']);
    assert.deepEqual(select(index(), 'dc=north'), []);
  });

  it('combines expressions: regex, negation, the name tag', () => {
    assert.deepEqual(select(index(), 'name=cpu.load', 'host=~web'), ['cpu.load;dc=east;host=web1', 'cpu.load;dc=east;host=web2']);
    assert.deepEqual(select(index(), 'name=cpu.load', 'dc!=east'), ['cpu.load;dc=west;host=db1', 'cpu.load;host=lonely']);
    assert.deepEqual(select(index(), 'host=~.*1$', 'name!=~mem'), ['cpu.load;dc=east;host=web1', 'cpu.load;dc=west;host=db1']);
  });

  it('treats an empty value as the tag being absent', () => {
    assert.deepEqual(select(index(), 'name=cpu.load', 'dc='), ['cpu.load;host=lonely']);
    assert.deepEqual(select(index(), 'dc!='), NAMES.filter((n) => n.includes('dc=')).sort());
  });

  it('lists tags and values with counts, by prefix and limit', () => {
    const tags = index();
    assert.deepEqual(tags.tagNames(), ['dc', 'host', 'name']);
    assert.deepEqual(tags.tagNames('h'), ['host']);
    assert.deepEqual(tags.tagValues('dc'), [
      { value: 'east', count: 3 },
      { value: 'west', count: 1 },
    ]);
    assert.deepEqual(tags.tagValues('host', 'web', 1), [{ value: 'web1', count: 2 }]);
    assert.deepEqual(tags.tagValues('nope'), []);
  });

  it('forgets removed series, and tags no series has any more', () => {
    const tags = index();
    tags.remove(2);
    tags.remove(2);
    assert.deepEqual(tags.tagValues('dc'), [{ value: 'east', count: 3 }]);
    assert.deepEqual(select(index(), 'dc=west').length, 1);
    assert.deepEqual(select(tags, 'dc=west'), []);
    tags.remove(3);
    assert.equal(tags.size, 3);
    assert.deepEqual(tags.tagValues('host').map((v) => v.value), ['web1', 'web2']);
  });
});
