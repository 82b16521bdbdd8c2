import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pythonExponential, pythonFixed, pythonRound, safePow } from '../../../src/query/functions/python-math.js';

describe('Python float arithmetic', () => {
  it('safePow is None where math.pow raises', () => {
    assert.equal(safePow(2, 10), 1024);
    assert.equal(safePow(4, 0.5), 2);
    assert.ok(Number.isNaN(safePow(-8, 1 / 3)), 'negative base, fractional power');
    assert.ok(Number.isNaN(safePow(0, -1)), 'zero to a negative power');
    assert.ok(Number.isNaN(safePow(10, 400)), 'overflow');
    assert.ok(Number.isNaN(safePow(NaN, 2)) && Number.isNaN(safePow(2, NaN)), 'None in, None out');
  });

  it('round() rounds the exact binary value, ties to even', () => {
    assert.deepEqual([0.5, 1.5, 2.5, 3.5, -2.5].map((x) => pythonRound(x, 0)), [0, 2, 2, 4, -2]);
    assert.ok(Object.is(pythonRound(-0.4, 0), -0));
    assert.equal(pythonRound(0.125, 2), 0.12);
    assert.equal(pythonRound(0.375, 2), 0.38);
    // 2.675 and 1.005 are stored just below the halfway point.
    assert.equal(pythonRound(2.675, 2), 2.67);
    assert.equal(pythonRound(1.005, 2), 1);
    assert.deepEqual([1250, 1350, 1234.5678].map((x) => pythonRound(x, -2)), [1200, 1400, 1200]);
    assert.equal(pythonRound(7, 3), 7);
  });

  it('round() with digits beyond the range of doubles answers at once, as CPython does', () => {
    assert.equal(pythonRound(1.5, 400), 1.5);
    assert.equal(pythonRound(5e-324, 324), 5e-324);
    assert.equal(pythonRound(5e-324, 323), 0);
    assert.equal(pythonRound(1.5, 999_999_999), 1.5);
    assert.ok(Object.is(pythonRound(-1.5, -999_999_999), -0));
    assert.equal(pythonRound(1e300, -308), 0);
    assert.equal(pythonRound(1e300, -300), 1e300);
  });

  it("'%.Nf' and '%.Ne' as Python writes them", () => {
    assert.equal(pythonFixed(2.25, 1), '2.2');
    assert.equal(pythonFixed(0.125, 2), '0.12');
    assert.equal(pythonFixed(-1.5, 0), '-2');
    assert.equal(pythonFixed(0.1, 20), '0.10000000000000000555');
    assert.equal(pythonExponential(12345.678, 6), '1.234568e+04');
    assert.equal(pythonExponential(1.25, 1), '1.2e+00');
    assert.equal(pythonExponential(9.99, 1), '1.0e+01');
    assert.equal(pythonExponential(0.00012, 0), '1e-04');
  });
});
