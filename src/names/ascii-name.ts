/**
 * Writes a series name's utf-8 bytes when it is all ASCII (nearly every name): a loop over its
 * characters, where Buffer.byteLength and Buffer.write, or TextEncoder.encodeInto with a subarray
 * per name, were native calls (and an object of garbage) per new series.
 */

/** Writes `name` at `bytes[at...]` if it is ASCII and fits; returns its length, or -1 (nothing usable written). */
export function writeAsciiName(bytes: Uint8Array, at: number, name: string): number {
  const length = name.length;
  if (at + length > bytes.length) return -1;
  for (let i = 0; i < length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 0x80) return -1;
    bytes[at + i] = c;
  }
  return length;
}

/**
 * Buffer's latin1 decoder, which takes any Uint8Array as `this`: an ASCII name's string from its
 * bytes, where Buffer.from(...).toString() made a Buffer object per name first.
 */
export const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, start: number, end: number) => string }).latin1Slice;
