import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatsdParser, parseDecimal, type ParseCounters, type StatsdSink } from '../../src/ingest/statsd-parser.js';
import { MetricKind, RecordFlags, nameHash } from '../../src/ingest/statsd-record.js';

const { Counter, Timer, Gauge, Set } = MetricKind;
const { GaugeDelta } = RecordFlags;

interface Sample {
  kind: MetricKind;
  name: string;
  value: number;
  rate: number;
  flags: number;
  /** Set member, only for sets. */
  member?: string;
}

/** Keeps every record as plain data, and checks the hash against the name bytes as they arrive. */
class CollectingSink implements StatsdSink {
  readonly samples: Sample[] = [];
  record(
    kind: MetricKind,
    flags: number,
    hash: number,
    value: number,
    sampleRate: number,
    nameBytes: Uint8Array,
    nameStart: number,
    nameEnd: number,
    setBytes: Uint8Array,
    setStart: number,
    setEnd: number,
  ): void {
    assert.equal(hash, nameHash(nameBytes, nameStart, nameEnd), 'hash is nameHash of the emitted name');
    const name = Buffer.from(nameBytes.subarray(nameStart, nameEnd)).toString('latin1');
    const sample: Sample = { kind, name, value, rate: sampleRate, flags };
    if (kind === Set) sample.member = Buffer.from(setBytes.subarray(setStart, setEnd)).toString('utf8');
    else assert.equal(setEnd - setStart, 0, 'no set bytes for other kinds');
    this.samples.push(sample);
  }
}

interface Outcome {
  samples: Sample[];
  counters: ParseCounters;
  bad: { line: string; reason: string }[];
}

function parse(text: string | Uint8Array, options?: { maxNameLength: number }): Outcome {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const bad: Outcome['bad'] = [];
  const parser = new StatsdParser(options, (line, reason) => bad.push({ line, reason }));
  const sink = new CollectingSink();
  const counters: ParseCounters = { lines: 0, badLines: 0 };
  parser.parse(bytes, 0, bytes.length, sink, counters);
  return { samples: sink.samples, counters, bad };
}

const c = (name: string, value: number, rate = 1): Sample => ({ kind: Counter, name, value, rate, flags: 0 });
const ms = (name: string, value: number, rate = 1): Sample => ({ kind: Timer, name, value, rate, flags: 0 });
const g = (name: string, value: number, flags = 0): Sample => ({ kind: Gauge, name, value, rate: 1, flags });
const s = (name: string, member: string): Sample => ({ kind: Set, name, value: 0, rate: 1, flags: 0, member });

