import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPythonFloat, MAX_FLOAT_BYTES, pythonJson, pythonJsonFloat, pythonJsonString, pythonJsonStringList, writePythonJsonFloat } from '../../src/http/python-json.js';

describe('formatPythonFloat', () => {
  // Expected strings are what Python 3 prints for repr(float).
  const cases: Array<[number, string]> = [
    [1, '1.0'],
    [0, '0.0'],
    [-0, '-0.0'],
    [-3, '-3.0'],
    [0.5, '0.5'],
    [0.1 + 0.2, '0.30000000000000004'],
    [123456.789, '123456.789'],
    [1e15, '1000000000000000.0'],
    [1e16, '1e+16'],
    [1.5e16, '1.5e+16'],
    [1.2345e300, '1.2345e+300'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [-2.5e-10, '-2.5e-10'],
    [5e-324, '5e-324'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [NaN, 'nan'],
  ];
  for (const [value, expected] of cases) {
    it(`${value} -> ${expected}`, () => assert.equal(formatPythonFloat(value), expected));
  }
});

describe('pythonJsonFloat', () => {
  it('writes graphite-web render values', () => {
    assert.equal(pythonJsonFloat(NaN), 'null');
    assert.equal(pythonJsonFloat(Infinity), '1e9999');
    assert.equal(pythonJsonFloat(-Infinity), '-1e9999');
    assert.equal(pythonJsonFloat(2), '2.0');
  });
});

describe('writePythonJsonFloat', () => {
  function written(value: number): string {
    const bytes = new Uint8Array(MAX_FLOAT_BYTES + 2).fill(0xff);
    const end = writePythonJsonFloat(bytes, 1, value);
    assert.ok(end - 1 <= MAX_FLOAT_BYTES && bytes[MAX_FLOAT_BYTES + 1] === 0xff, 'stays within its room');
    return Buffer.from(bytes.subarray(1, end)).toString('latin1');
  }

  // Expected strings are graphite-web's: Python's repr, null for NaN, 1e9999 for infinities.
  const cases: Array<[number, string]> = [
    [0, '0.0'],
    [-0, '-0.0'],
    [1, '1.0'],
    [-3, '-3.0'],
    [1_700_000_000, '1700000000.0'],
    [2 ** 53, '9007199254740992.0'],
    [9_999_999_999_999_998, '9999999999999998.0'],
    [1e16, '1e+16'],
    [-1.5e16, '-1.5e+16'],
    [1.2345e300, '1.2345e+300'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [-1.2345678901234568e-300, '-1.2345678901234568e-300'],
    [0.5, '0.5'],
    [-0.125, '-0.125'],
    [12.375, '12.375'],
    [0.1, '0.1'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1 / 3, '0.3333333333333333'],
    [-2 / 3, '-0.6666666666666666'],
    [123456.789, '123456.789'],
    [1e15 + 0.5, '1000000000000000.5'],
    [4503599627370495.5, '4503599627370495.5'],
    [0.0001, '0.0001'],
    [0.00012345678901234, '0.00012345678901234'],
    [0.00009999999999999999, '9.999999999999999e-05'],
    [0.00001, '1e-05'],
    [-2.5e-10, '-2.5e-10'],
    [5e-324, '5e-324'],
    [NaN, 'null'],
    [Infinity, '1e9999'],
    [-Infinity, '-1e9999'],
  ];
  for (const [value, expected] of cases) {
    it(`${value} -> ${expected}`, () => assert.equal(written(value), expected));
  }

  it('agrees with pythonJsonFloat on random doubles of every shape', () => {
    const bits = new Float64Array(1);
    const words = new Uint32Array(bits.buffer);
    for (let i = 0; i < 50_000; i++) {
      let value: number;
      switch (i % 4) {
        case 0:
          words[0] = (Math.random() * 2 ** 32) >>> 0;
          words[1] = (Math.random() * 2 ** 32) >>> 0;
          value = bits[0];
          break;
        case 1:
          value = (Math.random() - 0.5) * 10 ** Math.floor(Math.random() * 40 - 20);
          break;
        case 2:
          value = Math.round((Math.random() - 0.5) * 10 ** Math.floor(Math.random() * 17)) / 10 ** Math.floor(Math.random() * 20);
          break;
        default:
          value = Number((Math.random() * 1000).toPrecision(1 + Math.floor(Math.random() * 17)));
      }
      assert.equal(written(value), pythonJsonFloat(value), `${value}`);
    }
  });
});

describe('pythonJson', () => {
  it('uses Python separators and key order', () => {
    assert.equal(pythonJson({ b: 1, a: [1, 'x', null, true] }), '{"b": 1, "a": [1, "x", null, true]}');
    assert.equal(pythonJson([]), '[]');
    assert.equal(pythonJson({}), '{}');
  });

  it('escapes non-ASCII like ensure_ascii', () => {
    assert.equal(pythonJsonString('café\u007f"\n'), '"caf\\u00e9\\u007f\\"\\n"');
    assert.equal(pythonJsonString('😀'), '"\\ud83d\\ude00"');
    assert.equal(JSON.parse(pythonJsonString('café😀')), 'café😀');
  });
});

describe('pythonJsonStringList', () => {
  it('writes what pythonJson writes for a list of strings, escaped or not', () => {
    for (const list of [[], ['a.b'], ['a.b', 'c.d', ''], ['plain', 'caf\u00e9', 'q"uote', 'back\\slash', 'tab\t', '\u007f', 'snow\u2603']]) {
      assert.equal(pythonJsonStringList(list), pythonJson(list), JSON.stringify(list));
    }
  });
});
