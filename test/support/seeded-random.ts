/** Deterministic generators (mulberry32), so a failing test reproduces and bench runs compare. */

/** Uniform 32-bit unsigned integers. */
export function seededUint32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Uniform [0, 1): the same sequence as seededUint32, scaled. */
export function seededUniform(seed: number): () => number {
  const next = seededUint32(seed);
  return () => next() / 2 ** 32;
}
