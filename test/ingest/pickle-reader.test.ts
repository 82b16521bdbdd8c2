import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PickleError, PickleFrameSplitter, decodeCarbonPickle, readPickle } from '../../src/ingest/pickle-reader.js';
import { recordingSink } from '../support/recording-sink.js';

const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));

// Expected bytes made with CPython 3.11:
//   pickle.dumps([('a.b', (1700000000, 1.5)), ('c;x=y', (1700000001, -2))], protocol=P)
const CARBON_DATA = [
  ['a.b', [1700000000, 1.5]],
  ['c;x=y', [1700000001, -2]],
];
const BY_PROTOCOL: Record<number, string> = {
  0: '286c70300a2856612e620a70310a2849313730303030303030300a46312e350a7470320a7470330a612856633b783d790a70340a2849313730303030303030310a492d320a7470350a7470360a612e',
  1: '5d710028285803000000612e627101284a00f15365473ff8000000000000747102747103285805000000633b783d797104284a01f153654afeffffff747105747106652e',
  2: '80025d7100285803000000612e6271014a00f15365473ff80000000000008671028671035805000000633b783d7971044a01f153654afeffffff867105867106652e',
  3: '80035d7100285803000000612e6271014a00f15365473ff80000000000008671028671035805000000633b783d7971044a01f153654afeffffff867105867106652e',
  4: '80049533000000000000005d94288c03612e62944a00f15365473ff8000000000000869486948c05633b783d79944a01f153654afeffffff86948694652e',
  5: '80059533000000000000005d94288c03612e62944a00f15365473ff8000000000000869486948c05633b783d79944a01f153654afeffffff86948694652e',
};

test('carbon data pickled by CPython with protocols 0 to 5', () => {
  for (const [protocol, bytes] of Object.entries(BY_PROTOCOL)) {
    assert.deepEqual(readPickle(hex(bytes)), CARBON_DATA, `protocol ${protocol}`);
  }
});

test('Python 2 pickles: STRING with escapes (protocol 0), SHORT_BINSTRING and BINSTRING (protocol 2)', () => {
  // Hand-made as Python 2 writes str; CPython 3 loads them (encoding='utf-8') as shown.
  const py2Text = hex(
    '286c70300a285327612e62270a70310a2849313730303030303030300a46312e350a7470320a7470330a61285327635c7834315c6e5c275c3130315c5c270a70340a2849313730303030303030310a492d320a7470350a7470360a612e',
  );
  assert.deepEqual(readPickle(py2Text), [
    ['a.b', [1700000000, 1.5]],
    ["cA\n'A\\", [1700000001, -2]],
  ]);
  const py2Binary = hex(
    '80025d7100285503612e6271014a00f15365473ff80000000000008671028671035405000000633b783d7971044a01f153654afeffffff867105867106652e',
  );
  assert.deepEqual(readPickle(py2Binary), CARBON_DATA);
});

test('integers, floats, None, booleans and tuples of every size', () => {
  // [2**40, -2**40, 2**70, -5, 0, 255, 65535, 65536, -1] with protocols 0 (INT, LONG) and 2 (BININT*, LONG1)
  const ints = [2 ** 40, -(2 ** 40), 2n ** 70n, -5, 0, 255, 65535, 65536, -1];
  assert.deepEqual(
    readPickle(hex('286c70300a4c313039393531313632373737364c0a614c2d313039393531313632373737364c0a614c313138303539313632303731373431313330333432344c0a61492d350a6149300a61493235350a614936353533350a614936353533360a61492d310a612e')),
    ints,
  );
  assert.deepEqual(readPickle(hex('80025d7100288a060000000000018a060000000000ff8a090000000000000000404afbffffff4b004bff4dffff4a000001004affffffff652e')), ints);
  // [nan, inf, -inf, 1e300, -0.0], protocol 0
  const floats = readPickle(hex('286c70300a466e616e0a6146696e660a61462d696e660a614631652b3330300a61462d302e300a612e')) as number[];
  assert.ok(Number.isNaN(floats[0]));
  assert.deepEqual(floats.slice(1), [Infinity, -Infinity, 1e300, -0]);
  // [None, True, False, (), (1,), (1,2,3), (1,2,3,4), []]
  const misc = [null, true, false, [], [1], [1, 2, 3], [1, 2, 3, 4], []];
  assert.deepEqual(readPickle(hex('80025d7100284e8889294b018571014b014b024b03877102284b014b024b034b047471035d7104652e')), misc);
  assert.deepEqual(
    readPickle(hex('286c70300a4e614930310a614930300a612874612849310a7470310a612849310a49320a49330a7470320a612849310a49320a49330a49340a7470330a61286c70340a612e')),
    misc,
  );
});

