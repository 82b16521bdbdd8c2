import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatG, formatUnits, pythonFloat } from '../../../src/query/functions/python-format.js';

describe('Python number formatting', () => {
  it("'%g' as Python prints it", () => {
    const cases: Array<[number, string]> = [
      [10, '10'],
      [2.5, '2.5'],
      [-1, '-1'],
      [0, '0'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [123456, '123456'],
      [1234567, '1.23457e+06'],
      [1 / 3, '0.333333'],
      [Infinity, 'inf'],
    ];
    for (const [value, text] of cases) assert.equal(formatG(value), text, String(value));
  });

  it('str() of floats', () => {
    assert.deepEqual([1, 0.5, 1e-5, 1e16, NaN].map(pythonFloat), ['1.0', '0.5', '1e-05', '1e+16', 'nan']);
  });

  it('format_units with si and binary prefixes', () => {
    assert.deepEqual(formatUnits(2500, 'si'), [2.5, 'K']);
    assert.deepEqual(formatUnits(3 * 1024 ** 2, 'binary', 'B'), [3, 'MiB']);
    assert.deepEqual(formatUnits(12, 'si'), [12, '']);
  });
});
