import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { renderPickle, renderPicklePieces } from '../../src/http/render-pickle.js';
import { largeCases, pythonBytes, pythonHas, SMALL_CASES } from './python-getinfo.js';

/** sha256 of CPython 3.11's pickle.dumps(getInfo list, protocol=-1) for each case (python-getinfo.ts). */
const EXPECTED_SHA256: Record<string, string> = {
  empty: '3fe4a92ad75f98888c0fdc32304e33df0191042a9f85c4d1c59ea2ca284412c0',
  'one fetched series': 'd9aaf6955920b0582cc342c9aaf70548411d9a66da8ca69785660ec5220ad2da',
  'a glob fetch shares its path expression': '3337725160298cfe02b71416a49b76403d0b084a62f6731a0b2a7da216a833a7',
  'computed series and small ints': '57e61dca53972596625f8999e1f6ea5d079a4a068069503c18bf39d815533553',
  'three wide series': 'b9531d3bc6abce055503998d9134848f644ffa74b9ff1bb43a71a60c1f6cd58e',
  '1500 series': 'd222b37f3a21b9d5e97b278ec1c02ef7acef6a455dc0281febc63bc5b6302931',
};

const cases = { ...SMALL_CASES, ...largeCases() };
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('renderPickle', () => {
  for (const [name, series] of Object.entries(cases)) {
    it(`writes CPython's bytes: ${name}`, () => {
      assert.equal(sha256(renderPickle(series)), EXPECTED_SHA256[name]);
    });
  }

  it('matches a live CPython byte for byte', (t) => {
    if (!pythonHas('pickle')) return t.skip('no /usr/bin/python3');
    for (const [name, series] of Object.entries(cases)) {
      assert.deepEqual(Buffer.from(renderPickle(series)), Buffer.from(pythonBytes('pickle', series)), name);
    }
  });

  it('starts with protocol 5 and a frame, and streams in whole frames', () => {
    const series = largeCases()['three wide series'];
    const pieces = [...renderPicklePieces(series)];
    assert.ok(pieces.length > 2, 'a 200 KB pickle comes out in several pieces');
    assert.deepEqual([...pieces[0].subarray(0, 3)], [0x80, 5, 0x95]);
    const frameLength = Number(new DataView(pieces[0].buffer, pieces[0].byteOffset + 3, 8).getBigUint64(0, true));
    assert.equal(pieces[0].length, 2 + 9 + frameLength);
  });
});
