import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latin1Slice, writeAsciiName } from '../../src/names/ascii-name.js';

test('an ASCII name is written where asked and read back from its bytes', () => {
  const bytes = new Uint8Array(16).fill(0xff);
  assert.equal(writeAsciiName(bytes, 3, 'a.b_c-1'), 7);
  assert.equal(latin1Slice.call(bytes, 3, 10), 'a.b_c-1');
  assert.equal(bytes[2], 0xff, 'nothing before it');
  assert.equal(bytes[10], 0xff, 'nothing after it');
  assert.equal(writeAsciiName(bytes, 0, ''), 0);
});

test('a name with a character past ASCII, or one that does not fit, is refused', () => {
  const bytes = new Uint8Array(8);
  assert.equal(writeAsciiName(bytes, 0, 'ab.ü'), -1);
  assert.equal(writeAsciiName(bytes, 0, 'x\u0080'), -1);
  assert.equal(writeAsciiName(bytes, 4, 'abcde'), -1, 'one byte short');
  assert.equal(writeAsciiName(bytes, 3, 'abcde'), 5, 'exactly to the end');
});
