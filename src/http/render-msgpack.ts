/**
 * graphite-web's `format=msgpack` render output, byte for byte: the list of `series.getInfo()`
 * dicts packed by msgpack-python (`msgpack.dump(seriesInfo, response, use_bin_type=True)`).
 *
 * Written here rather than with msgpackr's packer because the bytes must be msgpack-python's:
 * Python floats are always float64 (`0xcb`), even when integral (msgpackr packs 1.0 as the int 1),
 * dicts use fixmap (msgpackr's default is map16), and ints take the smallest uint/int form.
 */
import { concatBytes } from './concat-bytes.js';
import type { SeriesInfo } from './render-pickle.js';

/** The msgpack answer in pieces, one per series. */
export function* renderMsgpackPieces(series: readonly SeriesInfo[]): Generator<Uint8Array> {
  const head = new MsgpackWriter(8);
  head.arrayHeader(series.length);
  yield head.finish();
  for (const s of series) {
    const w = new MsgpackWriter(256 + s.values.length * 9);
    w.mapHeader(9);
    w.string('name');
    w.string(s.name);
    w.string('start');
    w.int(s.start);
    w.string('end');
    w.int(s.end);
    w.string('step');
    w.int(s.step);
    w.string('values');
    w.arrayHeader(s.values.length);
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i];
      if (v !== v) w.nil();
      else w.float64(v);
    }
    w.string('pathExpression');
    w.string(s.pathExpression ?? s.name);
    w.string('valuesPerPoint');
    w.int(s.valuesPerPoint ?? 1);
    w.string('consolidationFunc');
    w.string(s.consolidationFunc ?? 'average');
    w.string('xFilesFactor');
    if (s.xFilesFactor === undefined) w.int(0);
    else w.float64(s.xFilesFactor);
    yield w.finish();
  }
}

/** The whole answer; for tests and small answers. */
export function renderMsgpack(series: readonly SeriesInfo[]): Uint8Array {
  return concatBytes([...renderMsgpackPieces(series)]);
}

const utf8 = new TextEncoder();

class MsgpackWriter {
  private buf: Uint8Array;
  private view: DataView;
  private len = 0;

  constructor(capacity: number) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  nil(): void {
    this.ensure(1);
    this.buf[this.len++] = 0xc0;
  }

  float64(v: number): void {
    this.ensure(9);
    this.buf[this.len++] = 0xcb;
    this.view.setFloat64(this.len, v);
    this.len += 8;
  }

  /** msgpack-python's int forms: fixint, uint8/16/32/64 for non-negative, int8/16/32/64 below. */
  int(v: number): void {
    this.ensure(9);
    if (v >= 0) {
      if (v < 0x80) this.buf[this.len++] = v;
      else if (v < 0x100) this.put(0xcc, 1, v);
      else if (v < 0x10000) this.put(0xcd, 2, v);
      else if (v < 0x100000000) this.put(0xce, 4, v);
      else this.put(0xcf, 8, v);
    } else if (v >= -32) {
      this.buf[this.len++] = 0x100 + v;
    } else if (v >= -0x80) this.put(0xd0, 1, v);
    else if (v >= -0x8000) this.put(0xd1, 2, v);
    else if (v >= -0x80000000) this.put(0xd2, 4, v);
    else this.put(0xd3, 8, v);
  }

  string(text: string): void {
    const bytes = utf8.encode(text);
    const n = bytes.length;
    this.ensure(5 + n);
    if (n < 32) this.buf[this.len++] = 0xa0 | n;
    else if (n < 0x100) this.put(0xd9, 1, n);
    else if (n < 0x10000) this.put(0xda, 2, n);
    else this.put(0xdb, 4, n);
    this.buf.set(bytes, this.len);
    this.len += n;
  }

  arrayHeader(n: number): void {
    this.ensure(5);
    if (n < 16) this.buf[this.len++] = 0x90 | n;
    else if (n < 0x10000) this.put(0xdc, 2, n);
    else this.put(0xdd, 4, n);
  }

  mapHeader(n: number): void {
    this.ensure(5);
    if (n < 16) this.buf[this.len++] = 0x80 | n;
    else if (n < 0x10000) this.put(0xde, 2, n);
    else this.put(0xdf, 4, n);
  }

  /** A type byte and a big-endian number of `size` bytes. */
  private put(type: number, size: 1 | 2 | 4 | 8, v: number): void {
    this.buf[this.len++] = type;
    if (size === 1) this.buf[this.len] = v & 0xff;
    else if (size === 2) this.view.setUint16(this.len, v & 0xffff);
    else if (size === 4) this.view.setUint32(this.len, v >>> 0);
    else this.view.setBigUint64(this.len, BigInt.asUintN(64, BigInt(v)));
    this.len += size;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.len));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }
}
