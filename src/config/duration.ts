/** Durations as users write them in flags and config: `500ms`, `10s`, `1m`, `2h`, `7d`, `1w`, `5y`. */
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
};

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)$/;

/** Parses a duration to milliseconds; throws a message naming the bad value. */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) {
    throw new Error(`bad duration '${text}': expected a number with a unit (ms, s, m, h, d, w, y), e.g. '10s'`);
  }
  const ms = Number(match[1]) * UNIT_MS[match[2]];
  if (!(ms > 0) || !Number.isFinite(ms)) throw new Error(`bad duration '${text}': must be positive`);
  return ms;
}
