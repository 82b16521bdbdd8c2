/**
 * Retention definitions as carbon writes them: `10s:7d,1m:30d,10m:5y` (precision:duration) or the
 * legacy `60:1440` (seconds per point:points), validated by whisper's rules for an archive list.
 */

/** One archive of a series: a fixed step and how many steps it keeps. */
export interface Archive {
  readonly secondsPerPoint: number;
  readonly points: number;
  /** secondsPerPoint * points: how far back this archive reaches. */
  readonly retentionSeconds: number;
}

/** Where in a config file a problem was found. */
export interface ConfigLocation {
  file: string;
  line: number;
  section?: string;
  key?: string;
}

/** A user-caused problem with retention or aggregation settings; the message says where and what. */
export class RetentionError extends Error {
  readonly problem: string;
  readonly location: ConfigLocation | undefined;

  constructor(problem: string, location?: ConfigLocation) {
    super(location ? `${describeLocation(location)}: ${problem}` : problem);
    this.name = 'RetentionError';
    this.problem = problem;
    this.location = location;
  }
}

function describeLocation(where: ConfigLocation): string {
  let text = `${where.file} line ${where.line}`;
  if (where.section !== undefined) text += `, section [${where.section}]`;
  if (where.key !== undefined) text += `, key '${where.key}'`;
  return text;
}

/** Whisper's units: any prefix of these words, so `s`, `sec`, `m`, `min`, `hours`, `d`, `w`, `y` all work. */
const UNIT_SECONDS: ReadonlyArray<readonly [word: string, seconds: number]> = [
  ['seconds', 1],
  ['minutes', 60],
  ['hours', 3600],
  ['days', 86_400],
  ['weeks', 7 * 86_400],
  ['years', 365 * 86_400],
];

const COUNT = /^\d+$/;
const COUNT_WITH_UNIT = /^(\d+)([a-z]+)$/;

function unitSeconds(unit: string, part: string): number {
  for (const [word, seconds] of UNIT_SECONDS) {
    if (word.startsWith(unit)) return seconds;
  }
  throw new RetentionError(`invalid unit '${unit}' in '${part}' (use s, m/min, h, d, w or y)`);
}

function wholeNumber(digits: string, part: string): number {
  const value = Number(digits);
  if (!Number.isSafeInteger(value)) throw new RetentionError(`number ${digits} in '${part}' is too large`);
  return value;
}

/** Parses one `precision:retention` pair, e.g. `10s:7d`, `60:1440` or `1m:1440`. */
export function parseRetentionDef(definition: string): Archive {
  const part = definition.trim();
  const colon = part.indexOf(':');
  if (colon < 0) {
    throw new RetentionError(`'${part}' is not 'precision:retention' (e.g. '10s:7d' or '60:1440')`);
  }
  const precisionText = part.slice(0, colon);
  const retentionText = part.slice(colon + 1);

  let secondsPerPoint: number;
  if (COUNT.test(precisionText)) {
    secondsPerPoint = wholeNumber(precisionText, part);
  } else {
    const match = COUNT_WITH_UNIT.exec(precisionText);
    if (!match) throw new RetentionError(`invalid precision '${precisionText}' in '${part}' (e.g. '10s' or '60')`);
    secondsPerPoint = wholeNumber(match[1], part) * unitSeconds(match[2], part);
  }
  if (secondsPerPoint < 1) throw new RetentionError(`precision in '${part}' must be at least 1 second`);

  let points: number;
  if (COUNT.test(retentionText)) {
    points = wholeNumber(retentionText, part);
  } else {
    const match = COUNT_WITH_UNIT.exec(retentionText);
    if (!match) throw new RetentionError(`invalid retention '${retentionText}' in '${part}' (e.g. '7d' or a number of points)`);
    // Whisper rounds down when the retention is not a whole number of steps.
    points = Math.floor((wholeNumber(match[1], part) * unitSeconds(match[2], part)) / secondsPerPoint);
  }
  if (points < 1) throw new RetentionError(`'${part}' keeps no points: the retention is shorter than one step`);

  return { secondsPerPoint, points, retentionSeconds: secondsPerPoint * points };
}

/**
 * Parses a comma-separated list of retention definitions and validates it as whisper does.
 * The result is sorted finest precision first, whatever order the text used (whisper sorts too).
 */
export function parseRetentions(text: string): Archive[] {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.length === 1 && parts[0] === '') throw new RetentionError('no retentions given (e.g. 10s:7d,1m:30d)');
  const archives: Archive[] = [];
  for (const part of parts) {
    if (part === '') throw new RetentionError(`empty retention definition in '${text.trim()}'`);
    archives.push(parseRetentionDef(part));
  }
  return validateArchives(archives);
}

function describeArchive(archive: Archive): string {
  return `${archive.secondsPerPoint}s:${archive.points} points`;
}

/**
 * Whisper's validateArchiveList: at least one archive; no two with the same precision; each coarser
 * precision a multiple of each finer one; each coarser archive reaching further back; and enough
 * finer points to fill one coarser point. Returns a sorted copy.
 */
export function validateArchives(archives: readonly Archive[]): Archive[] {
  if (archives.length === 0) throw new RetentionError('at least one archive is required');
  const sorted = [...archives].sort((a, b) => a.secondsPerPoint - b.secondsPerPoint);
  for (let i = 0; i + 1 < sorted.length; i++) {
    const finer = sorted[i];
    const coarser = sorted[i + 1];
    if (finer.secondsPerPoint === coarser.secondsPerPoint) {
      throw new RetentionError(
        `two archives have the same precision ${finer.secondsPerPoint}s (${describeArchive(finer)} and ${describeArchive(coarser)})`,
      );
    }
    if (coarser.secondsPerPoint % finer.secondsPerPoint !== 0) {
      throw new RetentionError(
        `precision ${coarser.secondsPerPoint}s is not a multiple of the finer precision ${finer.secondsPerPoint}s, so its points cannot be rolled up from it`,
      );
    }
    if (coarser.retentionSeconds <= finer.retentionSeconds) {
      throw new RetentionError(
        `the ${coarser.secondsPerPoint}s archive keeps ${coarser.retentionSeconds}s, which must be more than the ${finer.retentionSeconds}s kept by the finer ${finer.secondsPerPoint}s archive`,
      );
    }
    const pointsPerRollup = coarser.secondsPerPoint / finer.secondsPerPoint;
    if (finer.points < pointsPerRollup) {
      throw new RetentionError(
        `the ${finer.secondsPerPoint}s archive keeps ${finer.points} points but one ${coarser.secondsPerPoint}s point needs ${pointsPerRollup} of them`,
      );
    }
  }
  return sorted;
}
