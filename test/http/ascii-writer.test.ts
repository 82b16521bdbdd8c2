import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AsciiWriter, MAX_INTEGER_BYTES, writeDigits, writeInteger } from '../../src/http/ascii-writer.js';

/** What `write` puts in a buffer, checking it returns the position right after it. */
function written(write: (bytes: Uint8Array, at: number) => number): string {
  const bytes = new Uint8Array(64).fill(0xff);
  const end = write(bytes, 3);
  assert.ok(bytes.subarray(3, end).every((b) => b < 0x80), 'ASCII only, and nothing left unwritten');
  assert.equal(bytes[end], 0xff, 'nothing written past the returned position');
  return Buffer.from(bytes.subarray(3, end)).toString('latin1');
}

describe('writeInteger', () => {
  it('writes integers as String() does', () => {
    const cases = [0, -0, 7, -7, 10, 99, 100, 99_999_999, 100_000_000, 100_000_001, 1_700_000_000, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 1e15 + 7, 2 ** 53 - 1, -(2 ** 53 - 1)];
    for (const value of cases) assert.equal(written((bytes, at) => writeInteger(bytes, at, value)), String(value), `${value}`);
  });

  it('falls back to String() for numbers that are not safe integers', () => {
    for (const value of [2 ** 53, 1e21, -1.2345678901234568e300, 1.5, -0.25, NaN, Infinity]) {
      const text = written((bytes, at) => writeInteger(bytes, at, value));
      assert.equal(text, String(value));
      assert.ok(text.length <= MAX_INTEGER_BYTES);
    }
  });
});

describe('writeDigits', () => {
  it('writes digits with a decimal point before the last fractionDigits', () => {
    const cases: Array<[number, number, string]> = [
      [12375, 3, '12.375'],
      [5, 2, '0.05'],
      [5, 10, '0.0000000005'],
      [123456789012345, 1, '12345678901234.5'],
      [123456789012345, 9, '123456.789012345'],
      [123456789012345, 15, '0.123456789012345'],
      [100000000, 8, '1.00000000'],
      [2 ** 31 + 1, 4, '214748.3649'],
      [9_999_999_999_999_998, 0, '9999999999999998'],
      [0, 0, '0'],
    ];
    for (const [value, fractionDigits, expected] of cases) {
      assert.equal(written((bytes, at) => writeDigits(bytes, at, value, fractionDigits)), expected);
    }
  });
});

describe('AsciiWriter', () => {
  it('grows past its capacity and starts over after take()', () => {
    const out = new AsciiWriter(1);
    for (let i = 0; i < 1000; i++) {
      out.text('[');
      const bytes = out.room(MAX_INTEGER_BYTES + 1);
      const at = writeInteger(bytes, out.length, i);
      bytes[at] = 0x5d;
      out.advance(at + 1);
    }
    const first = out.take();
    assert.equal(Buffer.from(first).toString('latin1'), Array.from({ length: 1000 }, (_, i) => `[${i}]`).join(''));
    out.text('next');
    assert.equal(Buffer.from(out.take()).toString('latin1'), 'next');
    assert.equal(Buffer.from(first.subarray(0, 3)).toString('latin1'), '[0]', 'a taken piece is not overwritten by later writes');
  });
});
