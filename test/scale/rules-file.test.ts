import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AggregationRule } from '../../src/scale/aggregation-rules.js';
import { IngestAggregator } from '../../src/scale/ingest-aggregator.js';
import { readRulesFile, resolveRulesFile, watchRulesFile } from '../../src/scale/rules-file.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(20);
  }
}

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'carbonado-rules-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** What the aggregator makes of one point after a flush: the output names. */
function outputsOf(aggregator: IngestAggregator, name: string, timestamp: number): string[] {
  aggregator.add(name, timestamp, 1);
  const names: string[] = [];
  aggregator.flush(timestamp + 3600, (output) => names.push(output));
  return names;
}

test('the rules file is loaded at start and hot-reloaded into the aggregator when it changes', async (t) => {
  const path = join(tempDir(t), 'aggregation-rules.conf');
  writeFileSync(path, '# pools\nout.<pool>.qps (60) = sum web.<pool>.*.qps\n');
  const aggregator = new IngestAggregator([], { lagSeconds: 0 });
  const log: string[] = [];
  const rules = watchRulesFile({ path, target: aggregator, pollMs: 20, log: (l) => log.push(l) });
  t.after(() => rules.stop());
  assert.equal(rules.rules().length, 1);
  assert.deepEqual(outputsOf(aggregator, 'web.p1.h1.qps', 0), ['out.p1.qps']);

  writeFileSync(path, 'out.<pool>.qps (60) = sum web.<pool>.*.qps\nout.<pool>.max (60) = max web.<pool>.*.qps\n');
  await until(() => rules.rules().length === 2);
  assert.deepEqual(outputsOf(aggregator, 'web.p1.h1.qps', 7200).sort(), ['out.p1.max', 'out.p1.qps']);
  assert.match(log.at(-1)!, /reloaded from .*aggregation-rules\.conf: 2 rules/);
});

test('a file that stops parsing is logged and the rules in force stay', async (t) => {
  const path = join(tempDir(t), 'rules.conf');
  writeFileSync(path, 'out.<pool>.qps (60) = sum web.<pool>.*.qps\n');
  const applied: (readonly AggregationRule[])[] = [];
  const log: string[] = [];
  const rules = watchRulesFile({ path, target: { setRules: (r) => applied.push(r) }, pollMs: 20, log: (l) => log.push(l) });
  t.after(() => rules.stop());

  writeFileSync(path, 'out.<pool>.qps (60) = sum web.<pool>.*.qps\nout.x (60) = median web.*\n');
  await until(() => log.length > 0);
  assert.match(log[0], /not reloaded, keeping the 1 in force: .*rules\.conf line 2: unknown method 'median'/);
  assert.equal(applied.length, 1);
  assert.equal(rules.rules().length, 1);

  rmSync(path);
  await until(() => log.length > 1);
  assert.match(log[1], /disappeared; keeping the 1 rules in force/);
  assert.equal(rules.rules().length, 1);
});

test('a bad or missing rules file at start is an error naming it', (t) => {
  const dir = tempDir(t);
  assert.throws(() => readRulesFile(join(dir, 'none.conf')), /cannot read aggregation rules .*none\.conf/);
  const bad = join(dir, 'bad.conf');
  writeFileSync(bad, 'out.x = sum web.*\n');
  assert.throws(() => watchRulesFile({ path: bad, target: { setRules() {} } }), /bad\.conf line 1: expected "output_template \(frequency\) = method input_pattern"/);
  assert.equal(resolveRulesFile(bad), bad);
});
