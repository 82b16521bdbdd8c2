import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { crc32 } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WriteAheadLog, type WalReplayHandler } from '../../src/store/wal.js';
import { PointBatchBuilder } from '../../src/points.js';

function collect(): { handler: WalReplayHandler; series: [number, string][]; points: [number, number, number][] } {
  const series: [number, string][] = [];
  const points: [number, number, number][] = [];
  return {
    series,
    points,
    handler: {
      series: (id, name) => series.push([id, name]),
      points: (b) => {
        for (let i = 0; i < b.length; i++) points.push([b.seriesIds[i], b.timestamps[i], b.values[i]]);
      },
    },
  };
}

function batch(points: [number, number, number][]): PointBatchBuilder {
  const b = new PointBatchBuilder(2);
  for (const [id, ts, v] of points) b.push(id, ts, v);
  return b;
}

test('replays series and points in the order they were logged, across reopen', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carbonado-wal-'));
  const first = WriteAheadLog.open(dir, 0, collect().handler).wal;
  first.logSeries(1, 'a.b.c');
  first.logPoints(batch([[1, 100, 1.5], [1, 110, -2]]));
  first.logSeries(2, 'x;k=vé');
  first.logPoints(batch([[2, 100, Number.MAX_VALUE], [1, 110, 3]]));
  first.close();

  const replay = collect();
  const { wal, stats } = WriteAheadLog.open(dir, 0, replay.handler);
  assert.deepEqual(replay.series, [[1, 'a.b.c'], [2, 'x;k=vé']]);
  assert.deepEqual(replay.points, [[1, 100, 1.5], [1, 110, -2], [2, 100, Number.MAX_VALUE], [1, 110, 3]]);
  assert.equal(stats.points, 4);
  assert.equal(stats.records, 4);
  assert.equal(stats.tornBytes, 0);
  wal.close();
});

test('a torn tail frame is ignored and the frames before it survive', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carbonado-wal-'));
  const wal = WriteAheadLog.open(dir, 0, collect().handler).wal;
  wal.logSeries(7, 'kept');
  wal.logPoints(batch([[7, 100, 1]]));
  wal.logPoints(batch([[7, 110, 2]]));
  wal.close();
  const file = join(dir, readdirSync(dir)[0]);
  truncateSync(file, statSync(file).size - 3);
  appendFileSync(file, Buffer.from([1, 2]));

  const replay = collect();
  const { stats } = WriteAheadLog.open(dir, 0, replay.handler);
  assert.deepEqual(replay.points, [[7, 100, 1]]);
  assert.ok(stats.tornBytes > 0);
});

test('rotation starts a new segment and removeBefore drops only older ones', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'carbonado-wal-'));
  const wal = WriteAheadLog.open(dir, 0, collect().handler).wal;
  wal.logPoints(batch([[1, 100, 1]]));
  const keepFrom = wal.rotate();
  wal.logPoints(batch([[1, 110, 2]]));
  assert.equal(readdirSync(dir).length, 2);
  await wal.removeBefore(keepFrom);
  wal.close();
  const replay = collect();
  WriteAheadLog.open(dir, 0, replay.handler).wal.close();
  assert.deepEqual(replay.points, [[1, 110, 2]]);
});

test('a rotated-out segment is synced on the thread pool and closed; close() right after rotate() still replays everything', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'carbonado-wal-'));
  const openFds = (): number => readdirSync('/proc/self/fd').length;
  const wal = WriteAheadLog.open(dir, 0, collect().handler).wal;
  const before = openFds();
  wal.logPoints(batch([[1, 100, 1]]));
  wal.rotate();
  wal.logPoints(batch([[1, 110, 2]]));
  await wal.syncInPool();
  // The old segment's own sync may end a little later than the one awaited.
  for (let waited = 0; openFds() !== before && waited < 5000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(openFds(), before, 'the old segment is closed once synced');
  wal.rotate();
  wal.logPoints(batch([[1, 120, 3]]));
  wal.close(); // the last rotation's sync may still be running
  const replay = collect();
  WriteAheadLog.open(dir, 0, replay.handler).wal.close();
  assert.deepEqual(replay.points, [[1, 100, 1], [1, 110, 2], [1, 120, 3]]);
});

