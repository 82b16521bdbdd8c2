import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CarbonPlaintextParser, parseDecimal, type CarbonParseCounters } from '../../src/ingest/carbon-plaintext-parser.js';
import { describePath, PATH_FIELDS } from '../../src/names/name-hash.js';
import { recordingSink } from '../support/recording-sink.js';

const NOW = 1_700_000_500;

interface Parsed {
  points: [string, number, number][];
  bad: [string, string][];
  counters: CarbonParseCounters;
}

function parse(text: string | Uint8Array, options: { maxNameLength?: number } = {}, parser?: CarbonPlaintextParser): Parsed {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  const result: Parsed = { points: [], bad: [], counters: { lines: 0, badLines: 0 } };
  const p = parser ?? new CarbonPlaintextParser({ ...options, now: () => NOW }, (line, reason) => result.bad.push([line, reason]));
  p.parse(bytes, 0, bytes.length, recordingSink((name, value, ts) => result.points.push([name, value, ts])), result.counters);
  return result;
}

test('good lines: fields, whitespace, numbers and timestamps as carbon reads them', () => {
  const cases: [string, [string, number, number]][] = [
    ['a.b.c 1 1700000000', ['a.b.c', 1, 1700000000]],
    ['a.b.c 1.5 1700000000\r', ['a.b.c', 1.5, 1700000000]],
    ['  a \t -2.25\t\t1700000000  ', ['a', -2.25, 1700000000]],
    ['a +7 1700000000', ['a', 7, 1700000000]],
    ['a .5 1700000000', ['a', 0.5, 1700000000]],
    ['a 5. 1700000000', ['a', 5, 1700000000]],
    ['a 1e3 1700000000', ['a', 1000, 1700000000]],
    ['a -1.5E-2 1700000000', ['a', -0.015, 1700000000]],
    ['a 0.1 1700000000', ['a', 0.1, 1700000000]],
    ['a 123456789.123456789 1700000000', ['a', 123456789.123456789, 1700000000]],
    ['a 12345678901234567890 1700000000', ['a', 12345678901234567890, 1700000000]],
    ['a 1 1700000000.9', ['a', 1, 1700000000]],
    ['a 1 1.7e9', ['a', 1, 1700000000]],
    ['a 1 -1', ['a', 1, NOW]],
    ['a 1 -1.0', ['a', 1, NOW]],
    ['a 1 N', ['a', 1, NOW]],
    ['a 1 n', ['a', 1, NOW]],
    ['a 1 0', ['a', 1, 0]],
    ['a 1 4294967295', ['a', 1, 4294967295]],
    ['m;z=1;a=2 3 1700000000', ['m;a=2;z=1', 3, 1700000000]],
    ['caf\u00e9.temp 1 1700000000', ['caf\u00e9.temp', 1, 1700000000]],
  ];
  for (const [line, expected] of cases) {
    const r = parse(line + '\n');
    assert.deepEqual(r.bad, [], line);
    assert.deepEqual(r.points, [expected], line);
    assert.deepEqual(r.counters, { lines: 1, badLines: 0 }, line);
  }
});

test('bad lines are counted, reported with a reason, and skipped', () => {
  const cases: [string, RegExp][] = [
    ['', /empty line/],
    ['   \t', /empty line/],
    ['a.b', /expected 3 fields/],
    ['a.b 1', /expected 3 fields/],
    ['a.b 1 2 3', /expected 3 fields/],
    ['a.b x 1700000000', /value is not a finite number/],
    ['a.b nan 1700000000', /value is not a finite number/],
    ['a.b inf 1700000000', /value is not a finite number/],
    ['a.b 0x10 1700000000', /value is not a finite number/],
    ['a.b 1e999 1700000000', /value is not a finite number/],
    ['a.b - 1700000000', /value is not a finite number/],
    ['a.b . 1700000000', /value is not a finite number/],
    ['a.b 1.2.3 1700000000', /value is not a finite number/],
    ['a.b 1 x', /timestamp is not a number/],
    ['a.b 1 Now', /timestamp is not a number/],
    ['a.b 1 -5', /negative timestamp/],
    ['a.b 1 -2.5', /negative timestamp/],
    ['a.b 1 1700000000000', /timestamp past 2106/],
    ['m;a 1 1700000000', /invalid tag segment/],
    ['m;a=~b 1 1700000000', /may not start with "~"/],
  ];
  for (const [line, reason] of cases) {
    const r = parse(line + '\n');
    assert.deepEqual(r.points, [], line);
    assert.deepEqual(r.counters, { lines: 1, badLines: 1 }, line);
    assert.equal(r.bad.length, 1, line);
    assert.equal(r.bad[0][0], line, line);
    assert.match(r.bad[0][1], reason, line);
  }
});

