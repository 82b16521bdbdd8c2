/**
 * XOR chunk encode/decode speed and size for the series shapes the ring holds: noisy rates,
 * integer counts, idle zeros and (worst case) random doubles, in 120- and 1024-point chunks.
 */
import { decodeXorChunkInto, XorChunkEncoder } from '../src/store/chunk/index.js';
import { fmt, table } from './bench-lib.js';
import { pointsPerSecond, SERIES_SHAPES, shapePoints } from './chunk-bench-lib.js';

const rows: string[][] = [];
for (const chunkPoints of [120, 1024]) {
  for (const shape of SERIES_SHAPES) {
    const { timestamps, values } = shapePoints(shape, chunkPoints);

    const encoder = new XorChunkEncoder(2048);
    let chunk: Uint8Array = new Uint8Array(0);
    const encodeRate = pointsPerSecond(chunkPoints, () => {
      encoder.reset();
      for (let i = 0; i < chunkPoints; i++) encoder.append(timestamps[i], values[i]);
      chunk = encoder.bytes();
    });

    const outTimestamps = new Uint32Array(chunkPoints);
    const outValues = new Float64Array(chunkPoints);
    const decodeRate = pointsPerSecond(chunkPoints, () => {
      decodeXorChunkInto(chunk, outTimestamps, outValues);
    });
    for (let i = 0; i < chunkPoints; i++) {
      if (outTimestamps[i] !== timestamps[i] || !Object.is(outValues[i], values[i])) throw new Error(`${shape.name}: point ${i} did not round-trip`);
    }

    rows.push([
      String(chunkPoints),
      shape.name,
      fmt(encodeRate / 1e6, 1),
      fmt(decodeRate / 1e6, 1),
      fmt(chunk.length),
      fmt(chunk.length / chunkPoints, 3),
    ]);
  }
}

console.log(table(['points/chunk', 'series', 'encode Mpt/s', 'decode Mpt/s', 'chunk bytes', 'bytes/point'], rows));
