/**
 * XOR-only chunks against encodeChunk (the smallest of decimal, rational and XOR) on 120-point chunks of the
 * series shapes the store holds: size per point and encode/decode speed.
 */
import { decodeChunkInto, decodeXorChunkInto, encodeChunk, XorChunkEncoder } from '../src/store/chunk/index.js';
import { fmt, table } from './bench-lib.js';
import { pointsPerSecond, SERIES_SHAPES, shapePoints, STEP } from './chunk-bench-lib.js';

const POINTS = 120;
/** Distinct chunks per shape, so the figures do not hang on one lucky chunk. */
const CHUNKS = 64;

const xorEncoder = new XorChunkEncoder(2048);
function encodeXor(timestamps: Uint32Array, values: Float64Array, start: number, end: number): Uint8Array {
  xorEncoder.reset();
  for (let i = start; i < end; i++) xorEncoder.append(timestamps[i], values[i]);
  return xorEncoder.bytes();
}

const rows: string[][] = [];
for (const shape of SERIES_SHAPES) {
  const total = POINTS * CHUNKS;
  const { timestamps, values } = shapePoints(shape, total);
  const xorChunks: Uint8Array[] = [];
  const codecChunks: Uint8Array[] = [];
  for (let c = 0; c < CHUNKS; c++) {
    xorChunks.push(encodeXor(timestamps, values, c * POINTS, (c + 1) * POINTS));
    codecChunks.push(encodeChunk(timestamps, values, c * POINTS, (c + 1) * POINTS));
  }

  let next = 0;
  const xorEncodeRate = pointsPerSecond(POINTS, () => {
    const c = next++ % CHUNKS;
    encodeXor(timestamps, values, c * POINTS, (c + 1) * POINTS);
  });
  const codecEncodeRate = pointsPerSecond(POINTS, () => {
    const c = next++ % CHUNKS;
    encodeChunk(timestamps, values, c * POINTS, (c + 1) * POINTS);
  });
  const outTimestamps = new Uint32Array(POINTS);
  const outValues = new Float64Array(POINTS);
  const xorDecodeRate = pointsPerSecond(POINTS, () => {
    decodeXorChunkInto(xorChunks[next++ % CHUNKS], outTimestamps, outValues);
  });
  const codecDecodeRate = pointsPerSecond(POINTS, () => {
    decodeChunkInto(codecChunks[next++ % CHUNKS], outTimestamps, outValues);
  });

  const decodedTimestamps = new Uint32Array(total);
  const decodedValues = new Float64Array(total);
  let decimalChunks = 0;
  let rationalChunks = 0;
  for (let c = 0; c < CHUNKS; c++) {
    decodeChunkInto(codecChunks[c], decodedTimestamps, decodedValues, c * POINTS);
    if (codecChunks[c][0] === 2) decimalChunks++;
    if (codecChunks[c][0] === 3) rationalChunks++;
    if (codecChunks[c].length > xorChunks[c].length) throw new Error(`${shape.name}: encodeChunk is bigger than XOR`);
  }
  for (let i = 0; i < total; i++) {
    if (decodedTimestamps[i] !== timestamps[i] || !Object.is(decodedValues[i], values[i])) throw new Error(`${shape.name}: point ${i} did not round-trip`);
  }

  const bytes = (chunks: Uint8Array[]): number => chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  rows.push([
    shape.name,
    fmt(bytes(xorChunks) / total, 3),
    fmt(bytes(codecChunks) / total, 3),
    `${decimalChunks}/${rationalChunks}/${CHUNKS}`,
    fmt(xorEncodeRate / 1e6, 1),
    fmt(codecEncodeRate / 1e6, 1),
    fmt((1e6 * POINTS) / codecEncodeRate, 2),
    fmt(xorDecodeRate / 1e6, 1),
    fmt(codecDecodeRate / 1e6, 1),
  ]);
}

console.log(`${POINTS}-point chunks, ${STEP} s apart; 'codec' is encodeChunk / decodeChunkInto, 'dec/rat' counts chunks it encoded as decimal / rational`);
console.log(
  table(
    ['series', 'XOR B/pt', 'codec B/pt', 'dec/rat', 'XOR enc Mpt/s', 'codec enc Mpt/s', 'codec µs/chunk', 'XOR dec Mpt/s', 'codec dec Mpt/s'],
    rows,
  ),
);
