/**
 * Pool names appear in URLs (`/scale/pools/{pool}`) and in series names
 * (`carbonado.scale.<pool>.capacity`), so they are one metric-path node: letters, digits, `_`, `-`.
 */
const POOL_NAME = /^[A-Za-z0-9_-]{1,128}$/;

/** Why `name` cannot name a pool, or null when it can. */
export function poolNameProblem(name: string): string | null {
  if (POOL_NAME.test(name)) return null;
  return `bad pool name ${JSON.stringify(name)}: expected 1-128 letters, digits, '_' or '-'`;
}
