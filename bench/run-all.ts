/**
 * `npm run bench`: runs every `*.bench.js` under dist/bench (or the ones named on the command
 * line) one after another, each in its own process so they do not disturb each other.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function findBenches(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findBenches(path));
    else if (entry.name.endsWith('.bench.js')) found.push(path);
  }
  return found.sort();
}

const only = process.argv.slice(2);
const benches = findBenches(here).filter((p) => only.length === 0 || only.some((o) => p.includes(o)));
let failed = 0;
for (const bench of benches) {
  console.log(`\n=== ${relative(here, bench)} ===`);
  const result = spawnSync(process.execPath, ['--expose-gc', bench], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