const goodLines: [string, Sample[]][] = [
  // types and sample rates
  ['foo:1|c', [c('foo', 1)]],
  ['foo:2.5|c|@0.5', [c('foo', 2.5, 0.5)]],
  ['foo:+1|c', [c('foo', 1)]],
  ['foo:320|ms', [ms('foo', 320)]],
  ['foo:320|ms|@0.1', [ms('foo', 320, 0.1)]],
  ['foo:-4|ms', [ms('foo', -4)]],
  ['foo:3|h', [ms('foo', 3)]],
  ['foo:4|d|@0.25', [ms('foo', 4, 0.25)]],
  ['foo:42|g', [g('foo', 42)]],
  ['foo:+3|g', [g('foo', 3, GaugeDelta)]],
  ['foo:-3.5|g', [g('foo', -3.5, GaugeDelta)]],
  ['foo:-3|g|@0.5', [g('foo', -3, GaugeDelta)]],
  ['foo:bar|s', [s('foo', 'bar')]],
  ['foo:user@example.com|s|@0.5', [s('foo', 'user@example.com')]],
  ['foo:12|s', [s('foo', '12')]],
  ['foo:1|c|@1', [c('foo', 1)]],
  ['foo:1|c|@1e-2', [c('foo', 1, 0.01)]],
  // number forms
  ['foo:1e3|c', [c('foo', 1000)]],
  ['foo:-1.5e-3|ms', [ms('foo', -0.0015)]],
  ['foo:.5|c', [c('foo', 0.5)]],
  ['foo:5.|c', [c('foo', 5)]],
  ['foo:0.1|c', [c('foo', 0.1)]],
  ['foo:123456789012345678901234567890|c', [c('foo', 123456789012345678901234567890)]],
  ['foo:0.30000000000000004|g', [g('foo', 0.30000000000000004)]],
  ['foo:1E+2|c', [c('foo', 100)]],
  // Etsy multi-value
  ['foo:1|c:2|ms:3|g', [c('foo', 1), ms('foo', 2), g('foo', 3)]],
  ['foo:1|c|@0.5:2|ms|@0.1:x|s', [c('foo', 1, 0.5), ms('foo', 2, 0.1), s('foo', 'x')]],
  // DogStatsD 1.1 packing
  ['foo:1:2:3|ms', [ms('foo', 1), ms('foo', 2), ms('foo', 3)]],
  ['foo:1:2|c|@0.5', [c('foo', 1, 0.5), c('foo', 2, 0.5)]],
  ['foo:1:2|c:3|ms', [c('foo', 1), c('foo', 2), ms('foo', 3)]],
  ['foo:+1:-2|g', [g('foo', 1, GaugeDelta), g('foo', -2, GaugeDelta)]],
  ['foo:a:b|s', [s('foo', 'a'), s('foo', 'b')]],
  // DogStatsD tags: sorted, bare key = true, ':' inside values
  ['foo:1|c|#host:web1,env:prod', [c('foo;env=prod;host=web1', 1)]],
  ['foo:1|c|@0.5|#zone:a,app:b', [c('foo;app=b;zone=a', 1, 0.5)]],
  ['foo:1|c|#canary', [c('foo;canary=true', 1)]],
  ['foo:1|c|#canary:', [c('foo;canary=true', 1)]],
  ['foo:1|c|#url:http://x/y', [c('foo;url=http--x-y', 1)]],
  ['foo:1|c|#a:1,,b:2,', [c('foo;a=1;b=2', 1)]],
  ['foo:1:2|ms|#a:1', [ms('foo;a=1', 1), ms('foo;a=1', 2)]],
  ['foo:1|c|#a:1,a:2', [c('foo;a=2', 1)]],
  // Graphite tags, and both forms merged (DogStatsD's come later, so they win a tie)
  ['foo;env=prod;app=web:1|c', [c('foo;app=web;env=prod', 1)]],
  ['foo;a=1;a=2:1|c', [c('foo;a=2', 1)]],
  ['foo;env=dev;zone=z:1|c|#env:prod,b:1', [c('foo;b=1;env=prod;zone=z', 1)]],
  ['foo;;a=1;:1|c', [c('foo;a=1', 1)]],
  ['foo;k=a=b:1|c', [c('foo;k=ab', 1)]],
  ['foo;ab=1;a=2;abc=3;b=4:1|c', [c('foo;a=2;ab=1;abc=3;b=4', 1)]],
  // other DogStatsD sections are skipped
  ['foo:1|c|#a:b|c:abc123|T1656581400', [c('foo;a=b', 1)]],
  ['foo:1|c|T1656581400', [c('foo', 1)]],
  ['foo:1|c|c:abc:def', [c('foo', 1)]],
  ['foo:1|c|e:it-false,cn-x', [c('foo', 1)]],
  ['foo:1|c|', [c('foo', 1)]],
  // sanitising (Etsy keyNameSanitize)
  ['my metric/name!:1|c', [c('my_metric-name', 1)]],
  ['a  \t b:1|c', [c('a_b', 1)]],
  ['a \x01 b:1|c', [c('a__b', 1)]],
  ['café.latency:1|ms', [ms('caf.latency', 1)]],
  ['foo;k k=v/v:1|c', [c('foo;k_k=v-v', 1)]],
  ['foo:1|c|#my key:my value!', [c('foo;my_key=my_value', 1)]],
  ['foo=bar:1|c', [c('foobar', 1)]],
  ['  foo:1|c', [c('_foo', 1)]],
  // line endings
  ['foo:1|c\r', [c('foo', 1)]],
  ['foo:1|c  ', [c('foo', 1)]],
];

