/**
 * /metrics/find over 1M series names and tag queries over 100k tagged series, through the HTTP
 * app (app.request, no socket) on a real storage engine: p50/p99 per query. Target from issue 4:
 * /metrics/find p99 under 20 ms over 1M names.
 *
 * Names: `team{0..9}.svc{0..99}.host{0..99}.{10 metrics}` (1M, four levels) plus
 * `app.host{0..999}.{requests,latency}` (2k); tagged: `http.requests;dc=..;host=..;svc=..` (100k).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpApp } from '../src/http/app.js';
import { PointBatchBuilder } from '../src/points.js';
import { EMBEDDED_STORAGE_AGGREGATION, EMBEDDED_STORAGE_SCHEMAS, loadRetentionPolicy } from '../src/store/retention/index.js';
import { StorageEngine } from '../src/store/storage-engine.js';

const METRICS = ['requests', 'latency', 'errors', 'cpu', 'mem', 'disk', 'net', 'gc', 'threads', 'heap'];
const ROUNDS = 200;
const WARMUP_ROUNDS = 20;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'carbonado-find-bench-'));
  try {
    const schemasPath = join(dataDir, 'storage-schemas.conf');
    const aggregationPath = join(dataDir, 'storage-aggregation.conf');
    writeFileSync(schemasPath, EMBEDDED_STORAGE_SCHEMAS);
    writeFileSync(aggregationPath, EMBEDDED_STORAGE_AGGREGATION);
    const now = Math.floor(Date.now() / 1000);
    const store = await StorageEngine.open({ dataDir, policy: loadRetentionPolicy({ schemasPath, aggregationPath }), now: () => now });
    const app = createHttpApp({ store, health: () => ({}) });

    const started = performance.now();
    let batch = new PointBatchBuilder();
    let count = 0;
    const add = (name: string): void => {
      batch.push(store.seriesId(name), now, count++);
      if (batch.length >= 50_000) {
        store.append(batch);
        batch = new PointBatchBuilder();
      }
    };
    for (let team = 0; team < 10; team++)
      for (let svc = 0; svc < 100; svc++)
        for (let host = 0; host < 100; host++) for (const metric of METRICS) add(`team${team}.svc${svc}.host${host}.${metric}`);
    for (let host = 0; host < 1000; host++) for (const metric of ['requests', 'latency']) add(`app.host${host}.${metric}`);
    for (let i = 0; i < 100_000; i++) add(`http.requests;dc=dc${i % 4};host=host${i};svc=svc${i % 100}`);
    store.append(batch);
    const loadSeconds = (performance.now() - started) / 1000;
    console.log(`find bench: ${count} series (${store.seriesCount()} in the engine) loaded in ${loadSeconds.toFixed(1)} s, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);

    const queries: Array<[string, string]> = [
      ['find app.*.requests (1k matches)', '/metrics/find?query=app.*.requests'],
      ['find team3.svc42.*.* (1k matches)', '/metrics/find?query=team3.svc42.*.*'],
      ['find team3.svc4?.host1{0,1}.latency', '/metrics/find?query=team3.svc4%3F.host1%7B0,1%7D.latency'],
      ['find * (top level)', '/metrics/find?query=*'],
      ['find team*.svc1.host*.latency (1k)', '/metrics/find?query=team*.svc1.host*.latency'],
      ['find *.*.*.latency (101k matches)', '/metrics/find?query=*.*.*.latency'],
      ['completer team3.svc42.host7.', '/metrics/find?query=team3.svc42.host7.&format=completer'],
      ['completer *.*.*.latency (101k)', '/metrics/find?query=*.*.*.latency&format=completer'],
      ['expand *.*.*.latency (101k)', '/metrics/expand?query=*.*.*.latency&leavesOnly=1'],
      ['find *.*.* (102k branches)', '/metrics/find?query=*.*.*'],
      ['tags findSeries dc=dc3 svc=svc7 (1k)', '/tags/findSeries?expr=dc=dc3&expr=svc=svc7'],
      ['tags findSeries host=~host12 (1.1k)', '/tags/findSeries?expr=name=http.requests&expr=host=~host12'],
      ['tags autoComplete values host (prefix)', '/tags/autoComplete/values?tag=host&valuePrefix=host99'],
      ['tags autoComplete tags expr svc=svc7', '/tags/autoComplete/tags?expr=svc=svc7'],
      ['tags /tags/svc (100 values)', '/tags/svc'],
    ];
    // `node dist/bench/find.bench.js '*.*.*.latency'` runs only the queries whose label has that text.
    const only = process.argv[2];
    for (const [label, url] of queries) {
      if (only !== undefined && !label.includes(only)) continue;
      for (let i = 0; i < WARMUP_ROUNDS; i++) await (await app.request(url)).text();
      const times: number[] = [];
      let bytes = 0;
      for (let i = 0; i < ROUNDS; i++) {
        const t0 = performance.now();
        const response = await app.request(url);
        const text = await response.text();
        times.push(performance.now() - t0);
        if (response.status !== 200) throw new Error(`${url}: ${response.status} ${text}`);
        bytes = text.length;
      }
      times.sort((a, b) => a - b);
      const p50 = times[Math.floor(times.length * 0.5)];
      const p99 = times[Math.floor(times.length * 0.99)];
      console.log(`  ${label.padEnd(42)} p50 ${p50.toFixed(2).padStart(7)} ms  p99 ${p99.toFixed(2).padStart(7)} ms  (${bytes} bytes)`);
    }
    await store.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
