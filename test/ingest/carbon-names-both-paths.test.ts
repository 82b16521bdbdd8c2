/**
 * Series names reaching one store by both roads: carbon lines through the worker's parser and
 * batcher (plain names as a block of bytes with their hashes) and names given as strings (StatsD,
 * pickle, queries). Random names, with the characters and shapes that tell the two apart, must
 * come to one series id and one tree node whichever road they take, through deletions, the
 * series limit, the worker forgetting its names, and restarts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CarbonBatchWriter } from '../../src/ingest/carbon-batch-writer.js';
import { CarbonBatcher } from '../../src/ingest/carbon-batcher.js';
import { CarbonPlaintextParser } from '../../src/ingest/carbon-plaintext-parser.js';
import type { CarbonBatchMessage } from '../../src/ingest/carbon-protocol.js';
import { normaliseSeriesName } from '../../src/ingest/graphite-tags.js';
import { nameInBlock, type NameBlock } from '../../src/names/name-block.js';
import { PointBatchBuilder, type PointBatch, type PointWriter } from '../../src/points.js';
import { loadRetentionPolicy } from '../../src/store/retention/index.js';
import { REJECTED_SERIES } from '../../src/store/series-store.js';
import { StorageEngine } from '../../src/store/storage-engine.js';
import { seededUint32 } from '../support/seeded-random.js';

const ALPHABET = 'abcXYZ019-_~"}{=!^';

function randomNames(seed: number, count: number): string[] {
  const next = seededUint32(seed);
  const pick = (n: number): number => next() % n;
  const component = (): string => {
    const roll = pick(30);
    if (roll === 0) return '';
    if (roll === 1) return 'é';
    if (roll <= 3) return 'x'.repeat(100 + pick(200));
    let text = '';
    for (let i = 1 + pick(6); i > 0; i--) text += ALPHABET[pick(ALPHABET.length)];
    return text;
  };
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const parts = Array.from({ length: 1 + pick(4) }, component);
    let name = parts.join('.');
    const roll = pick(20);
    if (roll === 0) name = `~${name}`;
    else if (roll === 1) name = `${name};k${pick(3)}=v${pick(3)}`;
    else if (roll === 2) name = `${name}{a="${pick(3)}"}`;
    else if (roll === 3) name = `${name}"}`;
    names.push(name);
  }
  return names;
}

/** The normal form the store knows a raw name by, or null if carbon refuses it. */
function normal(raw: string): string | null {
  if (raw.length === 0 || Buffer.byteLength(raw) > 1024) return null;
  try {
    return normaliseSeriesName(raw);
  } catch {
    return null;
  }
}

/** The engine, noting the id each name got by either road. */
class Recorder implements PointWriter {
  readonly seen: [string, number][] = [];
  /** Ids points were appended to: a deleted series' id held by a writer brings it back. */
  readonly appended = new Set<number>();
  constructor(public store: StorageEngine) {}
  seriesId(name: string): number {
    const id = this.store.seriesId(name);
    this.seen.push([name, id]);
    return id;
  }
  seriesIdIn(names: NameBlock, k: number): number {
    const id = this.store.seriesIdIn(names, k);
    this.seen.push([nameInBlock(names, k), id]);
    return id;
  }
  prefetch(names: NameBlock, from: number, to: number): void {
    this.store.prefetch(names, from, to);
  }
  append(batch: PointBatch): void {
    for (let i = 0; i < batch.length; i++) this.appended.add(batch.seriesIds[i]);
    this.store.append(batch);
  }
}

/** Short plain names (components of 0-4 bytes, names across 4-byte boundaries): nearly all go by bytes with the parser's hashes. */
function shortPlainNames(seed: number, count: number): string[] {
  const next = seededUint32(seed);
  return Array.from({ length: count }, () =>
    Array.from({ length: 1 + (next() % 4) }, () => Array.from({ length: next() % 5 }, () => 'ab1_-'[next() % 5]).join('')).join('.'),
  );
}