test('many new series share one frame; single-series frames of earlier versions still replay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carbonado-wal-'));
  // One type-1 frame as earlier versions wrote it: type, id, name length, name.
  const name = Buffer.from('old.one', 'utf8');
  const payload = Buffer.alloc(7 + name.length);
  payload[0] = 1;
  payload.writeUInt32LE(9, 1);
  payload.writeUInt16LE(name.length, 5);
  name.copy(payload, 7);
  const header = Buffer.alloc(8);
  header.writeUInt32LE(payload.length, 0);
  header.writeUInt32LE(crc32(payload), 4);
  writeFileSync(join(dir, '00000001.wal'), Buffer.concat([header, payload]));
  const first = WriteAheadLog.open(dir, 0, collect().handler).wal;
  for (let id = 10; id < 1010; id++) first.logSeries(id, `new.series_${id}`);
  first.logPoints(batch([[9, 100, 1], [1009, 100, 2]]));
  first.close();

  const replay = collect();
  const { wal, stats } = WriteAheadLog.open(dir, 0, replay.handler);
  assert.equal(replay.series.length, 1001);
  assert.deepEqual(replay.series[0], [9, 'old.one']);
  assert.deepEqual(replay.series[1000], [1009, 'new.series_1009']);
  assert.deepEqual(replay.points, [[9, 100, 1], [1009, 100, 2]]);
  assert.equal(stats.records, 3, 'the old frame, one frame of 1000 names, one of points');
  wal.close();
});

test('a burst of series names larger than the frame buffer replays whole, ASCII and not', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carbonado-wal-'));
  const first = WriteAheadLog.open(dir, 0, collect().handler).wal;
  const names = Array.from({ length: 5000 }, (_, i) => (i % 7 === 3 ? `bürst.host_${i % 10}.métric_${i}` : `burst.host_${i % 10}.metric_with_a_long_name_${i}`));
  names.forEach((name, id) => first.logSeries(id, name));
  first.logPoints(batch([[4999, 100, 1]]));
  first.close();
  const replay = collect();
  const { wal } = WriteAheadLog.open(dir, 0, replay.handler);
  assert.deepEqual(replay.series, names.map((name, id) => [id, name]));
  assert.deepEqual(replay.points, [[4999, 100, 1]]);
  wal.close();
});

test('series logged from their bytes replay as those logged from their strings, in one frame', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carbonado-wal-'));
  const first = WriteAheadLog.open(dir, 0, collect().handler).wal;
  const bytes = Buffer.from('  from.bytes.one from.bytes.two', 'latin1');
  first.logSeries(1, 'from.string.ünï');
  first.logSeriesBytes(2, bytes, 2, 16);
  first.logSeries(3, 'from.string.b');
  // Past the frame buffer: it grows with the name's bytes in place.
  for (let id = 4; id < 4000; id++) first.logSeriesBytes(id, bytes, 17, 31);
  first.logPoints(batch([[2, 100, 1]]));
  first.close();
  const replay = collect();
  const { wal, stats } = WriteAheadLog.open(dir, 0, replay.handler);
  assert.deepEqual(replay.series.slice(0, 4), [[1, 'from.string.ünï'], [2, 'from.bytes.one'], [3, 'from.string.b'], [4, 'from.bytes.two']]);
  assert.equal(replay.series.length, 3999);
  assert.deepEqual(replay.series[3998], [3999, 'from.bytes.two']);
  assert.equal(stats.records, 2, 'one frame of names, one of points');
  wal.close();
});

const hasPrlimit = spawnSync('prlimit', ['--version']).status === 0;

/**
 * Runs `body` in a child process under a 1 KiB file-size limit (EFBIG past it; Node ignores
 * SIGXFSZ), with `imports` above it, `wal` open on `dir` and `point(id, n)` making a batch of n
 * points of series id at t=100; returns what it printed.
 */