for (const [line, expected] of goodLines) {
  test(`parses ${JSON.stringify(line)}`, () => {
    const out = parse(line);
    assert.deepEqual(out.bad, []);
    assert.deepEqual(out.counters, { lines: 1, badLines: 0 });
    assert.deepEqual(out.samples, expected);
  });
}

const badLines: [string, string][] = [
  ['foo', "no ':'"],
  ['foo|c', "no ':'"],
  ['foo:1', 'missing'],
  ['foo:1:2', 'missing'],
  ['foo:1|c:', 'missing'],
  ['foo:1|c:2', 'missing'],
  ['foo:1|x', "unknown type 'x'"],
  ['foo:1|', "unknown type ''"],
  ['foo:1|msx', "unknown type 'msx'"],
  ['foo:1|C', "unknown type 'C'"],
  ['foo:1|c:2|zz', "unknown type 'zz'"],
  ['foo:abc|c', 'bad value'],
  ['foo:|c', 'bad value'],
  ['foo:|s', 'bad value'],
  ['foo:NaN|c', 'bad value'],
  ['foo:Infinity|g', 'bad value'],
  ['foo:1e999|c', 'bad value'],
  ['foo:0x10|c', 'bad value'],
  ['foo:1.2.3|c', 'bad value'],
  ['foo:1e|c', 'bad value'],
  ['foo:.|c', 'bad value'],
  ['foo:-|g', 'bad value'],
  ['foo: 1|c', 'bad value'],
  ['foo:1|c:x|ms', 'bad value'],
  ['foo:1|c|@0', 'sample rate must be in (0, 1]'],
  ['foo:1|c|@1.5', 'sample rate must be in (0, 1]'],
  ['foo:1|c|@-0.5', 'sample rate must be in (0, 1]'],
  ['foo:1|ms|@abc', 'sample rate must be in (0, 1]'],
  ['foo:1|g|@', 'sample rate must be in (0, 1]'],
  ['foo:1|c|@0.5:2|c|@2', 'sample rate must be in (0, 1]'],
  [':1|c', 'empty name'],
  ['!!!:1|c', 'empty name'],
  [';a=b:1|c', 'empty name'],
  ['foo:1|c|x', "unknown section 'x'"],
  ['foo:1|c|0.5', "unknown section '0.5'"],
  ['foo;novalue:1|c', "bad tag 'novalue'"],
  ['foo;=v:1|c', "bad tag '=v'"],
  ['foo;k=:1|c', "bad tag 'k='"],
  ['foo;k=!!:1|c', "bad tag 'k=!!'"],
  ['foo:1|c|#!!:v', "bad tag '!!:v'"],
  ['foo:1|c|#a:b|#c:d', 'more than one tag section'],
  ['\x00\x01\x02\xff\xfe:\x00|\x01', "unknown type '\x01'"],
  ['\x00\x01\x02\xff\xfe:1|c', 'empty name'],
  ['\x89PNG\r\n'.slice(0, 5), "no ':'"],
  [`foo:${'x'.repeat(5000)}|s`, 'set member too long'],
];

for (const [line, reason] of badLines) {
  test(`rejects ${JSON.stringify(line.slice(0, 40))} (${reason}) and keeps its neighbours`, () => {
    const out = parse(`before:1|c\n${line}\nafter:2|ms`);
    assert.deepEqual(out.counters, { lines: 3, badLines: 1 });
    assert.deepEqual(out.samples, [c('before', 1), ms('after', 2)]);
    assert.equal(out.bad.length, 1);
    assert.ok(out.bad[0].reason.includes(reason), `reason ${JSON.stringify(out.bad[0].reason)} mentions ${reason}`);
    assert.ok(out.bad[0].line.length <= 203, 'logged line is truncated');
    if (line.length <= 200 && !/[\r\x80-\xff]/.test(line)) assert.equal(out.bad[0].line, line);
  });
}

