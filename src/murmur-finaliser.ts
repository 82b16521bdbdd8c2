/**
 * murmur3's 32-bit finaliser (fmix32): every input bit reaches every output bit. The open-addressing
 * tables (names, metric tree, StatsD metrics, decoded windows) put their raw hashes through it, so
 * that keys differing only in a few low bits (consecutive ids, names ending in digits) land far
 * apart. StatsD's shard key writes it out instead (see nameHashFinish). Returns a signed 32-bit
 * integer; `>>> 0` where unsigned is wanted.
 */
export function murmurFinalise(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
