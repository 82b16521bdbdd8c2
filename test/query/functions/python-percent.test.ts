import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_FORMAT_FIELD, percentFormat } from '../../../src/query/functions/python-percent.js';
import { QueryError } from '../../../src/query/query-error.js';

describe("Python's % formatting of one float", () => {
  it('formats integers, fixed, exponent, general and str conversions with flags and widths', () => {
    assert.equal(percentFormat('Channel %d MHz', 2412.7), 'Channel 2412 MHz');
    assert.equal(percentFormat('%i', -0.5), '0');
    assert.equal(percentFormat('%.2f%%', 99.125), '99.12%');
    assert.equal(percentFormat('[%5.1f]', 2.25), '[  2.2]');
    assert.equal(percentFormat('[%-6d]', 42.9), '[42    ]');
    assert.equal(percentFormat('[%06.1f]', -2.5), '[-002.5]');
    assert.equal(percentFormat('%+d', 3), '+3');
    assert.equal(percentFormat('%e', 12345.678), '1.234568e+04');
    assert.equal(percentFormat('%G', 1e-7), '1E-07');
    assert.equal(percentFormat('%g', 123456789), '1.23457e+08');
    assert.equal(percentFormat('%g', 100000), '100000');
    assert.equal(percentFormat('%.3g', 2.675), '2.67');
    assert.equal(percentFormat('%#g', 1), '1.00000');
    assert.equal(percentFormat('%s MHz', 3), '3.0 MHz');
    assert.equal(percentFormat('%.3s', 3.14159), '3.1');
  });

  it('fails as Python does when the template does not take exactly one value', () => {
    assert.throws(() => percentFormat('no directive', 1), (e) => e instanceof QueryError && /not all arguments converted/.test(e.message));
    assert.throws(() => percentFormat('%d and %d', 1), /not enough arguments/);
    assert.throws(() => percentFormat('%x', 1), /an integer is required/);
    assert.throws(() => percentFormat('50%', 1), /unsupported format character/);
  });

  it('refuses a width or precision beyond MAX_FORMAT_FIELD with a QueryError, at once', () => {
    assert.equal(percentFormat(`%.${MAX_FORMAT_FIELD}f`, 1.5).length, MAX_FORMAT_FIELD + 2);
    assert.equal(percentFormat(`%${MAX_FORMAT_FIELD}d`, 1.5).length, MAX_FORMAT_FIELD);
    for (const template of ['%.999999999f', '%999999999d', `%0${MAX_FORMAT_FIELD + 1}.2e`, 'x %.1001g']) {
      assert.throws(() => percentFormat(template, 1.5), (error: unknown) => error instanceof QueryError && /too wide: width and precision go up to 1000/.test(error.message), template);
    }
  });
});
