/**
 * A series' archive layout (its retention schema and aggregation), and the spec string it is
 * stored under in LevelDB (docs/format/leveldb.md).
 */
import { POINTS_PER_CHUNK } from './head.js';
import type { Aggregation, Archive } from './retention/index.js';

export interface Layout {
  archives: readonly Archive[];
  aggregation: Aggregation;
  /** Longest retention: points older than this are dropped. */
  maxRetention: number;
}

/** Seconds one chunk window of an archive with this step covers. */
export const windowSeconds = (step: number): number => step * POINTS_PER_CHUNK;

/** How a series' archive layouts are kept in LevelDB (key prefix 0x04). */
export interface StoredLayouts {
  current: string;
  earlier: string[];
}

/** `10:60480,60:43200`: seconds per point and points of each archive. */
export const layoutSpec = (archives: readonly Archive[]): string => archives.map((a) => `${a.secondsPerPoint}:${a.points}`).join(',');
export const parseLayoutSpec = (spec: string): Archive[] =>
  spec.split(',').map((part) => {
    const [secondsPerPoint, points] = part.split(':').map(Number);
    return { secondsPerPoint, points, retentionSeconds: secondsPerPoint * points };
  });