test('names: byte length limit and UTF-8 validity', () => {
  const r = parse(`${'x'.repeat(10)} 1 1\n${'x'.repeat(11)} 1 1\n`, { maxNameLength: 10 });
  assert.deepEqual(r.points, [['x'.repeat(10), 1, 1]]);
  assert.match(r.bad[0][1], /name longer than 10 bytes/);
  // "é" is two bytes: 6 characters, 11 bytes.
  assert.match(parse('\u00e9\u00e9\u00e9\u00e9\u00e9x 1 1\n', { maxNameLength: 10 }).bad[0][1], /longer than 10 bytes/);

  const invalid = new Uint8Array([0x61, 0xff, 0x62, 0x20, 0x31, 0x20, 0x31, 0x0a]);
  const bad = parse(invalid);
  assert.deepEqual(bad.counters, { lines: 1, badLines: 1 });
  assert.match(bad.bad[0][1], /not valid UTF-8/);
});

test('one bad line does not stop the others; the last line may lack its newline', () => {
  const r = parse('a 1 1700000000\ngarbage\n\nb 2 N\nc 3 1700000001');
  assert.deepEqual(r.points, [
    ['a', 1, 1700000000],
    ['b', 2, NOW],
    ['c', 3, 1700000001],
  ]);
  assert.deepEqual(r.counters, { lines: 5, badLines: 2 });
});

test('only the given range is parsed, and counters accumulate', () => {
  const bytes = new TextEncoder().encode('xx\na 1 10\nb 2 20\nyy');
  const points: string[] = [];
  const counters = { lines: 7, badLines: 3 };
  const parser = new CarbonPlaintextParser();
  parser.parse(bytes, 3, 17, recordingSink((name) => points.push(name)), counters);
  assert.deepEqual(points, ['a', 'b']);
  assert.deepEqual(counters, { lines: 9, badLines: 3 });
});

test('the clock is read at most once per parse call, and only when needed', () => {
  let reads = 0;
  const parser = new CarbonPlaintextParser({ now: () => ++reads * 1000 });
  const stamps: number[] = [];
  const sink = recordingSink((_n, _v, ts) => stamps.push(ts));
  const counters = { lines: 0, badLines: 0 };
  const run = (text: string) => {
    const bytes = new TextEncoder().encode(text);
    parser.parse(bytes, 0, bytes.length, sink, counters);
  };
  run('a 1 5\n');
  assert.equal(reads, 0);
  run('a 1 -1\nb 1 N\n');
  run('a 1 -1\n');
  assert.deepEqual(stamps, [5, 1000, 1000, 2000]);
});

test('repeated names: known names stay right through collisions, growth and the table starting over', () => {
  const parser = new CarbonPlaintextParser({ now: () => NOW, maxKnownNames: 1 << 15 });
  // 70k distinct names, more than the name table holds, every tenth one tagged with unsorted tags.
  const names: string[] = [];
  const expected: string[] = [];
  for (let i = 0; i < 70_000; i++) {
    names.push(i % 10 === 0 ? `host${i}.m;b=${i % 3};a=1` : `host${i}.m`);
    expected.push(i % 10 === 0 ? `host${i}.m;a=1;b=${i % 3}` : `host${i}.m`);
  }
  const bytes = new TextEncoder().encode(names.map((n, i) => `${n} ${i} 1`).join('\n'));
  let got: string[] = [];
  let values: number[] = [];
  const sink = recordingSink((name, value) => {
    got.push(name);
    values.push(value);
  });
  for (let pass = 0; pass < 3; pass++) {
    got = [];
    values = [];
    const counters = { lines: 0, badLines: 0 };
    parser.parse(bytes, 0, bytes.length, sink, counters);
    assert.deepEqual(counters, { lines: names.length, badLines: 0 });
    assert.equal(got.join('\n'), expected.join('\n'), `pass ${pass}`);
    assert.ok(values.every((v, i) => v === i), `pass ${pass}`);
  }
});

