import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { unpack } from '../support/msgpack-reader.js';
import { renderMsgpack } from '../../src/http/render-msgpack.js';
import { largeCases, pythonBytes, pythonHas, SMALL_CASES } from './python-getinfo.js';

/** sha256 of msgpack-python 1.0's packb(getInfo list, use_bin_type=True) for each case (python-getinfo.ts). */
const EXPECTED_SHA256: Record<string, string> = {
  empty: '9e076ceaf246b6003d9c2680a2b4cf0bffd069805902b0b5edeebf49039fe4bd',
  'one fetched series': '77c85b06afd2e2c8eb88f76964e31fb65d2e2ddf9242517be3845544d42e0c6c',
  'a glob fetch shares its path expression': 'fa596048ee43da8e841bccbc09b476c9be338ee422939bce0cf93d728ee62e40',
  'computed series and small ints': '370900f8e68187ca53fc665b9a9eedb38730dce924c1004471d24d7f9cf094cc',
  'three wide series': 'b653a0115e36c87f1c413630ec0848c1def755eed3b1a1f463d6eb1bac3af712',
  '1500 series': 'd1b779daf020f320e9c942aaa0f816b1d39b24e6f8b7c8a58243132362452095',
};

const cases = { ...SMALL_CASES, ...largeCases() };
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('renderMsgpack', () => {
  for (const [name, series] of Object.entries(cases)) {
    it(`writes msgpack-python's bytes: ${name}`, () => {
      assert.equal(sha256(renderMsgpack(series)), EXPECTED_SHA256[name]);
    });
  }

  it('matches a live msgpack-python byte for byte', (t) => {
    if (!pythonHas('msgpack')) return t.skip('python3-msgpack is not installed');
    for (const [name, series] of Object.entries(cases)) {
      assert.deepEqual(Buffer.from(renderMsgpack(series)), Buffer.from(pythonBytes('msgpack', series)), name);
    }
  });

  it('decodes to graphite-web getInfo dicts: floats stay floats, null is nil', () => {
    const [info] = unpack(renderMsgpack(SMALL_CASES['one fetched series'])) as Array<Record<string, unknown>>;
    assert.deepEqual(Object.keys(info), ['name', 'start', 'end', 'step', 'values', 'pathExpression', 'valuesPerPoint', 'consolidationFunc', 'xFilesFactor']);
    assert.deepEqual(info.values, [1, null, 2.5]);
    const bytes = renderMsgpack(SMALL_CASES['one fetched series']);
    const valuesAt = Buffer.from(bytes).indexOf(Buffer.from('values')) + 6;
    assert.deepEqual([...bytes.subarray(valuesAt, valuesAt + 2)], [0x93, 0xcb], 'three values, the first 1.0 as float64');
  });
});
