/**
 * aggregation-rules.conf on disk: loaded at start, then polled (fs.watchFile, which also works on
 * editors that replace the file, and on network file systems) and hot-reloaded into the ingest
 * aggregator. A file that stops parsing, or disappears, is logged and the rules in force stay.
 */
import { existsSync, readFileSync, statSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { type AggregationRule, parseAggregationRules } from './aggregation-rules.js';

export const DEFAULT_RULES_FILE = 'config/aggregation-rules.conf';

/** Where rules apply; IngestAggregator in the pipeline. */
export interface RulesTarget {
  setRules(rules: readonly AggregationRule[]): void;
}

export interface RulesFileOptions {
  path: string;
  target: RulesTarget;
  /** Poll period; default 1000 ms. */
  pollMs?: number;
  log?: (line: string) => void;
}

export interface RulesFile {
  readonly path: string;
  /** Rules in force. */
  rules(): readonly AggregationRule[];
  /** Reads the file again now; false (and logged) when it cannot be read or parsed. */
  reload(): boolean;
  stop(): void;
}

/** The rules file in use: the configured one, else the default one when it exists, else none. */
export function resolveRulesFile(configured: string | undefined): string | undefined {
  if (configured !== undefined) return configured;
  return existsSync(DEFAULT_RULES_FILE) ? DEFAULT_RULES_FILE : undefined;
}

/** Parses a rules file; throws an Error naming the file (and the line, for a bad rule). */
export function readRulesFile(path: string): AggregationRule[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read aggregation rules ${path}: ${(error as Error).message}`);
  }
  return parseAggregationRules(text, path);
}

/** Loads the file into `target` (throwing when it is bad: a start must not run on wrong rules) and watches it. */
export function watchRulesFile(options: RulesFileOptions): RulesFile {
  const { path, target } = options;
  const log = options.log ?? ((line: string) => console.log(`carbonado: ${line}`));
  // The file as last read, stat'ed before reading so that a write during the read is seen as a change.
  let loaded = signature(path);
  let rules: readonly AggregationRule[] = readRulesFile(path);
  target.setRules(rules);

  const reload = (): boolean => {
    try {
      loaded = signature(path);
      const next = readRulesFile(path);
      target.setRules(next);
      rules = next;
      log(`aggregation rules reloaded from ${path}: ${next.length} rules`);
      return true;
    } catch (error) {
      log(`aggregation rules not reloaded, keeping the ${rules.length} in force: ${(error as Error).message}`);
      return false;
    }
  };
  const check = (current: Stats | undefined): void => {
    if (current === undefined || (current.nlink === 0 && current.mtimeMs === 0)) {
      if (loaded !== 'gone') log(`aggregation rules file ${path} disappeared; keeping the ${rules.length} rules in force`);
      loaded = 'gone';
      return;
    }
    if (signatureOf(current) !== loaded) reload();
  };
  const changed = (current: Stats): void => check(current);
  const pollMs = options.pollMs ?? 1000;
  watchFile(path, { interval: pollMs, persistent: false }, changed);
  // The watcher's first stat is taken asynchronously: a change before it would never be reported.
  const firstCheck = setTimeout(() => check(statOrUndefined(path)), pollMs);
  firstCheck.unref();
  return {
    path,
    rules: () => rules,
    reload,
    stop: () => {
      clearTimeout(firstCheck);
      unwatchFile(path, changed);
    },
  };
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function signatureOf(stats: Stats): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
}

function signature(path: string): string {
  const stats = statOrUndefined(path);
  return stats === undefined ? 'gone' : signatureOf(stats);
}
