/**
 * Test support: a small msgpack decoder for checking our msgpack output (maps, arrays, strings,
 * numbers, nil, booleans, binary) without a third-party package.
 */
export function unpack(bytes: Uint8Array): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder();
  let at = 0;
  const str = (n: number): string => {
    const s = text.decode(bytes.subarray(at, at + n));
    at += n;
    return s;
  };
  const array = (n: number): unknown[] => Array.from({ length: n }, () => read());
  const map = (n: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) out[String(read())] = read();
    return out;
  };
  const read = (): unknown => {
    const b = bytes[at++];
    if (b <= 0x7f) return b;
    if (b >= 0xe0) return b - 0x100;
    if ((b & 0xf0) === 0x80) return map(b & 0x0f);
    if ((b & 0xf0) === 0x90) return array(b & 0x0f);
    if ((b & 0xe0) === 0xa0) return str(b & 0x1f);
    const u8 = () => bytes[at++];
    const u16 = () => ((at += 2), view.getUint16(at - 2));
    const u32 = () => ((at += 4), view.getUint32(at - 4));
    switch (b) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xc4: { const n = u8(); at += n; return bytes.slice(at - n, at); }
      case 0xc5: { const n = u16(); at += n; return bytes.slice(at - n, at); }
      case 0xc6: { const n = u32(); at += n; return bytes.slice(at - n, at); }
      case 0xca: at += 4; return view.getFloat32(at - 4);
      case 0xcb: at += 8; return view.getFloat64(at - 8);
      case 0xcc: return u8();
      case 0xcd: return u16();
      case 0xce: return u32();
      case 0xcf: at += 8; return Number(view.getBigUint64(at - 8));
      case 0xd0: at += 1; return view.getInt8(at - 1);
      case 0xd1: at += 2; return view.getInt16(at - 2);
      case 0xd2: at += 4; return view.getInt32(at - 4);
      case 0xd3: at += 8; return Number(view.getBigInt64(at - 8));
      case 0xd9: return str(u8());
      case 0xda: return str(u16());
      case 0xdb: return str(u32());
      case 0xdc: return array(u16());
      case 0xdd: return array(u32());
      case 0xde: return map(u16());
      case 0xdf: return map(u32());
      default: throw new Error(`msgpack type 0x${b.toString(16)} at ${at - 1} is not supported here`);
    }
  };
  const value = read();
  if (at !== bytes.length) throw new Error(`msgpack: ${bytes.length - at} trailing bytes`);
  return value;
}