test('unicode (UNICODE raw-unicode-escape, SHORT_BINUNICODE, BINUNICODE) and bytes', () => {
  const text = '\u00e9\\n;\n\u20ac\u{1F600}';
  assert.deepEqual(readPickle(hex('286c70300a56e95c75303035636e3b5c75303030615c75323061635c5530303031663630300a70310a612e')), [text]);
  const long = `80049547010000000000005d94288c0dc3a95c6e3b0ae282acf09f988094582c010000${'78'.repeat(300)}94652e`;
  assert.deepEqual(readPickle(hex(long)), [text, 'x'.repeat(300)]);
  // [b'a.b', b'\x00\xff' * 200], protocol 3 (SHORT_BINBYTES, BINBYTES)
  const bytes = readPickle(hex(`80035d7100284303612e6271014290010000${'00ff'.repeat(200)}7102652e`)) as Uint8Array[];
  assert.deepEqual(bytes[0], new TextEncoder().encode('a.b'));
  assert.equal(bytes[1].length, 400);
  assert.equal(bytes[1][1], 0xff);
});

test('memo references: a shared tuple comes back through BINGET', () => {
  // dp = (1, 2.0); [('a', dp), ('b', dp), ('a', dp)], protocol 2
  const value = readPickle(hex('80025d71002858010000006171014b014740000000000000008671028671035801000000627104680286710568016802867106652e'));
  assert.deepEqual(value, [['a', [1, 2]], ['b', [1, 2]], ['a', [1, 2]]]);
});

function assertRefused(bytes: Uint8Array, message: RegExp, offset?: number): void {
  assert.throws(
    () => readPickle(bytes),
    (err: unknown) => err instanceof PickleError && message.test(err.message) && (offset === undefined || err.offset === offset),
    `${Buffer.from(bytes).toString('hex')} should fail with ${message}`,
  );
}

test('code-execution gadgets are refused by opcode name and offset', () => {
  // class G: __reduce__ = lambda self: (os.system, ('echo pwned',)), pickled with protocols 0, 2, 4
  assertRefused(hex('63706f7369780a73797374656d0a70300a28566563686f2070776e65640a70310a7470320a5270330a2e'), /GLOBAL \(0x63\) is not allowed at offset 0/, 0);
  assertRefused(hex('800263706f7369780a73797374656d0a7100580a0000006563686f2070776e656471018571025271032e'), /GLOBAL/, 2);
  assertRefused(hex('80049525000000000000008c05706f736978948c0673797374656d9493948c0a6563686f2070776e656494859452942e'), /STACK_GLOBAL \(0x93\)/, 28);
  // The same gadget inside a carbon-shaped list.
  assertRefused(hex('80049532000000000000005d948c0161944b018c05706f736978948c0673797374656d9493948c0a6563686f2070776e6564948594529486948694612e'), /STACK_GLOBAL/);
});