function walChildUnderOneKiB(dir: string, imports: string, body: string): string {
  const child = `
    ${imports}
    const { WriteAheadLog } = await import(${JSON.stringify(new URL('../../src/store/wal.js', import.meta.url).href)});
    const { wal } = WriteAheadLog.open(${JSON.stringify(dir)}, 0, { series() {}, points() {} });
    const point = (id, n) => ({ length: n, seriesIds: new Uint32Array(n).fill(id), timestamps: new Uint32Array(n).fill(100), values: new Float64Array(n) });
    ${body}
  `;
  const run = spawnSync('bash', ['-c', 'ulimit -S -f 1 && exec "$0" --input-type=module -e "$1"', process.execPath, child], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

test('a new series whose frame failed to write (file too large) goes out with the next points frame', { timeout: 30_000, skip: !hasPrlimit && 'needs util-linux prlimit' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'carbonado-wal-'));
  // A child under a 1 KiB file-size limit (EFBIG past it; Node ignores SIGXFSZ): 64 frames fill the
  // segment to exactly 1 KiB, the writev of a new series and its point fails whole, then the limit
  // is lifted (prlimit on its own pid) and the series' next point is logged.
  const stdout = walChildUnderOneKiB(dir, `import { execFileSync } from 'node:child_process';`, `
    for (let i = 0; i < 63; i++) wal.logDeleted(7); // 13 bytes each
    wal.logPoints(point(0, 12)); // 13 + 12 * 16: 1024 bytes in all
    wal.logSeries(1, 'kept.series');
    try { wal.logPoints(point(1, 1)); console.log('written'); } catch (err) { console.log(err.code); }
    execFileSync('prlimit', ['--pid', String(process.pid), '--fsize=unlimited:']);
    wal.logPoints(point(1, 1));
    wal.close();
  `);
  assert.equal(stdout.trim(), 'EFBIG', 'the first write of the series failed');
  const replay = collect();
  const { wal } = WriteAheadLog.open(dir, 0, { ...replay.handler, deleted: () => {} });
  assert.deepEqual(replay.series, [[1, 'kept.series']], 'the series is in the log with its point');
  assert.deepEqual(replay.points.filter(([id]) => id === 1), [[1, 100, 0]]);
  wal.close();
});

test('a frame cut short by the file-size limit is taken back whole, and every frame acknowledged after it replays', { timeout: 30_000, skip: !hasPrlimit && 'needs util-linux prlimit' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'carbonado-wal-'));
  // A child under a 1 KiB file-size limit: 63 frames fill 819 bytes, then a new series and 20 of its
  // points (363 bytes) straddle the limit: the kernel writes part and the rest fails with EFBIG. A
  // smaller frame that fits follows, then the limit is lifted and a large one goes out. The child
  // prints each write's outcome and the points of every write that returned (acknowledged).
  const stdout = walChildUnderOneKiB(dir, `import { execFileSync } from 'node:child_process';`, `
    const outcomes = [];
    const acknowledged = [];
    const log = (n, timestamp) => {
      const values = Float64Array.from({ length: n }, (_, i) => i);
      try {
        wal.logPoints({ length: n, seriesIds: new Uint32Array(n).fill(1), timestamps: new Uint32Array(n).fill(timestamp), values });
        outcomes.push('written');
        for (const value of values) acknowledged.push([1, timestamp, value]);
      } catch (err) {
        outcomes.push(err.code);
      }
    };
    for (let i = 0; i < 63; i++) wal.logDeleted(7); // 13 bytes each
    wal.logSeries(1, 'kept.series');
    log(20, 100); // 30 + 333 bytes from 819: past 1024
    log(2, 110); // 30 + 45 bytes: fits
    execFileSync('prlimit', ['--pid', String(process.pid), '--fsize=unlimited:']);
    log(20, 120);
    wal.close();
    console.log(JSON.stringify({ outcomes, acknowledged }));
  `);
  const { outcomes, acknowledged } = JSON.parse(stdout) as { outcomes: string[]; acknowledged: [number, number, number][] };
  assert.deepEqual(outcomes, ['EFBIG', 'written', 'written'], 'the write that crossed the limit failed; the ones after it did not');
  const replay = collect();
  const { wal, stats } = WriteAheadLog.open(dir, 0, { ...replay.handler, deleted: () => {} });
  assert.deepEqual(replay.series, [[1, 'kept.series']], 'the series once, with its first acknowledged points');
  assert.deepEqual(replay.points, acknowledged, 'every acknowledged point replays');
  assert.equal(stats.tornBytes, 0, 'no cut-off frame is left in the log');
  wal.close();
});

test('close() closes the segment file even when its last write fails', { timeout: 30_000, skip: !hasPrlimit && 'needs util-linux prlimit' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'carbonado-wal-'));
  // Under a 1 KiB file-size limit the segment is full; a pending series frame is written by close().
  const stdout = walChildUnderOneKiB(dir, `import { readdirSync, readlinkSync } from 'node:fs';`, `
    for (let i = 0; i < 63; i++) wal.logDeleted(7);
    wal.logPoints(point(0, 12)); // 1024 bytes in all
    wal.logSeries(1, 'pending.series');
    let outcome = 'closed';
    try { wal.close(); } catch (err) { outcome = err.code; }
    const open = readdirSync('/proc/self/fd').filter((fd) => { try { return readlinkSync('/proc/self/fd/' + fd).startsWith(${JSON.stringify(dir)}); } catch { return false; } });
    console.log(JSON.stringify({ outcome, open: open.length }));
  `);
  assert.deepEqual(JSON.parse(stdout), { outcome: 'EFBIG', open: 0 }, 'the failed write is reported and no segment file is left open');
});
