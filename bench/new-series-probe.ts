import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PointBatchBuilder } from '../src/points.js';
import { loadRetentionPolicy } from '../src/store/retention/index.js';
import { StorageEngine } from '../src/store/storage-engine.js';

const series = Number(process.argv[2] ?? 1_000_000);
const points = Number(process.argv[3] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'probe-'));
const engine = await StorageEngine.open({ dataDir: dir, policy: loadRetentionPolicy() });
const name = (i: number): string => `cb.host_${String(i % 100).padStart(2, '0')}.metric_${String(i).padStart(6, '0')}`;
const names = Array.from({ length: series }, (_, i) => name(i));
const end = Math.floor(Date.now() / 1000 / 10) * 10 - 60;
const batch = new PointBatchBuilder(4096);
const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
for (let k = 0; k < points; k++) {
  const ts = end - (points - 1 - k) * 10;
  for (let i = 0; i < series; i++) {
    // names re-created per point like a parser would
    batch.push(engine.seriesId(k === 0 ? names[i] : name(i)), ts, ((i * 31 + k * 17) % 1000) / 10);
    if (batch.length === 4096) {
      engine.append(batch);
      batch.clear();
    }
  }
  const tk = performance.now();
  console.log(`pass ${k}: ${((tk - t0) / 1000).toFixed(2)} s cumulative`);
}
engine.append(batch);
const ms = performance.now() - t0;
console.log(`${series} series x ${points}: ${Math.round((series * points) / (ms / 1000))} points/s, ${(ms / 1000).toFixed(2)} s; rss +${((process.memoryUsage().rss - rss0) / 2 ** 20).toFixed(0)} MiB, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
const c0 = performance.now();
await engine.close();
console.log(`close ${(performance.now() - c0).toFixed(0)} ms`);
const o0 = performance.now();
const again = await StorageEngine.open({ dataDir: dir, policy: loadRetentionPolicy() });
console.log(`reopen ${(performance.now() - o0).toFixed(0)} ms, replay ${JSON.stringify(again.stats.replay)}`);
await again.close();
rmSync(dir, { recursive: true, force: true });