test('names longer than maxNameLength after normalisation are bad, on both paths', () => {
  const max = 20;
  const exact = 'a'.repeat(20);
  const out = parse(
    [
      `${exact}:1|c`,
      `${exact}b:1|c`,
      `${'a'.repeat(10)}!!!!!!!!!!!!:1|c`, // 22 raw bytes, 10 after sanitising
      `${'a'.repeat(10)}:1|c|#k:vvvvvvvvvv`, // 10 raw, 23 normalised
      `${'a'.repeat(10)};k=vvvvv:1|c`,
    ].join('\n'),
    { maxNameLength: max },
  );
  assert.deepEqual(out.counters, { lines: 5, badLines: 2 });
  assert.deepEqual(out.samples.map((x) => x.name), [exact, 'a'.repeat(10), 'aaaaaaaaaa;k=vvvvv']);
  assert.deepEqual(
    out.bad.map((b) => b.reason),
    ['name too long (max 20 bytes)', 'name too long (max 20 bytes)'],
  );
  assert.throws(() => new StatsdParser({ maxNameLength: 0 }), /maxNameLength/);
  assert.throws(() => new StatsdParser({ maxNameLength: 1.5 }), /maxNameLength/);
});

test('the default name limit is 1024 bytes', () => {
  const out = parse(`${'n'.repeat(1024)}:1|c\n${'n'.repeat(1025)}:1|c`);
  assert.deepEqual(out.counters, { lines: 2, badLines: 1 });
  assert.equal(out.samples.length, 1);
});

test('a bad part makes the whole multi-value line bad', () => {
  for (const line of ['foo:1|c:2|zz', 'foo:1:2:x|ms', 'foo:1|c|@0.5:2|c|@7', 'foo:1|c:2']) {
    const out = parse(line);
    assert.deepEqual(out.samples, [], line);
    assert.deepEqual(out.counters, { lines: 1, badLines: 1 }, line);
  }
});

test('\\r\\n line ends, empty and blank lines are tolerated and not counted', () => {
  const out = parse('\n\r\nfoo:1|c\r\n\r\n  \nbar:2|g\r\n\n');
  assert.deepEqual(out.counters, { lines: 2, badLines: 0 });
  assert.deepEqual(out.samples, [c('foo', 1), g('bar', 2)]);
});

test('a bad line is logged truncated to about 200 characters', () => {
  const out = parse(`${'x'.repeat(500)}`);
  assert.equal(out.bad.length, 1);
  assert.equal(out.bad[0].line, `${'x'.repeat(200)}...`);
  assert.match(out.bad[0].reason, /no ':'/);
});

test('without onBadLine, bad lines are only counted', () => {
  const parser = new StatsdParser();
  const sink = new CollectingSink();
  const counters: ParseCounters = { lines: 0, badLines: 0 };
  const bytes = Buffer.from('foo\nbar:1|c');
  parser.parse(bytes, 0, bytes.length, sink, counters);
  assert.deepEqual(counters, { lines: 2, badLines: 1 });
  assert.deepEqual(sink.samples, [c('bar', 1)]);
});

test('only bytes[start, end) are parsed; the last line needs no newline', () => {
  const bytes = Buffer.from('xx:9|c\nfoo:1|c\nbar:2|c\nyy:9|c');
  const parser = new StatsdParser();
  const sink = new CollectingSink();
  const counters: ParseCounters = { lines: 0, badLines: 0 };
  const start = bytes.indexOf('foo');
  parser.parse(bytes, start, bytes.indexOf('\nyy'), sink, counters);
  assert.deepEqual(sink.samples, [c('foo', 1), c('bar', 2)]);
  parser.parse(bytes, start, start + 'foo:1|c\nbar:2'.length, sink, counters);
  assert.deepEqual(counters, { lines: 4, badLines: 1 }, "'bar:2' cut before its type is a bad line");
});

