/**
 * Graphite's plaintext protocol: `path value timestamp` lines, fields separated by runs of spaces
 * or tabs (Python's `line.strip().split()` in carbon's MetricLineReceiver). Differences from carbon,
 * all of which make a line bad instead of storing something odd: NaN and infinite values (carbon
 * drops NaN silently and stores infinities), negative timestamps other than `-1`, timestamps past
 * 2^32 - 1 (usually milliseconds sent by mistake), names longer than `maxNameLength` bytes, names
 * that are not valid UTF-8, and tagged names Graphite 1.1 would refuse (carbon stores those
 * unnormalised). A timestamp of `-1`, `N` or `n` means now; fractional timestamps are truncated.
 */
import { grown } from '../grown-array.js';
import { GraphiteTagError, isPlainPath, normaliseSeriesName } from './graphite-tags.js';
import { latin1Slice } from '../names/ascii-name.js';
import { describeWalkedPath, FNV_OFFSET, FNV_PRIME, PATH_FIELDS } from '../names/name-hash.js';
import { murmurFinalise } from '../murmur-finaliser.js';

/** Where parsed points go: names become the sink's series handles, points carry a handle. */
export interface CarbonSink {
  /** The handle of a series (a normalised name), which point() takes. */
  seriesOf(name: string): number;
  /**
   * A handle for a name the caller has not asked about in this epoch, given without a lookup. A
   * name the sink knew already gets a second handle, which must serve as well as the first.
   */
  newSeries(name: string): number;
  /**
   * newSeries() of a plain name (ASCII, untagged: isPlainPath) given as its bytes, which the sink
   * may keep as bytes without making its string, with its describePath() fields in path[0,
   * PATH_FIELDS), walked as the line was read. Without it, the sink gets the name as a string.
   */
  newPlainSeries?(bytes: Uint8Array, start: number, end: number, path: Int32Array): number;
  point(series: number, value: number, timestamp: number): void;
  /** Changes when the handles given so far stop being valid: a parser may keep them until then. */
  readonly epoch: number;
}

/** Running totals a parser adds to; the caller owns and reports them. */
export interface CarbonParseCounters {
  /** Lines (plaintext) or entries (pickle) seen, bad ones included. */
  lines: number;
  badLines: number;
}

export interface CarbonPlaintextOptions {
  /** Longest accepted series name in bytes, before tag normalisation. Default 1024. */
  maxNameLength?: number;
  /** The current Unix time in seconds, for `-1`/`N` timestamps. Default: the system clock. */
  now?: () => number;
  /**
   * Distinct names whose bytes are remembered before they are all forgotten, a power of two.
   * Default 2^21: the 1M-series case stays a lookup, at up to 64 bytes of table and arena a name.
   */
  maxKnownNames?: number;
}

/** Largest timestamp a PointBatch (Uint32Array) can hold. */
export const MAX_TIMESTAMP = 0xffffffff;

/** Bad lines are reported with at most this many characters, as carbon logs them. */
const REPORTED_LINE_CHARS = 400;

const CR = 0x0d;
const LF = 0x0a;

/** Space, tab, LF, vertical tab, form feed, CR: what ends a field (Python's split() whitespace). */
function isFieldEnd(c: number): boolean {
  return c === 0x20 || (c <= CR && c >= 0x09);
}

/** Whitespace between fields: a field end other than the line's LF. */
function isBlank(c: number): boolean {
  return c !== LF && isFieldEnd(c);
}

/** 10^0 .. 10^22, exactly representable: the range where digits / 10^k rounds correctly. */
const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/** Mantissas up to this many digits are exact in a double (2^53 > 10^15). */
const EXACT_MANTISSA_DIGITS = 15;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

/**
 * A decimal number as Python's `float()` reads it (`1`, `-2.5`, `.5`, `5.`, `1e3`, `+7`), or NaN.
 * Short plain decimals are converted here without allocating (exact: an integer below 2^53
 * divided by an exact power of ten rounds once); anything else goes through Number().
 * `inf`, `nan` and Python's `1_000` are NaN here: callers treat them as bad input.
 */
