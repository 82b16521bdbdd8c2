import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AsciiWriter } from '../../src/http/ascii-writer.js';

function written(write: (out: AsciiWriter) => void, capacity = 16): string {
  const out = new AsciiWriter(capacity);
  write(out);
  return Buffer.from(out.take()).toString('latin1');
}

describe('AsciiWriter', () => {
  it('writes integers as String() does', () => {
    const cases = [0, -0, 7, -7, 10, 99_999_999, 100_000_000, 100_000_001, 1_700_000_000, 2 ** 31, -(2 ** 31) - 1, 1e15 + 7, 2 ** 53 - 1, -(2 ** 53 - 1)];
    for (const value of cases) assert.equal(written((out) => out.integer(value)), String(value), `${value}`);
  });

  it('falls back to String() for numbers that are not safe integers', () => {
    for (const value of [2 ** 53, 1e21, 1.5, -0.25, NaN, Infinity]) {
      assert.equal(written((out) => out.integer(value)), String(value));
    }
  });

  it('writes digits with a decimal point before the last fractionDigits', () => {
    assert.equal(written((out) => out.digits(12375, 3)), '12.375');
    assert.equal(written((out) => out.digits(5, 2)), '0.05');
    assert.equal(written((out) => out.digits(5, 10)), '0.0000000005');
    assert.equal(written((out) => out.digits(123456789012345, 1)), '12345678901234.5');
    assert.equal(written((out) => out.digits(123456789012345, 9)), '123456.789012345');
    assert.equal(written((out) => out.digits(100000000, 8)), '1.00000000');
    assert.equal(written((out) => out.digits(9_999_999_999_999_998, 0)), '9999999999999998');
  });

  it('grows past its capacity and starts over after take()', () => {
    const out = new AsciiWriter(1);
    for (let i = 0; i < 1000; i++) {
      out.text('[');
      out.integer(i);
      out.byte(0x5d);
    }
    const first = Buffer.from(out.take()).toString('latin1');
    assert.equal(first, Array.from({ length: 1000 }, (_, i) => `[${i}]`).join(''));
    out.text('next');
    assert.equal(Buffer.from(out.take()).toString('latin1'), 'next');
    assert.equal(first.slice(0, 3), '[0]', 'a taken piece is not overwritten by later writes');
  });
});