for (const [maxSeries, short] of [[Infinity, false], [120, false], [Infinity, true]] as const) {
  test(`random ${short ? 'short plain ' : ''}names by bytes and by string are one series each, one tree node, through deletions${maxSeries < Infinity ? ', the series limit' : ''} and restarts`, async () => {
    let dir = mkdtempSync(join(tmpdir(), 'carbonado-names-'));
    const now = 1_800_000_000 - (1_800_000_000 % 1200);
    const open = (): Promise<StorageEngine> => StorageEngine.open({ dataDir: dir, policy: loadRetentionPolicy({}), now: () => now, walSyncIntervalMs: 0, maxSeries });
    const next = seededUint32(short ? 13 : maxSeries === Infinity ? 11 : 12);
    const pick = (n: number): number => next() % n;
    const raws = short ? shortPlainNames(7, 400) : randomNames(maxSeries === Infinity ? 5 : 6, 400);
    let store = await open();
    const recorder = new Recorder(store);
    /** Every name's id while it lives; a deleted one keeps its id until a restart forgets it. */
    const ids = new Map<string, number>();
    const live = new Set<string>();
    const check = (name: string, id: number): void => {
      if (id === REJECTED_SERIES) {
        assert.ok(store.seriesCount() >= maxSeries || !live.has(name), `${JSON.stringify(name)} refused under the limit`);
        return;
      }
      const known = ids.get(name);
      if (known !== undefined) assert.equal(id, known, `${JSON.stringify(name)}: one id by either road`);
      else for (const [other, otherId] of ids) assert.notEqual(otherId, id, `${JSON.stringify(name)} and ${JSON.stringify(other)} share an id`);
      ids.set(name, id);
      live.add(name);
    };
    const verify = (when: string): void => {
      for (const [name, id] of recorder.seen) check(name, id);
      recorder.seen.length = 0;
      for (const [name, id] of ids) if (recorder.appended.has(id)) live.add(name);
      recorder.appended.clear();
      assert.equal(store.seriesCount(), live.size, `${when}: series count`);
      assert.deepEqual(new Set(store.names()), live, `${when}: names`);
      // The tree: every untagged name once, at its depth, and every branch once.
      const byDepth = new Map<number, string[]>();
      for (const name of live) {
        if (name.includes(';')) continue;
        const depth = name.split('.').length;
        byDepth.set(depth, [...(byDepth.get(depth) ?? []), name]);
      }
      for (let depth = 1; depth <= 6; depth++) {
        const glob = Array(depth).fill('*').join('.');
        assert.deepEqual(store.match(glob).sort(), (byDepth.get(depth) ?? []).sort(), `${when}: match ${glob}`);
        const nodes = store.find(glob);
        const paths = Array.from({ length: nodes.length }, (_, i) => nodes.path(i));
        const expected = new Set<string>();
        for (const name of live) {
          if (name.includes(';')) continue;
          const parts = name.split('.');
          if (parts.length >= depth) expected.add(parts.slice(0, depth).join('.'));
        }
        assert.deepEqual(paths.sort(), [...expected].sort(), `${when}: find ${glob}`);
      }
    };

    for (let round = 0; round < 12; round++) {
      // A worker's lifetime: small limits, so it forgets names and the parser's table starts over.
      const parser = new CarbonPlaintextParser({ maxKnownNames: 64, now: () => now });
      const batches: CarbonBatchMessage[] = [];
      const batcher = new CarbonBatcher((batch, transfer) => batches.push(structuredClone(batch, { transfer })), { maxPoints: 1 + pick(64), maxNewNames: 1 + pick(40), maxNames: 50 + pick(200) });
      const writer = new CarbonBatchWriter(recorder);
      for (let step = 0; step < 6; step++) {
        const lines = Array.from({ length: 1 + pick(150) }, () => `${raws[pick(raws.length)]} ${pick(100)} ${now - 60}\n`).join('');
        const bytes = Buffer.from(lines, 'utf8');
        parser.parse(bytes, 0, bytes.length, batcher, { lines: 0, badLines: 0 });
        batcher.flush();
        for (const batch of batches.splice(0)) while (!writer.appendNext(batch, 1 + pick(50), 1 + pick(20)));
        // Names as strings, as StatsD gives them, each with a point: a series asked for with no
        // point after its creation or revival is not in the log until the next sync (1 s), and
        // a kill -9 before that loses it (a series with no data).
        const statsd = new PointBatchBuilder();
        for (let i = pick(30); i > 0; i--) {
          const name = normal(raws[pick(raws.length)]);
          if (name === null) continue;
          const id = recorder.seriesId(name);
          if (id !== REJECTED_SERIES) statsd.push(id, now - 50, i);
        }
        recorder.append(statsd);
        verify(`round ${round} step ${step}`);
        if (pick(3) === 0) {
          const gone = [...live].filter(() => pick(8) === 0);
          assert.equal(await store.deleteSeries(gone), gone.length);
          for (const name of gone) live.delete(name);
          verify(`round ${round} step ${step} after deleting ${gone.length}`);
        }
      }
      if (round % 3 === 2) {
        if (round % 2 === 0) {
          await store.close();
        } else {
          // What kill -9 leaves: new series only in the write-ahead log, replayed.
          const copy = mkdtempSync(join(tmpdir(), 'carbonado-names-'));
          cpSync(dir, copy, { recursive: true });
          await store.close();
          rmSync(dir, { recursive: true, force: true });
          dir = copy;
        }
        store = await open();
        recorder.store = store;
        // Deleted series are forgotten by a restart: their names may come back under new ids.
        for (const name of ids.keys()) if (!live.has(name)) ids.delete(name);
        verify(`round ${round} after a restart${round % 2 === 0 ? '' : ' from a crash'}`);
      }
    }
    assert.ok(live.size > 50, `${live.size} series made`);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
}
