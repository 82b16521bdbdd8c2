import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { PointBatchBuilder } from '../../../src/points.js';
import { evaluateTargets } from '../../../src/query/evaluator.js';
import { StorageEngine } from '../../../src/store/storage-engine.js';
import { openTempEngine } from '../../support/temp-engine.js';

const T0 = 1_700_000_000;

/** A real engine holding channel powers and frequencies; frequency i ends at its last value below. */
async function channels(t: TestContext): Promise<StorageEngine> {
  const { store } = await openTempEngine(t, { now: () => T0 + 3600 });
  const batch = new PointBatchBuilder();
  const last: Record<string, number> = { 'channel.frequency.1': 2412, 'channel.frequency.2': 2417.5, 'channel.frequency.3': NaN };
  for (const [name, value] of Object.entries(last)) {
    batch.push(store.seriesId(name), T0, 1);
    if (value === value) batch.push(store.seriesId(name), T0 + 20, value);
  }
  for (const name of ['channel.power.1', 'channel.power.2', 'channel.power.3', 'channel.power.4']) batch.push(store.seriesId(name), T0, 5);
  store.append(batch);
  return store;
}

describe('aliasQuery', () => {
  it("names each series with the last value of the series its rewritten name selects, Python %-formatted", async (t) => {
    const store = await channels(t);
    const result = await evaluateTargets(store, ['aliasQuery(channel.power.{1,2}, "channel\\.power\\.([0-9]+)", "channel.frequency.\\1", "Channel %d MHz")'], {
      from: T0,
      until: T0 + 60,
    });
    assert.deepEqual(
      result.map((s) => [s.name, s.pathExpression]),
      [
        ['Channel 2412 MHz', 'channel.power.{1,2}'],
        ['Channel 2417 MHz', 'channel.power.{1,2}'],
      ],
    );
  });

  it('fails naming the query when it selects nothing or its series has no value', async (t) => {
    const store = await channels(t);
    const query = (selector: string): Promise<unknown> =>
      evaluateTargets(store, [`aliasQuery(channel.power.${selector}, "power", "frequency", "%g")`], { from: T0 + 10, until: T0 + 60 });
    await assert.rejects(query('4'), /no series found with query: channel\.frequency\.4/);
    await assert.rejects(query('3'), /cannot get last value of series: channel\.frequency\.3/);
  });
});
