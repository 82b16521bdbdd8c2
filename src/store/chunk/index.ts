/** Compressed point chunks for the in-memory ring and the on-disk archive. */
export { BitReader, BitStreamEndError, BitWriter } from './bit-stream.js';
export {
  CorruptChunkError,
  decodeXorChunkInto,
  XOR_CHUNK_ENCODING,
  XOR_CHUNK_HEADER_BYTES,
  XOR_CHUNK_MAX_POINTS,
  XorChunkEncoder,
  XorChunkIterator,
  xorChunkCount,
  xorChunkFirstTimestamp,
  xorChunkLastTimestamp,
} from './xor-chunk.js';
export { DECIMAL_CHUNK_ENCODING, DECIMAL_MAX_EXPONENT, DecimalChunkEncoder, decodeDecimalChunkInto } from './decimal-chunk.js';
export { RATIONAL_CHUNK_ENCODING, RationalChunkEncoder, decodeRationalChunkInto, denominatorOf } from './rational-chunk.js';
export { chunkCount, chunkEncoding, chunkFirstTimestamp, chunkLastTimestamp, decodeChunkInto, decodeChunkIntoGrid, encodeChunk } from './chunk-codec.js';
