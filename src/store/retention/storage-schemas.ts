/**
 * storage-schemas.conf: which archives a new series gets. Sections are tried in file order and the
 * first whose `pattern` regex is found anywhere in the full series name (tags included, as in
 * carbon 1.1) wins. The INI reader here is shared with storage-aggregation.conf.
 */
import type { FirstMatch } from './first-match.js';
import { patternTest } from './pattern-test.js';
import { RetentionError, parseRetentions, type Archive } from './retention.js';

/** One `key = value` of an INI section, with the line it starts on. */
export interface IniEntry {
  key: string;
  value: string;
  line: number;
}

export interface IniSection {
  name: string;
  line: number;
  /** Keys lowercased, as Python's ConfigParser does. */
  entries: Map<string, IniEntry>;
}

const SECTION_HEADER = /^\[(.+)\]$/;
const KEY_VALUE = /^([^=:]*?)\s*[=:]\s*(.*)$/;

/**
 * Reads INI text the way carbon's ConfigParser does: `#` and `;` start comment lines (never inline
 * comments, since patterns may hold `#` or `;`), `=` or `:` separates key and value, keys are
 * case-insensitive, and a line indented deeper than its key continues the value on a new line.
 */
export function parseIniSections(text: string, file: string): IniSection[] {
  const sections: IniSection[] = [];
  let section: IniSection | undefined;
  let entry: IniEntry | undefined;
  let entryIndent = 0;
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1;
    const raw = lines[index];
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const indent = raw.length - raw.trimStart().length;
    if (entry && indent > entryIndent) {
      entry.value += '\n' + trimmed;
      continue;
    }
    entry = undefined;

    const header = SECTION_HEADER.exec(trimmed);
    if (header) {
      const name = header[1].trim();
      const earlier = sections.find((s) => s.name === name);
      if (earlier) {
        throw new RetentionError(`section [${name}] is already defined on line ${earlier.line}`, {
          file,
          line: lineNumber,
        });
      }
      section = { name, line: lineNumber, entries: new Map() };
      sections.push(section);
      continue;
    }

    const pair = KEY_VALUE.exec(trimmed);
    if (!pair || pair[1] === '') {
      throw new RetentionError(`expected '[section]' or 'key = value', found '${trimmed}'`, {
        file,
        line: lineNumber,
        section: section?.name,
      });
    }
    const key = pair[1].toLowerCase();
    if (!section) {
      throw new RetentionError(`'${pair[1]}' comes before any [section] header`, { file, line: lineNumber, key });
    }
    const earlier = section.entries.get(key);
    if (earlier) {
      throw new RetentionError(`'${key}' is already set on line ${earlier.line}`, {
        file,
        line: lineNumber,
        section: section.name,
        key,
      });
    }
    entry = { key, value: pair[2], line: lineNumber };
    entryIndent = indent;
    section.entries.set(key, entry);
  }
  return sections;
}

/** Fails on any key the section does not know, so a typo is not silently ignored. */
export function rejectUnknownKeys(section: IniSection, file: string, known: readonly string[]): void {
  for (const entry of section.entries.values()) {
    if (!known.includes(entry.key)) {
      throw new RetentionError(`unknown key; expected one of ${known.join(', ')}`, {
        file,
        line: entry.line,
        section: section.name,
        key: entry.key,
      });
    }
  }
}

/** Compiles a section's `pattern` (Python regex syntax; named groups translated to JavaScript's). */
export function compileSectionPattern(section: IniSection, file: string): RegExp {
  const entry = section.entries.get('pattern');
  if (!entry) {
    throw new RetentionError(`section has no 'pattern' (use 'pattern = .*' to match every series)`, {
      file,
      line: section.line,
      section: section.name,
    });
  }
  const source = entry.value.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
  try {
    return new RegExp(source);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RetentionError(`invalid regular expression '${entry.value}': ${reason}`, {
      file,
      line: entry.line,
      section: section.name,
      key: 'pattern',
    });
  }
}

export interface StorageSchema {
  name: string;
  pattern: RegExp;
  /** The pattern's test, as a string compare when it is a plain literal (pattern-test.ts). */
  matches: (name: string) => boolean;
  /** Finest precision first; frozen, since one list is shared by every series the schema matches. */
  archives: readonly Archive[];
}

/** The retention every series gets when no schema matches (and the whole embedded default). */
export const DEFAULT_RETENTIONS = '10s:7d,1m:30d,10m:5y';

/** The embedded storage-schemas.conf, used when there is no file; config/storage-schemas.conf says the same. */
export const EMBEDDED_STORAGE_SCHEMAS = `[default]
pattern = .*
retentions = ${DEFAULT_RETENTIONS}
`;

export const DEFAULT_ARCHIVES: readonly Archive[] = freezeArchives(parseRetentions(DEFAULT_RETENTIONS));

/**
 * Each archive is frozen; the array is not, and is readonly by its type only: V8 reads an element
 * of a frozen array on a slower path that made the engine's append loop (which reads
 * `layout.archives[0]` for every point) allocate about 40 bytes per point, a young-generation GC
 * every ~100k points (storage-engine bench, part f).
 */
function freezeArchives(archives: Archive[]): readonly Archive[] {
  return archives.map((archive) => Object.freeze(archive));
}

const SCHEMA_KEYS = ['pattern', 'retentions'] as const;

/** Parses storage-schemas.conf text; `file` names it in error messages. */
export function parseStorageSchemas(text: string, file: string): StorageSchema[] {
  return parseIniSections(text, file).map((section) => {
    rejectUnknownKeys(section, file, SCHEMA_KEYS);
    const pattern = compileSectionPattern(section, file);
    const entry = section.entries.get('retentions');
    if (!entry) {
      throw new RetentionError(`section has no 'retentions' (e.g. 'retentions = ${DEFAULT_RETENTIONS}')`, {
        file,
        line: section.line,
        section: section.name,
      });
    }
    let archives: Archive[];
    try {
      archives = parseRetentions(entry.value);
    } catch (error) {
      if (!(error instanceof RetentionError)) throw error;
      throw new RetentionError(`${error.problem} (in '${entry.value.replace(/\s*\n\s*/g, ' ')}')`, {
        file,
        line: entry.line,
        section: section.name,
        key: 'retentions',
      });
    }
    return { name: section.name, pattern, matches: patternTest(pattern), archives: freezeArchives(archives) };
  });
}

/** First matching schema's archives, or the default retention when none matches. */
export function archivesForName(schemas: readonly StorageSchema[], name: string): readonly Archive[] {
  for (const schema of schemas) {
    if (schema.matches(name)) return schema.archives;
  }
  return DEFAULT_ARCHIVES;
}

/** archivesForName() of the plain (ASCII, untagged) name in bytes[start, end); `match` is the schemas' patterns'. */
export function archivesForPlainName(schemas: readonly StorageSchema[], match: FirstMatch, bytes: Uint8Array, start: number, end: number): readonly Archive[] {
  const first = match.firstIn(bytes, start, end);
  return first < 0 ? DEFAULT_ARCHIVES : schemas[first].archives;
}
