/**
 * graphite-web's `format=pickle` render output, byte for byte: the list of `series.getInfo()`
 * dicts, pickled with `pickle.dump(seriesInfo, response, protocol=-1)` by Python 3 (protocol 5 on
 * Python 3.8+, as graphite-web 1.1 runs on). Only what that list needs is written: lists, dicts,
 * str, int, float and None, with CPython's framing (64 KiB frames), memo and batching (1000 items
 * per APPENDS/SETITEMS), so the bytes equal CPython's `_pickle` output for the same objects.
 */
import { concatBytes } from './concat-bytes.js';

/** One series as graphite-web's TimeSeries.getInfo() describes it. */
export interface SeriesInfo {
  name: string;
  /**
   * The path expression the series was fetched with (shared by every series of that fetch).
   * Absent for computed series, where graphite-web sets it to the name itself.
   */
  pathExpression?: string;
  start: number;
  end: number;
  step: number;
  /** NaN is None. */
  values: Float64Array;
  /** 1 unless the series was consolidated for a graph. */
  valuesPerPoint?: number;
  /** graphite-web's default is 'average'. */
  consolidationFunc?: string;
  /** graphite-web's default (DEFAULT_XFILES_FACTOR) is 0. */
  xFilesFactor?: number;
}

const PROTOCOL = 5;
const FRAME_SIZE_TARGET = 64 * 1024;
const FRAME_SIZE_MIN = 4;
const FRAME_HEADER_SIZE = 9;
const BATCH_SIZE = 1000;

const Op = {
  PROTO: 0x80,
  FRAME: 0x95,
  STOP: 0x2e,
  MARK: 0x28,
  EMPTY_LIST: 0x5d,
  APPEND: 0x61,
  APPENDS: 0x65,
  EMPTY_DICT: 0x7d,
  SETITEM: 0x73,
  SETITEMS: 0x75,
  NONE: 0x4e,
  BINFLOAT: 0x47,
  BININT: 0x4a,
  BININT1: 0x4b,
  BININT2: 0x4d,
  LONG1: 0x8a,
  SHORT_BINUNICODE: 0x8c,
  BINUNICODE: 0x58,
  MEMOIZE: 0x94,
  BINGET: 0x68,
  LONG_BINGET: 0x6a,
} as const;

/** The pickle in pieces (one per committed frame), so a large answer is never one buffer. */
export function* renderPicklePieces(series: readonly SeriesInfo[]): Generator<Uint8Array> {
  const w = new PickleWriter();
  w.header();
  // save(list)
  w.boundary();
  w.op(Op.EMPTY_LIST);
  w.memoize();
  if (series.length === 1) {
    w.saveSeries(series[0]);
    yield* w.take();
    w.op(Op.APPEND);
  } else if (series.length > 1) {
    for (let i = 0; i < series.length; ) {
      w.op(Op.MARK);
      const end = Math.min(series.length, i + BATCH_SIZE);
      for (; i < end; i++) {
        w.saveSeries(series[i]);
        yield* w.take();
      }
      w.op(Op.APPENDS);
    }
  }
  w.op(Op.STOP);
  w.commitFrame();
  yield* w.take(true);
}

/** The whole pickle; for tests and small answers. */
export function renderPickle(series: readonly SeriesInfo[]): Uint8Array {
  return concatBytes([...renderPicklePieces(series)]);
}

const utf8 = new TextEncoder();

/**
 * A pickler for exactly the getInfo() list. CPython memoizes by object identity; which strings are
 * the same object in graphite-web is known: the dict keys (literals), the consolidation function
 * name and a fetch's path expression are shared, each name is its own object, and a computed
 * series' path expression is its name. Those are memoized by value in separate tables to match.
 */
class PickleWriter {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  private len = 0;
  /** Where the open frame's header is, or -1 outside a frame. */
  private frameStart = -1;
  private framing = false;
  /** Bytes before this offset are complete (committed frames) and can be handed out. */
  private committed = 0;
  private memoCount = 0;
  private readonly sharedMemo = new Map<string, number>();
  private readonly pathMemo = new Map<string, number>();

  header(): void {
    this.op(Op.PROTO);
    this.byte(PROTOCOL);
    this.framing = true;
  }

  /** Committed bytes; all of them when final. */
  *take(final = false): Generator<Uint8Array> {
    const upTo = final ? this.len : this.committed;
    if (upTo === 0) return;
    yield this.buf.slice(0, upTo);
    this.buf.copyWithin(0, upTo, this.len);
    this.len -= upTo;
    if (this.frameStart >= 0) this.frameStart -= upTo;
    this.committed = 0;
  }

  saveSeries(s: SeriesInfo): void {
    this.boundary();
    this.op(Op.EMPTY_DICT);
    this.memoize();
    this.op(Op.MARK);
    this.sharedString('name');
    const nameMemo = this.freshString(s.name);
    this.sharedString('start');
    this.int(s.start);
    this.sharedString('end');
    this.int(s.end);
    this.sharedString('step');
    this.int(s.step);
    this.sharedString('values');
    this.values(s.values);
    this.sharedString('pathExpression');
    if (s.pathExpression === undefined) {
      this.boundary();
      this.get(nameMemo);
    } else this.memoString(s.pathExpression, this.pathMemo);
    this.sharedString('valuesPerPoint');
    this.int(s.valuesPerPoint ?? 1);
    this.sharedString('consolidationFunc');
    this.sharedString(s.consolidationFunc ?? 'average');
    this.sharedString('xFilesFactor');
    if (s.xFilesFactor === undefined) this.int(0);
    else this.value(s.xFilesFactor);
    this.op(Op.SETITEMS);
  }