test('known names in a changing order, prefixes of one another, and followed by other blanks', () => {
  const parser = new CarbonPlaintextParser({ now: () => NOW });
  const names = ['a', 'a.b', 'a.bc', 'a.bcd', 'a.bcde', 'a.bcdf', 'a.bcdef.g', 'a.bcdef.h', 'x;t=1', 'caf\u00e9.b', 'a.bcde\u00e9'];
  let got: [string, number, number][] = [];
  const sink = recordingSink((name, value, ts) => got.push([name, value, ts]));
  let seed = 7;
  const random = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  for (let round = 0; round < 50; round++) {
    // Mostly the same order, as clients send; now and then swapped, dropped or separated by a tab.
    const order = names.map((_, i) => i);
    if (round % 3 === 1) [order[random(11)], order[random(11)]] = [order[random(11)], order[random(11)]];
    if (round % 5 === 2) order.splice(random(order.length), 1);
    const expected: [string, number, number][] = [];
    const lines = order.map((i, k) => {
      expected.push([names[i], round + k / 4, 1_700_000_000 + round]);
      return `${names[i]}${round % 7 === 3 && k === 2 ? '\t' : ' '}${round + k / 4} ${1_700_000_000 + round}\n`;
    });
    const bytes = new TextEncoder().encode(lines.join(''));
    got = [];
    const counters = { lines: 0, badLines: 0 };
    parser.parse(bytes, 0, bytes.length, sink, counters);
    assert.deepEqual(counters, { lines: order.length, badLines: 0 }, `round ${round}`);
    assert.deepEqual(got, expected, `round ${round}`);
  }
});

test('a known name followed by more than a space is not taken for that name', () => {
  const r = parse('m.0 1 1700000000\nm.1 2 1700000000\nm.0 3 1700000010\nm.1-5 1700000010\n');
  assert.deepEqual(r.points, [
    ['m.0', 1, 1700000000],
    ['m.1', 2, 1700000000],
    ['m.0', 3, 1700000010],
  ]);
  assert.deepEqual(r.bad, [['m.1-5 1700000010', 'expected 3 fields: path value timestamp']]);
});

/** A sink that counts how names are asked for: newSeries (no lookup) or seriesOf. */
function countingSink() {
  const handles = new Map<string, number>();
  const sink = {
    epoch: 0,
    asked: [] as string[],
    seen: [] as number[],
    seriesOf(name: string) {
      sink.asked.push(`seriesOf ${name}`);
      if (!handles.has(name)) handles.set(name, handles.size);
      return handles.get(name)!;
    },
    newSeries(name: string) {
      sink.asked.push(`newSeries ${name}`);
      if (!handles.has(name)) handles.set(name, handles.size);
      return handles.get(name)!;
    },
    point(series: number) {
      sink.seen.push(series);
    },
  };
  return { sink, handles };
}

test('a name new to the parser is new to the sink, until the sink forgets its handles', () => {
  const parser = new CarbonPlaintextParser();
  const { sink, handles } = countingSink();
  const bytes = new TextEncoder().encode('a 1 1\nb 1 1\na 1 1\n');
  const counters = { lines: 0, badLines: 0 };
  parser.parse(bytes, 0, bytes.length, sink, counters);
  assert.deepEqual(sink.asked, ['newSeries a', 'newSeries b'], 'the second "a" is known');
  handles.clear();
  handles.set('a', 5);
  handles.set('b', 7);
  sink.epoch++;
  parser.parse(bytes, 0, bytes.length, sink, counters);
  assert.deepEqual(sink.asked, ['newSeries a', 'newSeries b', 'newSeries a', 'newSeries b']);
  assert.deepEqual(sink.seen, [0, 1, 0, 5, 7, 5]);
});