export function parseDecimal(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  let negative = false;
  const sign = bytes[i];
  if (sign === 0x2d /* - */ || sign === 0x2b /* + */) {
    negative = sign === 0x2d;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = 0;
  let sawDot = false;
  for (; i < end; i++) {
    const c = bytes[i];
    if (c >= 0x30 && c <= 0x39) {
      mantissa = mantissa * 10 + (c - 0x30);
      digits++;
      if (sawDot) fractionDigits++;
    } else if (c === 0x2e /* . */ && !sawDot) {
      sawDot = true;
    } else {
      break;
    }
  }
  if (i === end) {
    if (digits === 0) return NaN;
    if (digits <= EXACT_MANTISSA_DIGITS) {
      const magnitude = fractionDigits === 0 ? mantissa : mantissa / EXACT_POWERS_OF_TEN[fractionDigits];
      return negative ? -magnitude : magnitude;
    }
  }
  return parseDecimalSlow(bytes, start, end);
}

/** Exponents, long mantissas: Number() after checking the text is a plain decimal (no hex, no `Infinity`). */
function parseDecimalSlow(bytes: Uint8Array, start: number, end: number): number {
  let text = '';
  for (let i = start; i < end; i++) {
    const c = bytes[i];
    const ok = (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0x2b || c === 0x65 || c === 0x45;
    if (!ok) return NaN;
    text += String.fromCharCode(c);
  }
  return Number(text);
}

/** Timestamp field in whole seconds (truncated, as carbon's int()); `N`/`n` give -1, which means now. */
function parseTimestamp(bytes: Uint8Array, start: number, end: number): number {
  if (end - start === 1 && (bytes[start] === 0x4e /* N */ || bytes[start] === 0x6e /* n */)) return -1;
  return Math.trunc(parseDecimal(bytes, start, end));
}

/**
 * Raw name bytes → the sink's handle for the normalised name, so that a line whose name was seen
 * before costs no decode, no tag parse, no string and no Map lookup. Names are entries, numbered as
 * they are added; their bytes are copied into an arena. Clients send their series in the same order
 * at every interval, so the entry that followed the previous line's last time is tried first, by a
 * word-wise compare with no hashing; otherwise the name is hashed and looked up (open addressing,
 * linear probing). The hash is the store's (hashNameBytes), so a new name's is sent on with it. Sized to the name set (a small table stays in cache); at its largest, or with
 * its arena full, it is emptied and starts over, a bounded cost for name sets larger than it.
 */
class RawNameTable {
  /** Per slot: hash, entry + 1 (0: a free slot). */
  private slots = new Int32Array(0);
  private mask = 0;
  /** Per entry: arena offset, length, handle, the entry seen after it last time (-1: none). */
  private entries = new Int32Array(0);
  private count = 0;
  private arena: Uint8Array;
  private arenaView: DataView;
  private arenaUsed = 0;
  /** The entry of the name seen last, or -1. */
  private last = -1;
  /** Counts the times every name was forgotten. */
  clears = 0;

  constructor(
    initialSlots: number,
    private readonly maxSlots: number,
    initialArenaBytes: number,
    private readonly maxArenaBytes: number,
  ) {
    this.allocate(initialSlots);
    this.arena = new Uint8Array(initialArenaBytes);
    this.arenaView = new DataView(this.arena.buffer);
  }

  /**
   * The entry seen after the last one the time before, if `bytes` (seen through `view`) hold its
   * name from `start` on, followed by a space before `end`; else -1.
   */
  predicted(bytes: Uint8Array, view: DataView, start: number, end: number): number {
    if (this.last < 0) return -1;
    const entry = this.entries[this.last * 4 + 3];
    if (entry < 0) return -1;
    const nameEnd = start + this.entries[entry * 4 + 1];
    if (nameEnd >= end || bytes[nameEnd] !== 0x20) return -1;
    return this.holds(entry, bytes, view, start, nameEnd) ? entry : -1;
  }

  /** The entry of the name in bytes[start, end), whose hash is `hash`, or -1. */
  find(bytes: Uint8Array, view: DataView, start: number, end: number, hash: number): number {
    const { slots, mask } = this;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const at = slot << 1;
      const entryPlusOne = slots[at + 1];
      if (entryPlusOne === 0) return -1;
      if (slots[at] === hash && this.holds(entryPlusOne - 1, bytes, view, start, end)) return entryPlusOne - 1;
    }
  }

  /** Names added since the start (never reset): a caller tells from it how many were new. */
  added = 0;
  /** The sum of what prefetch() read (kept, so the reads are not optimised away). */
  private sink = 0;

  /**
   * Brings the slots of `count` hashes (walks[from + k * stride]) into the CPU caches, in a loop of
   * independent loads the CPU overlaps. Looked up line by line, each name of a burst of new ones
   * waited for its own cache miss (the table of a million names is 16 MB), about half of the
   * line's work.
   */
  prefetch(hashes: Int32Array, from: number, count: number, stride: number): void {
    const { slots, mask } = this;
    let sink = 0;
    for (let k = 0, at = from; k < count; k++, at += stride) sink ^= slots[((hashes[at] & mask) << 1) + 1];
    this.sink = sink;
  }

  /** Records that `entry`'s name was seen, after the one seen before it. */
  seen(entry: number): void {
    if (this.last >= 0) this.entries[this.last * 4 + 3] = entry;
    this.last = entry;
  }

  handleOf(entry: number): number {
    return this.entries[entry * 4 + 2];
  }

  lengthOf(entry: number): number {
    return this.entries[entry * 4 + 1];
  }

  /** Adds a name that find() just missed; returns its entry, or -1 for one longer than the whole arena. */
  add(bytes: Uint8Array, view: DataView, start: number, end: number, hash: number, handle: number): number {
    const length = end - start;
    if (length > this.maxArenaBytes) return -1;
    if (this.count >= (this.mask + 1) >>> 1) {
      if (this.mask + 1 < this.maxSlots) this.grow();
      else this.clear();
    }
    let needed = this.arenaUsed + length;
    if (needed > this.maxArenaBytes) {
      this.clear();
      needed = length;
    }
    if (needed > this.arena.length) this.growArena(needed);
    const offset = this.arenaUsed;
    // Four bytes at a time, then byte by byte: a subarray per new name (for set()) was a
    // typed-array object of garbage each, and a byte loop was most of add()'s time.
    const arenaView = this.arenaView;
    let i = 0;
    for (; i + 4 <= length; i += 4) arenaView.setInt32(offset + i, view.getInt32(start + i, true), true);
    const arena = this.arena;
    for (; i < length; i++) arena[offset + i] = bytes[start + i];
    this.arenaUsed += length;
    const entry = this.count++;
    this.added++;
    this.entries[entry * 4] = offset;
    this.entries[entry * 4 + 1] = length;
    this.entries[entry * 4 + 2] = handle;
    this.entries[entry * 4 + 3] = -1;
    this.insert(hash, entry);
    return entry;
  }

  /** Forgets every name. */
  clear(): void {
    this.clears++;
    this.slots.fill(0);
    this.count = 0;
    this.arenaUsed = 0;
    this.last = -1;
  }

  /** Whether bytes[start, end) is the entry's name; four bytes at a time. */
  private holds(entry: number, bytes: Uint8Array, view: DataView, start: number, end: number): boolean {
    const length = end - start;
    if (this.entries[entry * 4 + 1] !== length) return false;
    const offset = this.entries[entry * 4];
    const arenaView = this.arenaView;
    let i = 0;
    for (; i + 4 <= length; i += 4) {
      if (view.getInt32(start + i, true) !== arenaView.getInt32(offset + i, true)) return false;
    }
    const arena = this.arena;
    for (; i < length; i++) {
      if (bytes[start + i] !== arena[offset + i]) return false;
    }
    return true;
  }

  private insert(hash: number, entry: number): void {
    let slot = hash & this.mask;
    while (this.slots[(slot << 1) + 1] !== 0) slot = (slot + 1) & this.mask;
    this.slots[slot << 1] = hash;
    this.slots[(slot << 1) + 1] = entry + 1;
  }

  /** Slots for `slotCount` hashes, entries for half as many names: the table is never more than half full. */
  private allocate(slotCount: number): void {
    this.slots = new Int32Array(slotCount * 2);
    this.mask = slotCount - 1;
    const entries = new Int32Array(slotCount * 2);
    entries.set(this.entries.subarray(0, this.count * 4));
    this.entries = entries;
  }

  private grow(): void {
    const old = this.slots;
    this.allocate((this.mask + 1) * 2);
    for (let at = 0; at < old.length; at += 2) {
      if (old[at + 1] !== 0) this.insert(old[at], old[at + 1] - 1);
    }
  }

  private growArena(needed: number): void {
    let capacity = this.arena.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(Math.min(capacity, this.maxArenaBytes));
    grown.set(this.arena.subarray(0, this.arenaUsed));
    this.arena = grown;
    this.arenaView = new DataView(grown.buffer);
  }
}

/** What walkNames() keeps of a line's walk, as the parser's walk* fields and the line's bounds. */
const Walk = { lineStart: 0, nameEnd: 1, hash: 2, state: 3, dot: 4, parent: 5, ascii: 6 } as const;
const WALK_FIELDS = 7;

/** The name table starts small, and starts over past maxKnownNames or 64 MiB of names. */
const NAME_TABLE_INITIAL_SLOTS = 1 << 10;
const DEFAULT_MAX_KNOWN_NAMES = 1 << 21;
const NAME_ARENA_INITIAL_BYTES = 1 << 16;
const NAME_ARENA_MAX_BYTES = 1 << 26;

export class CarbonPlaintextParser {
  private readonly maxNameLength: number;
  private readonly clock: () => number;
  private readonly onBadLine: ((line: string, reason: string) => void) | undefined;
  private readonly names: RawNameTable;
  /** The sink, and its epoch, whose handles `names` holds. */
  private sink: CarbonSink | null = null;
  private epoch = 0;
  /**
   * names.clears when the sink was last followed. While it stays the same, every name asked of
   * the sink is still in `names`, so a name missing there is new to the sink: no lookup needed.
   */
  private followedAt = 0;
  /** The clock as read for this parse() call, or -1: read once per call, and only if a line asks for it. */
  private now = -1;
  /** The last parse() call's lines had this many new names among them in eight: this one prefetches when any. */
  private newEighths = 0;
  /**
   * The walks of the names of this parse() call's lines, made ahead by walkNames() (when it
   * prefetches): Walk fields per line, `walked` lines, `nextWalk` the first not yet reached.
   */
  private walks = new Int32Array(1024 * WALK_FIELDS);
  private walked = 0;
  private nextWalk = 0;
  /**
   * The scan of the line's name, for describeWalkedPath: the hash's state after the name, its last
   * dot (-1: none) and the state before that dot. A new name's hashes for the store come from it.
   */
  private walkState = 0;
  private walkDot = -1;
  private walkParent = 0;
  /** The OR of the name's bytes: >= 0x80 means non-ASCII. */
  private walkAscii = 0;
  /** describePath's fields of the name given to newPlainSeries. */
  private readonly path = new Int32Array(PATH_FIELDS);

  constructor(options: CarbonPlaintextOptions = {}, onBadLine?: (line: string, reason: string) => void) {
    this.maxNameLength = options.maxNameLength ?? 1024;
    const maxSlots = 2 * (options.maxKnownNames ?? DEFAULT_MAX_KNOWN_NAMES);
    this.names = new RawNameTable(Math.min(NAME_TABLE_INITIAL_SLOTS, maxSlots), maxSlots, NAME_ARENA_INITIAL_BYTES, NAME_ARENA_MAX_BYTES);
    this.clock = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.onBadLine = onBadLine;
  }

  /**
   * Parses the lines in `bytes[start, end)`. The range must hold complete lines; a last line
   * without its `\n` counts as complete (a UDP datagram). Bad lines are counted, reported and skipped.
   */
  parse(bytes: Uint8Array, start: number, end: number, sink: CarbonSink, counters: CarbonParseCounters): void {
    if (sink !== this.sink || sink.epoch !== this.epoch) this.follow(sink);
    this.now = -1;
    // Only after input with new names (a burst of new series): names seen before are mostly
    // predicted with no lookup, and their reads would be a pass over the input for nothing.
    this.walked = 0;
    this.nextWalk = 0;
    if (this.newEighths > 0) this.walkNames(bytes, start, end);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const linesBefore = counters.lines;
    const addedBefore = this.names.added;
    let lineStart = start;
    while (lineStart < end) {
      counters.lines++;
      const next = this.commonLine(bytes, view, lineStart, end, sink);
      lineStart = next >= 0 ? next : this.anyLine(bytes, view, lineStart, end, sink, counters);
    }
    const lines = counters.lines - linesBefore;
    this.newEighths = lines > 0 ? Math.floor((8 * (this.names.added - addedBefore)) / lines) : 0;
  }

  /**
   * Walks the names of the lines in bytes[start, end) ahead, as commonLine() would, into `walks`,
   * and prefetches their slots: the lookups then find them in the caches, and commonLine() takes a
   * line's walk from here instead of walking the name a second time.
   */
  private walkNames(bytes: Uint8Array, start: number, end: number): void {
    let walks = this.walks;
    let at = 0;
    for (let i = start; i < end; ) {
      const lineStart = i;
      i = this.walkName(bytes, i, end);
      if (at === walks.length) this.walks = walks = grown(walks, 2 * at);
      walks[at + Walk.lineStart] = lineStart;
      walks[at + Walk.nameEnd] = i;
      walks[at + Walk.hash] = murmurFinalise(this.walkState);
      walks[at + Walk.state] = this.walkState;
      walks[at + Walk.dot] = this.walkDot;
      walks[at + Walk.parent] = this.walkParent;
      walks[at + Walk.ascii] = this.walkAscii;
      at += WALK_FIELDS;
      while (i < end && bytes[i] !== LF) i++;
      i++;
    }
    this.walked = at / WALK_FIELDS;
    this.names.prefetch(walks, Walk.hash, this.walked, WALK_FIELDS);
  }

  /**
   * Walks the name from `start` up to a space or control byte: sets walkState, walkDot, walkParent
   * and walkAscii, and returns the name's end.
   */
  private walkName(bytes: Uint8Array, start: number, end: number): number {
    let state = FNV_OFFSET;
    let dot = -1;
    let parent = FNV_OFFSET;
    let ascii = 0;
    let i = start;
    let c = 0;
    while (i < end && (c = bytes[i]) > 0x20) {
      if (c === 0x2e /* . */) {
        dot = i;
        parent = state;
      }
      state = Math.imul(state ^ c, FNV_PRIME);
      ascii |= c;
      i++;
    }
    this.walkState = state;
    this.walkDot = dot;
    this.walkParent = parent;
    this.walkAscii = ascii;
    return i;
  }

  /** The offset in `walks` of the walk of the line at `lineStart`, or -1 if there is none. */
  private walkOf(lineStart: number): number {
    const walks = this.walks;
    while (this.nextWalk < this.walked) {
      const at = this.nextWalk * WALK_FIELDS;
      const walkStart = walks[at + Walk.lineStart];
      if (walkStart >= lineStart) return walkStart === lineStart ? at : -1;
      this.nextWalk++;
    }
    return -1;
  }

  /** Forgets the handles of another sink, or of this one before its epoch changed. */
  private follow(sink: CarbonSink): void {
    this.names.clear();
    this.sink = sink;
    this.epoch = sink.epoch;
    this.followedAt = this.names.clears;
  }

  /**
   * The line nearly every client sends, in one pass: `name value timestamp\n`, single spaces, a
   * plain decimal value and an integer timestamp. Returns the next line's start, or -1 (nothing
   * consumed, nor any name added) for anyLine() to read it by the full rules.
   */
  private commonLine(bytes: Uint8Array, view: DataView, lineStart: number, end: number, sink: CarbonSink): number {
    const names = this.names;
    let entry = names.predicted(bytes, view, lineStart, end);
    let i: number;
    let c = 0;
    let hash = 0;
    let ascii = 0; // OR of the name bytes: >= 0x80 means non-ASCII
    if (entry >= 0) {
      i = lineStart + names.lengthOf(entry);
    } else {
      const walk = this.walked > 0 ? this.walkOf(lineStart) : -1;
      if (walk >= 0) {
        const walks = this.walks;
        i = walks[walk + Walk.nameEnd];
        c = i < end ? bytes[i] : 0;
        hash = walks[walk + Walk.hash];
        ascii = walks[walk + Walk.ascii];
        this.walkState = walks[walk + Walk.state];
        this.walkDot = walks[walk + Walk.dot];
        this.walkParent = walks[walk + Walk.parent];
      } else {
        i = this.walkName(bytes, lineStart, end);
        c = i < end ? bytes[i] : 0;
        hash = murmurFinalise(this.walkState);
        ascii = this.walkAscii;
      }
      if (c !== 0x20 || i === lineStart || i - lineStart > this.maxNameLength) return -1;
      // A name not seen (-1) is made a series once the rest of the line is read, here too: anyLine
      // read every new name's line again, by the full rules.
      entry = names.find(bytes, view, lineStart, i, hash);
    }
    const nameEnd = i;

    i++;
    const negative = bytes[i] === 0x2d; /* - */
    if (negative) i++;
    let mantissa = 0;
    let digits = 0;
    let dot = -1;
    for (; i < end; i++) {
      c = bytes[i];
      if (c >= 0x30 && c <= 0x39) {
        mantissa = mantissa * 10 + (c - 0x30);
        digits++;
      } else if (c === 0x2e /* . */ && dot < 0) {
        dot = i;
      } else {
        break;
      }
    }
    if (i === end || c !== 0x20 || digits === 0 || digits > EXACT_MANTISSA_DIGITS) return -1;
    const magnitude = dot < 0 ? mantissa : mantissa / EXACT_POWERS_OF_TEN[i - dot - 1];

    i++;
    const timeStart = i;
    let timestamp = 0;
    for (; i < end; i++) {
      c = bytes[i];
      if (c < 0x30 || c > 0x39) break;
      timestamp = timestamp * 10 + (c - 0x30);
    }
    if (i === timeStart || i - timeStart > 10 || timestamp > MAX_TIMESTAMP || (i < end && c !== LF)) return -1;

    let series: number;
    if (entry >= 0) {
      names.seen(entry);
      series = names.handleOf(entry);
    } else {
      // Nothing is changed when a name is refused: anyLine reads the line again and reports it.
      series = this.seriesOf(bytes, view, lineStart, nameEnd, ascii < 0x80, hash, sink, true);
      if (series < 0) return -1;
    }
    sink.point(series, negative ? -magnitude : magnitude, timestamp);
    return i + 1;
  }

  /** Any line, by every rule in the header; returns the next line's start. */
  private anyLine(bytes: Uint8Array, view: DataView, lineStart: number, end: number, sink: CarbonSink, counters: CarbonParseCounters): number {
    // Fields: [nameStart, nameEnd) [valueStart, valueEnd) [timeStart, timeEnd); one pass, the
    // name hashed on the way for the name table. Most bytes are not separators: test > 0x20 first.
    let i = lineStart;
    while (i < end && isBlank(bytes[i])) i++;
    const nameStart = i;
    let ascii = 0; // OR of the name bytes: >= 0x80 means non-ASCII
    let state = FNV_OFFSET;
    let dot = -1;
    let parent = FNV_OFFSET;
    for (; i < end; i++) {
      const c = bytes[i];
      if (c <= 0x20 && isFieldEnd(c)) break;
      if (c === 0x2e /* . */) {
        dot = i;
        parent = state;
      }
      ascii |= c;
      state = Math.imul(state ^ c, FNV_PRIME);
    }
    const nameEnd = i;
    const hash = murmurFinalise(state);
    this.walkState = state;
    this.walkDot = dot;
    this.walkParent = parent;
    while (i < end && isBlank(bytes[i])) i++;
    const valueStart = i;
    while (i < end && !(bytes[i] <= 0x20 && isFieldEnd(bytes[i]))) i++;
    const valueEnd = i;
    while (i < end && isBlank(bytes[i])) i++;
    const timeStart = i;
    while (i < end && !(bytes[i] <= 0x20 && isFieldEnd(bytes[i]))) i++;
    const timeEnd = i;
    while (i < end && isBlank(bytes[i])) i++;
    let lineEnd = i;
    const extraFields = i < end && bytes[i] !== LF;
    if (extraFields) {
      lineEnd = bytes.indexOf(LF, i);
      if (lineEnd === -1 || lineEnd > end) lineEnd = end;
    }

    let problem: string | null = null;
    if (nameStart === lineEnd) problem = 'empty line';
    else if (timeStart === timeEnd || extraFields) problem = 'expected 3 fields: path value timestamp';
    else if (nameEnd - nameStart > this.maxNameLength) problem = `name longer than ${this.maxNameLength} bytes`;

    let value = 0;
    let timestamp = 0;
    if (problem === null) {
      value = parseDecimal(bytes, valueStart, valueEnd);
      if (!Number.isFinite(value)) problem = 'value is not a finite number';
    }
    if (problem === null) {
      timestamp = parseTimestamp(bytes, timeStart, timeEnd);
      if (timestamp === -1) {
        if (this.now === -1) this.now = this.clock();
        timestamp = this.now;
      }
      if (Number.isNaN(timestamp)) problem = 'timestamp is not a number';
      else if (timestamp < 0) problem = 'negative timestamp';
      else if (timestamp > MAX_TIMESTAMP) problem = 'timestamp past 2106 (milliseconds instead of seconds?)';
    }
    let series = -1;
    if (problem === null) {
      series = this.seriesOf(bytes, view, nameStart, nameEnd, ascii < 0x80, hash, sink, false);
      if (series < 0) problem = this.nameProblem;
    }

    if (problem === null) sink.point(series, value, timestamp);
    else this.reject(bytes, lineStart, lineEnd, problem, counters);
    return lineEnd + 1;
  }

  /** Why the last seriesOf() call returned -1. */
  private nameProblem = '';

  /**
   * The sink's handle for the name in these bytes, or -1 (reason in nameProblem). `missed`: the
   * caller has just looked the name up in `names` and not found it: no second probe.
   */
  private seriesOf(bytes: Uint8Array, view: DataView, start: number, end: number, ascii: boolean, hash: number, sink: CarbonSink, missed: boolean): number {
    const names = this.names;
    let entry = missed ? -1 : names.find(bytes, view, start, end, hash);
    if (entry < 0) {
      // At 1M series, a lookup among every name seen costs more than the rest of the line.
      const unasked = names.clears === this.followedAt;
      let series: number;
      if (unasked && ascii && sink.newPlainSeries !== undefined && isPlainPath(bytes, start, end)) {
        describeWalkedPath(bytes, start, end, this.walkState, this.walkDot, this.walkParent, this.path, 0);
        series = sink.newPlainSeries(bytes, start, end, this.path);
      } else {
        const name = this.nameOf(bytes, start, end, ascii);
        if (name === null) return -1;
        series = unasked ? sink.newSeries(name) : sink.seriesOf(name);
      }
      if (sink.epoch !== this.epoch) this.follow(sink); // the sink has just forgotten its handles
      entry = names.add(bytes, view, start, end, hash, series);
      if (entry < 0) return series;
    }
    names.seen(entry);
    return names.handleOf(entry);
  }

  /** The normalised name in these bytes, or null (reason in nameProblem). */
  private nameOf(bytes: Uint8Array, start: number, end: number, ascii: boolean): string | null {
    let raw: string;
    if (ascii) {
      raw = latin1Slice.call(bytes, start, end);
    } else {
      try {
        raw = utf8.decode(bytes.subarray(start, end));
      } catch {
        this.nameProblem = 'name is not valid UTF-8';
        return null;
      }
    }
    try {
      return normaliseSeriesName(raw);
    } catch (err) {
      if (!(err instanceof GraphiteTagError)) throw err;
      this.nameProblem = err.message;
      return null;
    }
  }

  private reject(bytes: Uint8Array, lineStart: number, lineEnd: number, reason: string, counters: CarbonParseCounters): void {
    counters.badLines++;
    if (this.onBadLine === undefined) return;
    let end = lineEnd;
    if (end > lineStart && bytes[end - 1] === CR) end--;
    const text = lenientUtf8.decode(bytes.subarray(lineStart, Math.min(end, lineStart + REPORTED_LINE_CHARS * 4)));
    this.onBadLine(text.length > REPORTED_LINE_CHARS ? `${text.slice(0, REPORTED_LINE_CHARS)}...` : text, reason);
  }
}