test('every opcode outside the allowed set is refused', () => {
  const refused: [number, string][] = [
    [0x52, 'REDUCE'], [0x62, 'BUILD'], [0x69, 'INST'], [0x6f, 'OBJ'], [0x81, 'NEWOBJ'], [0x92, 'NEWOBJ_EX'],
    [0x82, 'EXT1'], [0x83, 'EXT2'], [0x84, 'EXT4'], [0x50, 'PERSID'], [0x51, 'BINPERSID'],
    [0x7d, 'EMPTY_DICT'], [0x64, 'DICT'], [0x73, 'SETITEM'], [0x75, 'SETITEMS'], [0x8f, 'EMPTY_SET'],
    [0x90, 'ADDITEMS'], [0x91, 'FROZENSET'], [0x96, 'BYTEARRAY8'], [0x97, 'NEXT_BUFFER'], [0x98, 'READONLY_BUFFER'],
    [0x30, 'POP'], [0x31, 'POP_MARK'], [0x32, 'DUP'], [0x63, 'GLOBAL'], [0x93, 'STACK_GLOBAL'],
  ];
  for (const [op, name] of refused) {
    assertRefused(Uint8Array.from([0x80, 0x02, 0x28, op, 0x2e]), new RegExp(`opcode ${name} \\(0x${op.toString(16)}\\) is not allowed`), 3);
  }
  assertRefused(Uint8Array.from([0x80, 0x02, 0xff, 0x2e]), /unknown pickle opcode 0xff/, 2);
  assertRefused(Uint8Array.from([0x80, 0x06, 0x4e, 0x2e]), /unsupported pickle protocol 6/, 0);
  // Dicts (what a CPython pickle of [{'a': 1}] starts with) and recursive lists (l = []; l.append(l)).
  assertRefused(hex('80025d71007d710158010000006171024b0173612e'), /EMPTY_DICT/, 5);
  assertRefused(hex('80025d71006800612e'), /still being built/, 5);
});

test('truncated pickles are refused with a PickleError at every cut', () => {
  for (const bytes of Object.values(BY_PROTOCOL).map(hex)) {
    for (let cut = 0; cut < bytes.length; cut++) {
      assert.throws(() => readPickle(bytes.subarray(0, cut)), PickleError, `cut at ${cut}`);
    }
  }
});

test('length fields running past the buffer are refused before anything is read', () => {
  assertRefused(Uint8Array.from([0x58, 0xff, 0xff, 0xff, 0xff, 0x61, 0x2e]), /BINUNICODE argument runs past the end/, 0);
  assertRefused(Uint8Array.from([0x8d, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x61]), /BINUNICODE8 argument runs past the end/, 0);
  assertRefused(Uint8Array.from([0x80, 0x04, 0x95, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0x4e, 0x2e]), /FRAME runs past the end/, 2);
  assertRefused(Uint8Array.from([0x54, 0xff, 0xff, 0xff, 0xff, 0x2e]), /negative byte count/, 0);
  assertRefused(Uint8Array.from([0x8b, 0x00, 0x10, 0x00, 0x00, 0x2e]), /integer longer than/, 0);
  assertRefused(Uint8Array.from([0x53, 0x27, 0x61]), /no end of line/, 0);
  assertRefused(Uint8Array.from([0x8c, 0x02, 0xc3, 0x28, 0x2e]), /not valid UTF-8/, 0);
  assertRefused(Uint8Array.from([0x68, 0x07, 0x2e]), /memo entry 7 does not exist/, 0);
  assertRefused(Uint8Array.from([0x61, 0x2e]), /APPEND needs 1 value/, 0);
  assertRefused(Uint8Array.from([0x4e, 0x61, 0x2e]), /APPEND to something that is not a list being built/, 1);
  assertRefused(Uint8Array.from([0x29, 0x4e, 0x61, 0x2e]), /APPEND to something that is not a list being built/, 2);
  assertRefused(Uint8Array.from([0x74, 0x2e]), /TUPLE without a MARK/, 0);
  assertRefused(Uint8Array.from([0x2e]), /STOP with nothing to return/, 0);
  assertRefused(Uint8Array.from([0x4e]), /ends without STOP/, 1);
});

