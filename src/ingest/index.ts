/** What later stages may use from ingest: the record layout and the ring they read it from. */
export { ByteRingReader, waitForDoorbell, createByteRing, createDoorbell } from './byte-ring.js';
export type { ByteRingHandle } from './byte-ring.js';
export {
  MetricKind,
  RecordFlags,
  RecordOffset,
  TailOffset,
  hasTail,
  tailOffset,
  recordSize,
  nameHash,
} from './statsd-record.js';
export { MetricTable } from './metric-table.js';