  private values(values: Float64Array): void {
    this.boundary();
    this.op(Op.EMPTY_LIST);
    this.memoize();
    if (values.length === 1) {
      this.value(values[0]);
      this.op(Op.APPEND);
      return;
    }
    for (let i = 0; i < values.length; ) {
      this.op(Op.MARK);
      const end = Math.min(values.length, i + BATCH_SIZE);
      for (; i < end; i++) this.value(values[i]);
      this.op(Op.APPENDS);
    }
  }

  private value(v: number): void {
    this.boundary();
    if (v !== v) {
      this.op(Op.NONE);
      return;
    }
    this.ensure(9);
    this.buf[this.len++] = Op.BINFLOAT;
    this.view.setFloat64(this.len, v);
    this.len += 8;
  }

  /** CPython's save_long: BININT1/BININT2/BININT within int32, else LONG1. */
  private int(v: number): void {
    this.boundary();
    if (v >= 0 && v <= 0xff) {
      this.op(Op.BININT1);
      this.byte(v);
    } else if (v >= 0 && v <= 0xffff) {
      this.op(Op.BININT2);
      this.byte(v & 0xff);
      this.byte(v >>> 8);
    } else if (v >= -0x80000000 && v <= 0x7fffffff) {
      this.ensure(5);
      this.buf[this.len++] = Op.BININT;
      this.view.setInt32(this.len, v, true);
      this.len += 4;
    } else {
      const bytes = longBytes(BigInt(v));
      this.op(Op.LONG1);
      this.byte(bytes.length);
      this.bytes(bytes);
    }
  }

  /** A string graphite-web writes as one shared object: memoized once, then referenced. */
  private sharedString(text: string): void {
    this.memoString(text, this.sharedMemo);
  }

  private memoString(text: string, memo: Map<string, number>): void {
    const known = memo.get(text);
    if (known !== undefined) {
      this.boundary();
      this.get(known);
      return;
    }
    memo.set(text, this.freshString(text));
  }

  /** Writes a string as a new object; returns its memo index. */
  private freshString(text: string): number {
    this.boundary();
    const encoded = utf8.encode(text);
    if (encoded.length <= 0xff) {
      this.op(Op.SHORT_BINUNICODE);
      this.byte(encoded.length);
    } else {
      this.ensure(5);
      this.buf[this.len++] = Op.BINUNICODE;
      this.view.setUint32(this.len, encoded.length, true);
      this.len += 4;
    }
    this.bytes(encoded);
    return this.memoize();
  }

  private get(index: number): void {
    if (index < 256) {
      this.op(Op.BINGET);
      this.byte(index);
    } else {
      this.ensure(5);
      this.buf[this.len++] = Op.LONG_BINGET;
      this.view.setUint32(this.len, index, true);
      this.len += 4;
    }
  }

  memoize(): number {
    this.op(Op.MEMOIZE);
    return this.memoCount++;
  }

  /** CPython checks at the start of every save() whether the open frame is full, and commits it. */
  boundary(): void {
    if (this.frameStart >= 0 && this.len - this.frameStart - FRAME_HEADER_SIZE >= FRAME_SIZE_TARGET) this.commitFrame();
  }

  commitFrame(): void {
    if (this.frameStart < 0) return;
    const frameLength = this.len - this.frameStart - FRAME_HEADER_SIZE;
    if (frameLength >= FRAME_SIZE_MIN) {
      this.buf[this.frameStart] = Op.FRAME;
      this.view.setBigUint64(this.frameStart + 1, BigInt(frameLength), true);
    } else {
      this.buf.copyWithin(this.frameStart, this.frameStart + FRAME_HEADER_SIZE, this.len);
      this.len -= FRAME_HEADER_SIZE;
    }
    this.frameStart = -1;
    this.committed = this.len;
  }

  op(code: number): void {
    this.byte(code);
  }

  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  private bytes(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  /** Room for n more bytes, opening a frame first when framing and none is open (CPython's _Pickler_Write). */
  private ensure(n: number): void {
    const openFrame = this.framing && this.frameStart < 0;
    const need = this.len + n + (openFrame ? FRAME_HEADER_SIZE : 0);
    if (need > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < need) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.buf.subarray(0, this.len));
      this.buf = grown;
      this.view = new DataView(grown.buffer);
    }
    if (openFrame) {
      this.frameStart = this.len;
      this.len += FRAME_HEADER_SIZE;
    }
  }
}

/** Python's encode_long: little-endian two's complement, as few bytes as keep the sign. */
function longBytes(x: bigint): Uint8Array {
  if (x === 0n) return new Uint8Array(0);
  const bits = (x < 0n ? -x - 1n : x).toString(2).length;
  const n = Math.floor(bits / 8) + 1;
  const out = new Uint8Array(n);
  let v = BigInt.asUintN(n * 8, x);
  for (let i = 0; i < n; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}