test('nesting deeper than the limit is refused; up to the limit is read', () => {
  const nestedLists = (depth: number) => Uint8Array.from([...Array(depth).fill(0x5d), ...Array(depth - 1).fill(0x61), 0x2e]);
  const nestedTuples = (depth: number) => Uint8Array.from([0x29, ...Array(depth - 1).fill(0x85), 0x2e]);
  const markTuples = (depth: number) => Uint8Array.from([...Array(depth).fill(0x28), ...Array(depth).fill(0x74), 0x2e]);
  for (const build of [nestedLists, nestedTuples, markTuples]) {
    let value = readPickle(build(1000));
    let depth = 0;
    while (Array.isArray(value)) {
      depth++;
      value = value[0];
    }
    assert.equal(depth, 1000);
    assertRefused(build(1001), /nested deeper than 1000/);
  }
  assert.throws(() => readPickle(nestedLists(11), { maxDepth: 10 }), /nested deeper than 10/);
  assertRefused(Uint8Array.from([...Array(1001).fill(0x28), 0x2e]), /MARKs nested deeper than 1000/, 1000);
  // A list memoised while empty keeps its final depth when fetched back: L = [[[]]], (L,), ((L,),)
  const viaMemo = Uint8Array.from([0x5d, 0x71, 0x00, 0x5d, 0x5d, 0x61, 0x61, 0x85, 0x68, 0x00, 0x85, 0x85, 0x2e]);
  assert.deepEqual(readPickle(viaMemo), [[[[[]]]]]);
  assert.throws(() => readPickle(viaMemo, { maxDepth: 4 }), /nested deeper than 4/);
});

interface Decoded {
  points: [string, number, number][];
  bad: [number, string][];
  counters: { lines: number; badLines: number };
}

function decode(h: string): Decoded {
  const result: Decoded = { points: [], bad: [], counters: { lines: 0, badLines: 0 } };
  decodeCarbonPickle(hex(h), recordingSink((n, v, t) => result.points.push([n, v, t])), result.counters, () => 1_800_000_000, {
    onBadEntry: (i, reason) => result.bad.push([i, reason]),
  });
  return result;
}

test('decodeCarbonPickle feeds points and normalises tagged names', () => {
  const r = decode(BY_PROTOCOL[2]);
  assert.deepEqual(r.points, [
    ['a.b', 1.5, 1700000000],
    ['c;x=y', -2, 1700000001],
  ]);
  assert.deepEqual(r.counters, { lines: 2, badLines: 0 });
  // [('a', ('1700000000', ' 2.5 ')), ('b', (1700000000.9, 3)), ('c', [1700000000, 4])]: strings, floats and lists as carbon's float() takes them.
  const loose = decode('80025d7100285801000000617101580a000000313730303030303030307102580500000020322e3520710386710486710558010000006271064741d954fc4039999a4b0386710786710858010000006371095d710a284a00f153654b046586710b652e');
  assert.deepEqual(loose.points, [
    ['a', 2.5, 1700000000],
    ['b', 3, 1700000000],
    ['c', 4, 1700000000],
  ]);
});

test('decodeCarbonPickle counts each bad entry and keeps the good ones', () => {
  // [('a', (1, 2)), ('b',), 'c', ('d', (1,)), (5, (1, 2)), ('e', (None, 1)), ('f', (1, 'x')), ('g', (-5, 1)),
  //  ('h', (-1, 7)), ('i;=x', (1, 1)), ('j', (2**40, 1)), ('k', (1, nan)), ('l', (1, True))], protocol 2
  const r = decode(
    '80025d71002858010000006171014b014b028671028671035801000000627104857105580100000063710658010000006471074b018571088671094b05680286710a580100000065710b4e4b0186710c86710d580100000066710e4b01580100000078710f86711086711158010000006771124afbffffff4b0186711386711458010000006871154affffffff4b078671168671175804000000693b3d7871184b014b0186711986711a58010000006a711b8a060000000000014b0186711c86711d58010000006b711e4b01477ff800000000000086711f86712058010000006c71214b0188867122867123652e',
  );
  assert.deepEqual(r.points, [
    ['a', 2, 1],
    ['h', 7, 1_800_000_000],
    ['l', 1, 1],
  ]);
  assert.deepEqual(r.counters, { lines: 13, badLines: 10 });
  assert.deepEqual(
    r.bad.map(([i]) => i),
    [1, 2, 3, 4, 5, 6, 7, 9, 10, 11],
  );
  assert.match(r.bad[0][1], /not \(path, \(timestamp, value\)\)/);
  assert.match(r.bad[3][1], /path is not a string/);
  assert.match(r.bad[4][1], /timestamp is not a number/);
  assert.match(r.bad[5][1], /value is not a finite number/);
  assert.match(r.bad[6][1], /negative timestamp/);
  assert.match(r.bad[7][1], /invalid tag segment/);
  assert.match(r.bad[8][1], /past 2106/);
});