test('once the name table has started over, names are looked up: the sink may know them', () => {
  const parser = new CarbonPlaintextParser({ maxKnownNames: 4 });
  const { sink } = countingSink();
  const names = ['a', 'b', 'c', 'd', 'e'];
  const bytes = new TextEncoder().encode(names.map((n) => `${n} 1 1\n`).join(''));
  const counters = { lines: 0, badLines: 0 };
  parser.parse(bytes, 0, bytes.length, sink, counters);
  parser.parse(bytes, 0, bytes.length, sink, counters);
  // The fifth name fills the table: it starts over, and from then on every miss is looked up.
  assert.deepEqual(sink.asked, [...names.map((n) => `newSeries ${n}`), ...names.map((n) => `seriesOf ${n}`)]);
  assert.deepEqual(sink.seen, [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
});

test('a plain new name goes to the sink as its bytes; tagged, ~-led, OpenMetrics and non-ASCII names as normalised strings', () => {
  const parser = new CarbonPlaintextParser();
  const { sink } = countingSink();
  const plain: string[] = [];
  const withBytes = Object.assign(sink, {
    newPlainSeries(bytes: Uint8Array, start: number, end: number, path: Int32Array) {
      const name = Buffer.from(bytes.subarray(start, end)).toString('latin1');
      plain.push(name);
      const expected = new Int32Array(PATH_FIELDS);
      describePath(bytes, start, end, expected, 0);
      assert.deepEqual(path, expected, `the hashes main looks ${name} up by`);
      return sink.newSeries(name);
    },
  });
  // The last line, with a tab, is read by the full rules: its name's hashes are walked there.
  const lines = ['a.b.c 1 1', 'x;b=2;a=1 1 1', '~x 1 1', 'm{a="1"} 1 1', 'ünï.x 1 1', 'a"} 1 1', 'a.b.c 2 2', 'd 1 1', ' e..f.g\t1 1'];
  const bytes = new TextEncoder().encode(lines.map((l) => `${l}\n`).join(''));
  parser.parse(bytes, 0, bytes.length, withBytes, { lines: 0, badLines: 0 });
  assert.deepEqual(plain, ['a.b.c', 'd', 'e..f.g'], 'a name ending in "} is left to the string path');
  assert.deepEqual(sink.asked, ['newSeries a.b.c', 'newSeries x;a=1;b=2', 'newSeries x', 'newSeries m;a=1', 'newSeries ünï.x', 'newSeries a"}', 'newSeries d', 'newSeries e..f.g']);
  assert.deepEqual(sink.seen, [0, 1, 2, 3, 4, 5, 0, 6, 7]);
});

test('parseDecimal matches Number() on the fast path', () => {
  const samples = ['0', '-0', '1', '42', '0.1', '0.2', '0.3', '3.14159', '-2.5', '999999999999999', '123456.000001', '.000000000000001', '1.', '+3'];
  for (const s of samples) {
    const bytes = new TextEncoder().encode(s);
    assert.equal(Object.is(parseDecimal(bytes, 0, bytes.length), Number(s)), true, s);
  }
  for (let i = 0; i < 10_000; i++) {
    const s = (Math.random() * 10 ** Math.floor(Math.random() * 10)).toFixed(Math.floor(Math.random() * 6));
    const bytes = new TextEncoder().encode(s);
    assert.equal(parseDecimal(bytes, 0, bytes.length), Number(s), s);
  }
});

test('a burst of new names, walked ahead of the lines, reads as each line alone does', () => {
  const lines: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const kind = i % 13;
    if (kind === 3) lines.push(`tagged.m_${i};b=2;a=1 ${i} 1700000000`);
    else if (kind === 5) lines.push(`  lead.blank_${i}\t${i}  1700000000`);
    else if (kind === 7) lines.push(`bad.line_${i} x 1700000000`);
    else if (kind === 9) lines.push(`wïde.n_${i} ${i} 1700000000`);
    else if (kind === 11) lines.push(`host_${i % 7}.repeat ${i} 1700000010`);
    else if (kind === 12) lines.push('');
    else lines.push(`cb.host_${i % 10}.metric_${i} ${i / 4} ${1700000000 + i}`);
  }
  const text = lines.join('\n') + '\nlast.no_newline 1 1700000000';
  const expected: Parsed = { points: [], bad: [], counters: { lines: 0, badLines: 0 } };
  for (const line of text.split('\n')) {
    const r = parse(line + '\n');
    expected.points.push(...r.points);
    expected.bad.push(...r.bad);
    expected.counters.lines += r.counters.lines;
    expected.counters.badLines += r.counters.badLines;
  }
  const result: Parsed = { points: [], bad: [], counters: { lines: 0, badLines: 0 } };
  const parser = new CarbonPlaintextParser({ now: () => NOW }, (line, reason) => result.bad.push([line, reason]));
  const sink = recordingSink((name, value, ts) => result.points.push([name, value, ts]));
  const path = new Int32Array(PATH_FIELDS);
  const withBytes = Object.assign(sink, {
    newPlainSeries(bytes: Uint8Array, start: number, end: number, given: Int32Array) {
      describePath(bytes, start, end, path, 0);
      assert.deepEqual(given, path);
      return sink.newSeries(Buffer.from(bytes.subarray(start, end)).toString('latin1'));
    },
  });
  const bytes = new TextEncoder().encode(text);
  // Cut at newlines, as the worker hands reads on: from the second piece on, names are walked ahead.
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(bytes.length, start + 4096);
    while (end < bytes.length && bytes[end - 1] !== 0x0a) end++;
    parser.parse(bytes, start, end, withBytes, result.counters);
    start = end;
  }
  assert.deepEqual(result, expected);
});

