import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPythonFloat, pythonJson, pythonJsonFloat, pythonJsonString, pythonJsonStringList } from '../../src/http/python-json.js';

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
