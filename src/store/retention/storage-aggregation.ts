/**
 * storage-aggregation.conf: how a series' points roll up into its coarser archives. Sections are
 * tried in file order; the first whose `pattern` is found in the full series name wins. As in carbon,
 * `xFilesFactor` and `aggregationMethod` are each optional and default to whisper's 0.5 and average.
 */
import { AGGREGATION_METHODS, isAggregationMethod, type AggregationMethod } from './aggregate-method.js';
import type { FirstMatch } from './first-match.js';
import { patternTest } from './pattern-test.js';
import { RetentionError } from './retention.js';
import { compileSectionPattern, parseIniSections, rejectUnknownKeys, type IniEntry } from './storage-schemas.js';

export interface Aggregation {
  readonly method: AggregationMethod;
  /** Fraction of finer points that must be known for a coarser point to be written, 0..1. */
  readonly xFilesFactor: number;
}

export interface AggregationRule {
  name: string;
  pattern: RegExp;
  /** The pattern's test, as a string compare when it is a plain literal (pattern-test.ts). */
  matches: (name: string) => boolean;
  aggregation: Aggregation;
}

/** Whisper's own defaults: what a series gets when no rule matches or a rule leaves a key out. */
export const DEFAULT_AGGREGATION: Aggregation = Object.freeze({ method: 'average', xFilesFactor: 0.5 });

/** The embedded storage-aggregation.conf (the contract's table); config/storage-aggregation.conf says the same. */
export const EMBEDDED_STORAGE_AGGREGATION = `[lower]
pattern = \\.lower$
xFilesFactor = 0.1
aggregationMethod = min

[upper]
pattern = \\.upper(_\\d+)?$
xFilesFactor = 0.1
aggregationMethod = max

[sum]
pattern = \\.sum$
xFilesFactor = 0
aggregationMethod = sum

[count]
pattern = \\.count$
xFilesFactor = 0
aggregationMethod = sum

[legacy_counts]
pattern = ^stats_counts\\.
xFilesFactor = 0
aggregationMethod = sum

[gauges]
pattern = ^stats\\.gauges\\.
xFilesFactor = 0
aggregationMethod = last

[default_average]
pattern = .*
xFilesFactor = 0.5
aggregationMethod = average
`;

const AGGREGATION_KEYS = ['pattern', 'xfilesfactor', 'aggregationmethod'] as const;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** Parses storage-aggregation.conf text; `file` names it in error messages. */
export function parseStorageAggregation(text: string, file: string): AggregationRule[] {
  return parseIniSections(text, file).map((section) => {
    rejectUnknownKeys(section, file, AGGREGATION_KEYS);
    const pattern = compileSectionPattern(section, file);
    const where = (entry: IniEntry) => ({ file, line: entry.line, section: section.name, key: entry.key });

    let xFilesFactor = DEFAULT_AGGREGATION.xFilesFactor;
    const xffEntry = section.entries.get('xfilesfactor');
    if (xffEntry) {
      const value = xffEntry.value.trim();
      xFilesFactor = DECIMAL.test(value) ? Number(value) : NaN;
      if (!(xFilesFactor >= 0 && xFilesFactor <= 1)) {
        throw new RetentionError(`'${value}' is not a number between 0 and 1`, where(xffEntry));
      }
    }

    let method = DEFAULT_AGGREGATION.method;
    const methodEntry = section.entries.get('aggregationmethod');
    if (methodEntry) {
      const value = methodEntry.value.trim();
      if (!isAggregationMethod(value)) {
        throw new RetentionError(`unknown method '${value}'; expected one of ${AGGREGATION_METHODS.join(', ')}`, where(methodEntry));
      }
      method = value;
    }

    return { name: section.name, pattern, matches: patternTest(pattern), aggregation: Object.freeze({ method, xFilesFactor }) };
  });
}

/** First matching rule's aggregation, or whisper's default when none matches. */
export function aggregationForName(rules: readonly AggregationRule[], name: string): Aggregation {
  // A rule matches the full tagged name (as carbon 1.1) or its path alone, so that `\.count$`
  // also covers `stats.counters.x.count;env=prod`.
  const semicolon = name.indexOf(';');
  const path = semicolon < 0 ? name : name.slice(0, semicolon);
  for (const rule of rules) {
    if (rule.matches(name) || (semicolon >= 0 && rule.matches(path))) return rule.aggregation;
  }
  return DEFAULT_AGGREGATION;
}

/** aggregationForName() of the plain (ASCII, untagged) name in bytes[start, end); `match` is the rules' patterns'. */
export function aggregationForPlainName(rules: readonly AggregationRule[], match: FirstMatch, bytes: Uint8Array, start: number, end: number): Aggregation {
  const first = match.firstIn(bytes, start, end);
  return first < 0 ? DEFAULT_AGGREGATION : rules[first].aggregation;
}