test('a range that ends inside or right after a name never borrows the bytes past its end', () => {
  const bytes = Buffer.from('abcdefgh:1|c\nxyz\n');
  const cases: [number, string][] = [
    [8, "no ':' after the name"], // 'abcdefgh': the ':' just past the end does not count
    [6, "no ':' after the name"], // the end falls inside a four-byte step of the name
    [9, "missing '|type'"], // 'abcdefgh:'
  ];
  for (const [end, reason] of cases) {
    const bad: string[] = [];
    const parser = new StatsdParser({}, (_line, why) => bad.push(why));
    const counters: ParseCounters = { lines: 0, badLines: 0 };
    parser.parse(bytes, 0, end, new CollectingSink(), counters);
    assert.deepEqual(counters, { lines: 1, badLines: 1 }, `end ${end}`);
    assert.deepEqual(bad, [reason], `end ${end}`);
  }
  const out = parse('name with space\nok:1|c\n  \t\r\nxyz');
  assert.deepEqual(out.counters, { lines: 3, badLines: 2 }, 'a line without a colon ends at its newline');
  assert.deepEqual(out.samples, [c('ok', 1)]);
});

test('counters accumulate over calls; the caller owns them', () => {
  const parser = new StatsdParser();
  const sink = new CollectingSink();
  const counters: ParseCounters = { lines: 10, badLines: 3 };
  const bytes = Buffer.from('a:1|c\nb\nc:2|c');
  parser.parse(bytes, 0, bytes.length, sink, counters);
  parser.parse(bytes, 0, bytes.length, sink, counters);
  assert.deepEqual(counters, { lines: 16, badLines: 5 });
});

test('a 1400-byte datagram of many lines comes through whole and in order', () => {
  const expected: Sample[] = [];
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; ; i++) {
    const name = `app.web-${String(i % 100).padStart(3, '0')}.requests.endpoint_${i % 23}.latency`;
    let line: string;
    let sample: Sample;
    switch (i % 4) {
      case 0:
        line = `${name}:${i}|c`;
        sample = c(name, i);
        break;
      case 1:
        line = `${name}:${i}.25|ms|@0.5`;
        sample = ms(name, i + 0.25, 0.5);
        break;
      case 2:
        line = `${name}:-${i}|g`;
        sample = g(name, -i, GaugeDelta);
        break;
      default:
        line = `${name}:user${i}|s`;
        sample = s(name, `user${i}`);
    }
    if (size + line.length + 1 > 1400) break;
    lines.push(line);
    expected.push(sample);
    size += line.length + 1;
  }
  const datagram = lines.join('\n');
  assert.ok(datagram.length > 1300 && datagram.length <= 1400);
  const out = parse(datagram);
  assert.equal(out.counters.lines, lines.length);
  assert.equal(out.counters.badLines, 0);
  assert.deepEqual(out.samples, expected);
});

test('the parser keeps no state between lines (slow path then fast path)', () => {
  const out = parse('foo;b=2;a=1:1|c|#c:3\nfoo:2|c\nfoo;x=1:3|c\nbar:4|c|#z:1');
  assert.deepEqual(
    out.samples.map((x) => x.name),
    ['foo;a=1;b=2;c=3', 'foo', 'foo;x=1', 'bar;z=1'],
  );
});

test('a line with many tags and many values grows its scratch space', () => {
  const tags = Array.from({ length: 40 }, (_, i) => `t${String(39 - i).padStart(2, '0')}:${i}`);
  const values = Array.from({ length: 100 }, (_, i) => i);
  const out = parse(`foo:${values.join(':')}|ms|#${tags.join(',')}`);
  const name = `foo;${Array.from({ length: 40 }, (_, i) => `t${String(i).padStart(2, '0')}=${39 - i}`).join(';')}`;
  assert.deepEqual(out.samples, values.map((v) => ms(name, v)));
});

