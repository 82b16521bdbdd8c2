import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GraphiteTagError,
  compareCodePoints,
  formatTaggedSeries,
  isPlainPath,
  normaliseSeriesName,
  parseTaggedSeries,
  tagProblem,
} from '../../src/ingest/graphite-tags.js';

test('plain names come back unchanged (the same string)', () => {
  const name = 'servers.web01.cpu.user';
  assert.equal(normaliseSeriesName(name), name);
  assert.equal(normaliseSeriesName('a..b-c_d:e'), 'a..b-c_d:e');
});

test('tags are sorted, as Graphite 1.1 normalises them', () => {
  const cases: [string, string][] = [
    ['cpu;host=a', 'cpu;host=a'],
    ['cpu;z=1;a=2;m=3', 'cpu;a=2;m=3;z=1'],
    // Python sorts the ";tag=value" strings, so "a.b" (0x2e) comes before "a" followed by "=" (0x3d).
    ['m;a=1;a.b=2', 'm;a.b=2;a=1'],
    // A repeated tag keeps its last value.
    ['m;dc=x;dc=y', 'm;dc=y'],
    // A "name" tag is replaced by the metric.
    ['m;name=other;a=1', 'm;a=1'],
    // Values may contain "=", "~" (not first), "!", "^", spaces.
    ['m;q=a=b;r=x~y;s=!^', 'm;q=a=b;r=x~y;s=!^'],
    // Leading "~" is stripped from the metric, tagged or not.
    ['~m;a=1', 'm;a=1'],
    ['~~plain', 'plain'],
    // Non-ASCII sorts by code point: U+1F600 (surrogate pair in UTF-16) after U+FF5E.
    ['m;k=\u{1F600};k2=x;k1=\uff5e', 'm;k1=\uff5e;k2=x;k=\u{1F600}'],
  ];
  for (const [input, expected] of cases) assert.equal(normaliseSeriesName(input), expected, input);
});

test('OpenMetrics names are accepted and normalised to the carbon form', () => {
  assert.equal(normaliseSeriesName('cpu{host="a",dc="x"}'), 'cpu;dc=x;host=a');
  assert.equal(normaliseSeriesName('cpu{v="a\\"b\\\\c"}'), 'cpu;v=a"b\\c');
  assert.equal(normaliseSeriesName('cpu{a="1":,b="2"}'), 'cpu;a=1;b=2');
  assert.equal(normaliseSeriesName('cpu{a="1",}x'), 'cpu{a="1",}x'); // not the OpenMetrics form: a plain name
  assert.throws(() => normaliseSeriesName('cpu{a="1"b="2"}'), GraphiteTagError);
  assert.throws(() => normaliseSeriesName('cpu{a=""}'), GraphiteTagError);
  assert.throws(() => normaliseSeriesName('{a="1"}'), GraphiteTagError);
  assert.throws(() => normaliseSeriesName('c{p{a="1"}'), GraphiteTagError);
  assert.throws(() => normaliseSeriesName('cpu{a="x\\y"}'), GraphiteTagError);
});

test('names Graphite refuses throw GraphiteTagError with a reason', () => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    [';a=1', /no metric name/],
    ['m;a', /invalid tag segment "a"/],
    ['m;=1', /invalid tag segment "=1"/],
    ['m;a=', /value for tag "a" may not be empty/],
    ['m;a!b=1', /character "!" is not allowed in tag "a!b"/],
    ['m;a^b=1', /character "\^" is not allowed/],
    ['m;a=~x', /may not start with "~"/],
    ['m;a=1;', /invalid tag segment ""/],
    ['~~~;a=1', /empty once leading "~" are removed/],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => normaliseSeriesName(input), (err: unknown) => err instanceof GraphiteTagError && message.test(err.message), input);
  }
});

test('parseTaggedSeries exposes metric, tags (with name) and path', () => {
  const series = parseTaggedSeries('~disk.used;rack=a1;dc=dc1');
  assert.equal(series.metric, '~disk.used');
  assert.deepEqual(Object.fromEntries(series.tags), { rack: 'a1', dc: 'dc1', name: 'disk.used' });
  assert.equal(series.path, 'disk.used;dc=dc1;rack=a1');
});

test('formatTaggedSeries and tagProblem', () => {
  assert.equal(formatTaggedSeries(new Map([['b', '2'], ['name', 'x'], ['a', '1']])), 'x;a=1;b=2');
  assert.equal(tagProblem('ok', 'fine'), null);
  assert.match(tagProblem('a;b', 'v') ?? '', /";"/);
  assert.match(tagProblem('a', 'v;w') ?? '', /";" is not allowed in value/);
});

test('compareCodePoints orders like Python', () => {
  const words = ['\u{1F600}', '\uffff', 'b', 'a', 'ab', ''];
  assert.deepEqual([...words].sort(compareCodePoints), ['', 'a', 'ab', 'b', '\uffff', '\u{1F600}']);
});

test('isPlainPath: exactly the names normaliseSeriesName gives back unchanged and untagged', () => {
  const names = ['a.b.c', 'a', 'a;b=c', 'x;name=y', '~a', 'a~', 'm{a="1"}', 'a"}', 'a{b}', '', 'a.b;', 'a b'];
  for (const name of names) {
    const bytes = Buffer.from(`[${name}]`, 'latin1');
    let unchanged: boolean;
    try {
      unchanged = normaliseSeriesName(name) === name && !name.includes(';');
    } catch {
      unchanged = false;
    }
    const plain = isPlainPath(bytes, 1, 1 + name.length);
    // A plain name is always unchanged; the only unchanged names not called plain end with '"}' (decided by the string path).
    if (plain) assert.equal(unchanged, true, name);
    else assert.equal(unchanged && !name.endsWith('"}'), false, name);
  }
  assert.equal(isPlainPath(Buffer.from('a.b'), 0, 3), true);
  assert.equal(isPlainPath(Buffer.from('a;b=c'), 0, 5), false);
});