test('decodeCarbonPickle refuses a frame that is not a list, or not a pickle', () => {
  assert.throws(() => decode('4b012e'), /must hold a list/); // the int 1
  assert.throws(() => decode('80025d71002e00'.slice(0, 6)), PickleError);
  const long = decode(`80025d2858${'05000000'}${Buffer.from('x'.repeat(5)).toString('hex')}4b014b018686652e`);
  assert.equal(long.points.length, 1);
  const limited = { lines: 0, badLines: 0 };
  decodeCarbonPickle(hex(`80025d2858${'05000000'}${Buffer.from('x'.repeat(5)).toString('hex')}4b014b018686652e`), recordingSink(() => {}), limited, () => 0, { maxNameLength: 4 });
  assert.deepEqual(limited, { lines: 1, badLines: 1 });
});

function frame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  new DataView(out.buffer).setUint32(0, payload.length, false);
  out.set(payload, 4);
  return out;
}

test('PickleFrameSplitter: several frames per chunk, frames split at every byte', () => {
  const payloads = Object.values(BY_PROTOCOL).map(hex);
  const stream = Buffer.concat(payloads.map(frame));
  const whole = new PickleFrameSplitter();
  const got: Uint8Array[] = [];
  assert.equal(whole.push(stream, (f) => got.push(new Uint8Array(f))), null);
  assert.deepEqual(got, payloads);
  assert.equal(whole.buffered, 0);

  for (const size of [1, 3, 7, 50]) {
    const splitter = new PickleFrameSplitter();
    const frames: unknown[] = [];
    for (let i = 0; i < stream.length; i += size) {
      assert.equal(splitter.push(stream.subarray(i, i + size), (f) => frames.push(readPickle(f))), null);
    }
    assert.equal(frames.length, payloads.length, `chunks of ${size}`);
    for (const value of frames) assert.deepEqual(value, CARBON_DATA);
    assert.equal(splitter.buffered, 0);
  }
});

test('PickleFrameSplitter hands whole frames out without copying, and holds partial ones', () => {
  const payload = hex(BY_PROTOCOL[2]);
  const chunk = Buffer.concat([frame(payload), frame(payload).subarray(0, 10)]);
  const splitter = new PickleFrameSplitter();
  const seen: Uint8Array[] = [];
  splitter.push(chunk, (f) => seen.push(f));
  assert.equal(seen.length, 1);
  assert.equal(seen[0].buffer, chunk.buffer);
  assert.equal(splitter.buffered, 10);
});

test('PickleFrameSplitter refuses a frame over the limit, for good', () => {
  const splitter = new PickleFrameSplitter(100);
  const big = frame(new Uint8Array(101));
  let frames = 0;
  const error = splitter.push(frame(new Uint8Array(100)).subarray(0, 4), () => frames++);
  assert.equal(error, null);
  const splitter2 = new PickleFrameSplitter(100);
  assert.match(splitter2.push(big.subarray(0, 4), () => frames++) ?? '', /101 bytes is larger than the 100-byte limit/);
  assert.match(splitter2.push(frame(new Uint8Array(1)), () => frames++) ?? '', /larger than the 100-byte limit/);
  assert.equal(frames, 0);
  assert.equal(splitter2.buffered, 0);
});

test('randomly corrupted pickles only ever fail with PickleError', () => {
  const seeds = Object.values(BY_PROTOCOL).map(hex);
  let state = 12345;
  const random = (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return state % n;
  };
  for (let round = 0; round < 20_000; round++) {
    const bytes = Uint8Array.from(seeds[round % seeds.length]);
    for (let flips = 1 + random(3); flips > 0; flips--) bytes[random(bytes.length)] = random(256);
    try {
      decodeCarbonPickle(bytes, recordingSink(() => {}), { lines: 0, badLines: 0 }, () => 0);
    } catch (err) {
      if (!(err instanceof PickleError)) assert.fail(`${Buffer.from(bytes).toString('hex')}: ${String(err)}`);
    }
  }
});