test('parseDecimal returns what Number() returns', () => {
  const fixed = [
    '0', '-0', '+0', '1', '-1', '007', '0.1', '0.2', '0.3', '1.1', '3.14159', '2.5e-3', '1e22', '1e23', '9007199254740993',
    '123456789012345', '1234567890123456', '0.000001', '1e-7', '4.9e-324', '1.7976931348623157e308', '5e-324',
    '0.1e1', '100e-2', '.1', '1.', '-.5e+2', '12345.678901234567', '1' + '0'.repeat(30), '0.' + '0'.repeat(30) + '1',
  ];
  const check = (text: string): void => {
    const expected = Number(text);
    const got = parseDecimal(Buffer.from(text), 0, text.length);
    assert.ok(Object.is(got, expected), `${text}: got ${got}, Number() gives ${expected}`);
  };
  for (const text of fixed) check(text);
  let seed = 12345;
  const random = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const digits = (n: number): string => Array.from({ length: n }, () => String(random(10))).join('');
  for (let i = 0; i < 20000; i++) {
    let text = ['', '-', '+'][random(3)] + digits(random(18) + 1);
    if (random(2)) text += `.${digits(random(18))}`;
    if (random(3) === 0) text += `e${['', '-', '+'][random(3)]}${random(40)}`;
    check(text);
  }
  for (const bad of ['', '-', '+', '.', 'e5', '1e', '1e+', '--1', '1..2', '1.2.3', 'NaN', 'Infinity', '0x1', '1 ', ' 1', '1e400']) {
    assert.ok(Number.isNaN(parseDecimal(Buffer.from(bad), 0, bad.length)), `${JSON.stringify(bad)} is not a number`);
  }
});

test('mutated and random bytes never throw, and whatever comes out is well formed', () => {
  let seed = 99;
  const random = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const templates = [
    'app.web-042.requests.endpoint_17.latency:12.5|ms|@0.5',
    'foo;env=prod;app=web:1|c:2|ms',
    'foo:1:2:3|h|#host:web1,env:prod|c:abc|T123',
    'gauge.x:-3|g\r\nset.y:member|s',
  ].map((t) => Buffer.from(t, 'latin1'));
  const alphabet = Buffer.from('abc.:|@#;=,+-e1059 \t\r\n/\x00\xff', 'latin1');
  const parser = new StatsdParser({ maxNameLength: 64 });
  const sink = new CollectingSink();
  const counters: ParseCounters = { lines: 0, badLines: 0 };
  for (let round = 0; round < 5000; round++) {
    const template = templates[random(templates.length)];
    const bytes = Buffer.from(template);
    const mutations = random(4);
    for (let m = 0; m < mutations; m++) {
      bytes[random(bytes.length)] = random(3) === 0 ? random(256) : alphabet[random(alphabet.length)];
    }
    const noise = new Uint8Array(random(3) === 0 ? random(100) : 0);
    for (let i = 0; i < noise.length; i++) noise[i] = random(256);
    const datagram = Buffer.concat([bytes, Buffer.from('\n'), noise]);
    parser.parse(datagram, 0, datagram.length, sink, counters);
  }
  assert.ok(counters.badLines > 100 && counters.badLines < counters.lines);
  assert.ok(sink.samples.length > 1000, 'most lightly mutated lines are still valid');
  for (const sample of sink.samples) {
    assert.match(sample.name, /^[A-Za-z0-9_.-]+(;[A-Za-z0-9_.-]+=[A-Za-z0-9_.-]+)*$/);
    assert.ok(sample.name.length <= 64);
    assert.ok(Number.isFinite(sample.value));
    assert.ok(sample.rate > 0 && sample.rate <= 1);
  }
});
