import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DecimalCounter } from '../../src/http/decimal-counter.js';

/** The counter's first `n` values as text. */
function counted(start: number, step: number, n: number): string[] {
  const counter = new DecimalCounter(start, step);
  const bytes = new Uint8Array(32);
  const texts: string[] = [];
  for (let i = 0; i < n; i++) {
    texts.push(Buffer.from(bytes.subarray(0, counter.write(bytes, 0))).toString('latin1'));
    counter.advance();
  }
  return texts;
}

function expected(start: number, step: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => String(start + i * step));
}

describe('DecimalCounter', () => {
  it('counts like String() of start + i * step', () => {
    const cases: Array<[number, number, number]> = [
      [0, 1, 1200],
      [0, 10, 300],
      [5, 100, 30],
      [995, 10, 5],
      [9, 1, 3],
      [1_699_999_990, 10, 3],
      [1_700_000_000, 60, 2000],
      [99_999_999, 7, 5],
      [123, 987_654_321, 40],
      [2 ** 53 - 1 - 3 * 999, 999, 4],
    ];
    for (const [start, step, n] of cases) assert.deepEqual(counted(start, step, n), expected(start, step, n), `${start} + i * ${step}`);
  });
});