test('fuzz: short names (0-9 bytes, dots anywhere), any cut at a newline, the table starting over: each new plain name once per table, with the hashes main looks it up by', async () => {
  const { seededUint32 } = await import('../support/seeded-random.js');
  const next = seededUint32(71);
  const alphabet = 'ab.1_-';
  for (let round = 0; round < 40; round++) {
    // A tiny table that starts over often, and the default one.
    const parser = new CarbonPlaintextParser({ now: () => NOW, maxKnownNames: round % 2 === 0 ? 16 : undefined });
    const asked = new Map<string, number>();
    const points: string[] = [];
    let clears = 0;
    const sink = recordingSink((name) => points.push(name));
    const withBytes = Object.assign(sink, {
      newPlainSeries(bytes: Uint8Array, start: number, end: number, given: Int32Array) {
        const expected = new Int32Array(PATH_FIELDS);
        describePath(bytes, start, end, expected, 0);
        assert.deepEqual([...given], [...expected], Buffer.from(bytes.subarray(start, end)).toString('latin1'));
        const name = Buffer.from(bytes.subarray(start, end)).toString('latin1');
        asked.set(name, (asked.get(name) ?? 0) + 1);
        return sink.seriesOf(name);
      },
    });
    const lines: string[] = [];
    const sent: string[] = [];
    for (let i = 0; i < 600; i++) {
      let name = '';
      for (let n = next() % 10; n > 0; n--) name += alphabet[next() % alphabet.length];
      // Leading blanks and tabs send a line to the full rules; an empty name is a bad line.
      const lead = next() % 9 === 0 ? ' ' : '';
      const sep = next() % 11 === 0 ? '\t' : ' ';
      lines.push(`${lead}${name}${sep}${i} ${1700000000 + i}`);
      if (name !== '') sent.push(name);
    }
    const bytes = new TextEncoder().encode(lines.join('\n') + '\n');
    const counters = { lines: 0, badLines: 0 };
    let start = 0;
    while (start < bytes.length) {
      let end = Math.min(bytes.length, start + 1 + (next() % 300));
      while (end < bytes.length && bytes[end - 1] !== 0x0a) end++;
      const before = (parser as unknown as { names: { clears: number } }).names.clears;
      parser.parse(bytes, start, end, withBytes, counters);
      clears += (parser as unknown as { names: { clears: number } }).names.clears - before;
      start = end;
    }
    assert.deepEqual(points, sent, 'every good line once, in order, under its own name');
    if (clears === 0) for (const [name, times] of asked) assert.equal(times, 1, `${name} made a new series once`);
  }
});
