import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultAggregatorOptions,
  StatsdAggregator,
  type AggregatorOptions,
  type FlushOutput,
} from '../../src/aggregate/statsd-aggregator.js';
import { ByteRingReader, createByteRing, createDoorbell } from '../../src/ingest/byte-ring.js';
import { RingSink } from '../../src/ingest/ring-sink.js';
import { nameHash, MetricKind, RecordFlags } from '../../src/ingest/statsd-record.js';

interface Sample {
  kind: MetricKind;
  name: string;
  value: number;
  rate: number;
  flags: number;
  member: string;
}

const c = (name: string, value: number, rate = 1): Sample => ({ kind: MetricKind.Counter, name, value, rate, flags: 0, member: '' });
const ms = (name: string, value: number, rate = 1): Sample => ({ kind: MetricKind.Timer, name, value, rate, flags: 0, member: '' });
const g = (name: string, value: number): Sample => ({ kind: MetricKind.Gauge, name, value, rate: 1, flags: 0, member: '' });
const gDelta = (name: string, delta: number): Sample => ({ ...g(name, delta), flags: RecordFlags.GaugeDelta });
const s = (name: string, member: string): Sample => ({ kind: MetricKind.Set, name, value: 0, rate: 1, flags: 0, member });

const encoder = new TextEncoder();

/**
 * A receiver's side of one ring, as a test drives it: samples go through a real RingSink (so the
 * first record of each (kind, name) carries the name and later ones only its id) and come back as
 * record offsets in the ring, valid until the next `encode`.
 */
class Sender {
  private readonly ring = createByteRing(8 << 20);
  private readonly sink = new RingSink([this.ring], [createDoorbell()]);
  private readonly reader = new ByteRingReader(this.ring);

  encode(samples: Sample[]): { view: DataView; bytes: Uint8Array; offsets: number[] } {
    for (const x of samples) {
      const name = encoder.encode(x.name);
      const member = encoder.encode(x.member);
      this.sink.record(x.kind, x.flags, nameHash(name, 0, name.length), x.value, x.rate, name, 0, name.length, member, 0, member.length);
    }
    this.sink.publish();
    const offsets: number[] = [];
    this.reader.drainBatches((_view, _bytes, batch, count) => offsets.push(...batch.subarray(0, count)));
    assert.equal(offsets.length, samples.length, 'every sample is in the ring');
    return { view: this.reader.view, bytes: this.reader.bytes, offsets };
  }
}

/** Drives an aggregator and keeps the id -> name map a caller keeps. */
class Harness {
  readonly aggregator: StatsdAggregator;
  readonly names: string[] = [];
  last!: FlushOutput;

  constructor(options: Partial<AggregatorOptions> = {}) {
    this.aggregator = new StatsdAggregator({ ...defaultAggregatorOptions, ...options });
  }

  readonly sender = new Sender();

  send(...samples: Sample[]): void {
    const { view, bytes, offsets } = this.sender.encode(samples);
    for (const offset of offsets) this.aggregator.add(view, bytes, offset);
  }

  /** One flush as name -> value; checks the id bookkeeping a caller relies on. */
  flush(): Map<string, number> {
    const out = (this.last = this.aggregator.flush());
    assert.equal(out.firstNewId, this.names.length, 'new ids continue where the last flush ended');
    this.names.push(...out.newNames);
    const points = new Map<string, number>();
    for (let i = 0; i < out.length; i++) {
      const name = this.names[out.ids[i]];
      assert.ok(name !== undefined, `id ${out.ids[i]} was announced`);
      assert.ok(!points.has(name), `${name} appears once`);
      points.set(name, out.values[i]);
    }
    return points;
  }
}

function assertPoints(actual: Map<string, number>, expected: Record<string, number>): void {
  const sorted = (entries: [string, number][]) => entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  assert.deepEqual(sorted([...actual]), sorted(Object.entries(expected)));
}

describe('counters', () => {
  test('count is Σ value/rate and rate is count per second of the interval', () => {
    const h = new Harness({ flushIntervalMs: 10_000 });
    h.send(c('x', 1), c('x', 2, 0.5), c('x', -0.5), c('x', 3, 0.1));
    assertPoints(h.flush(), {
      'stats.counters.x.count': 1 + 4 - 0.5 + 3 * (1 / 0.1),
      'stats.counters.x.rate': (1 + 4 - 0.5 + 3 * (1 / 0.1)) / 10,
    });
    assert.equal(h.flush().get('stats.counters.x.count'), 0);
  });

  test('a sampled value is multiplied by 1/rate, as Etsy computes it', () => {
    const h = new Harness();
    h.send(c('x', 3, 0.9));
    assert.equal(h.flush().get('stats.counters.x.count'), 3.3333333333333335); // 3 / 0.9 would be ...333
  });

  test('an idle counter flushes 0 count and 0 rate', () => {
    const h = new Harness({ flushIntervalMs: 2_000 });
    h.send(c('x', 5));
    assertPoints(h.flush(), { 'stats.counters.x.count': 5, 'stats.counters.x.rate': 2.5 });
    assertPoints(h.flush(), { 'stats.counters.x.count': 0, 'stats.counters.x.rate': 0 });
    h.send(c('x', 1));
    assertPoints(h.flush(), { 'stats.counters.x.count': 1, 'stats.counters.x.rate': 0.5 });
  });
});

describe('timers', () => {
  test('every statistic for several samples with thresholds 90, -10 and 50.5', () => {
    const h = new Harness({ flushIntervalMs: 10_000, percentThresholds: [90, -10, 50.5] });
    // Sorted: 2 4 4 4 5 5 7 9; one sample at rate 0.5 counts twice.
    h.send(ms('t', 5), ms('t', 2), ms('t', 9, 0.5), ms('t', 4), ms('t', 7), ms('t', 4), ms('t', 5), ms('t', 4));
    assertPoints(h.flush(), {
      'stats.timers.t.count': 9,
      'stats.timers.t.count_ps': 0.9,
      'stats.timers.t.lower': 2,
      'stats.timers.t.upper': 9,
      'stats.timers.t.mean': 5,
      'stats.timers.t.median': 4.5,
      'stats.timers.t.std': 2,
      'stats.timers.t.sum': 40,
      'stats.timers.t.sum_squares': 232,
      // 90%: round(7.2) = 7 lowest samples 2 4 4 4 5 5 7
      'stats.timers.t.count_90': 7,
      'stats.timers.t.mean_90': 31 / 7,
      'stats.timers.t.upper_90': 7,
      'stats.timers.t.sum_90': 31,
      'stats.timers.t.sum_squares_90': 151,
      // top 10%: round(0.8) = 1 highest sample 9
      'stats.timers.t.count_top10': 1,
      'stats.timers.t.mean_top10': 9,
      'stats.timers.t.lower_top10': 9,
      'stats.timers.t.sum_top10': 9,
      'stats.timers.t.sum_squares_top10': 81,
      // 50.5%: round(4.04) = 4 lowest samples 2 4 4 4
      'stats.timers.t.count_50_5': 4,
      'stats.timers.t.mean_50_5': 3.5,
      'stats.timers.t.upper_50_5': 4,
      'stats.timers.t.sum_50_5': 14,
      'stats.timers.t.sum_squares_50_5': 52,
    });
  });

  test('a single sample', () => {
    const h = new Harness({ flushIntervalMs: 1_000, percentThresholds: [90, -10] });
    h.send(ms('one', 7));
    assertPoints(h.flush(), {
      'stats.timers.one.count': 1,
      'stats.timers.one.count_ps': 1,
      'stats.timers.one.lower': 7,
      'stats.timers.one.upper': 7,
      'stats.timers.one.mean': 7,
      'stats.timers.one.median': 7,
      'stats.timers.one.std': 0,
      'stats.timers.one.sum': 7,
      'stats.timers.one.sum_squares': 49,
      'stats.timers.one.count_90': 1,
      'stats.timers.one.mean_90': 7,
      'stats.timers.one.upper_90': 7,
      'stats.timers.one.sum_90': 7,
      'stats.timers.one.sum_squares_90': 49,
      'stats.timers.one.count_top10': 1,
      'stats.timers.one.mean_top10': 7,
      'stats.timers.one.lower_top10': 7,
      'stats.timers.one.sum_top10': 7,
      'stats.timers.one.sum_squares_top10': 49,
    });
  });

  test('a threshold that holds no sample is not sent', () => {
    const h = new Harness({ percentThresholds: [10, 90] });
    h.send(ms('t', 3), ms('t', 1), ms('t', 2));
    const points = h.flush();
    assert.equal(points.has('stats.timers.t.count_10'), false);
    assert.equal(points.has('stats.timers.t.upper_10'), false);
    assert.equal(points.get('stats.timers.t.upper_90'), 3);
    assert.equal(points.size, 9 + 5);
  });

  test('an interval without samples sends only count 0 and count_ps 0', () => {
    const h = new Harness();
    h.send(ms('t', 3));
    assert.equal(h.flush().size, 9 + 5);
    assertPoints(h.flush(), { 'stats.timers.t.count': 0, 'stats.timers.t.count_ps': 0 });
    h.send(ms('t', 8), ms('t', 6));
    const points = h.flush();
    assert.equal(points.get('stats.timers.t.count'), 2);
    assert.equal(points.get('stats.timers.t.mean'), 7);
    assert.equal(points.get('stats.timers.t.median'), 7);
  });

  test('histogram bins: first matching config, values past the last finite bin dropped unless inf', () => {
    const h = new Harness({
      percentThresholds: [],
      histogram: [
        { metric: 'foo', bins: [1, 2.5, 'inf'] },
        { metric: 'bar', bins: [1, 5] },
        { metric: 'fo', bins: [100] },
      ],
    });
    for (const name of ['api.foo', 'bar.x', 'plain']) {
      h.send(ms(name, 10), ms(name, 0.5), ms(name, 3), ms(name, 1), ms(name, 2));
    }
    const points = h.flush();
    const bins = [...points].filter(([name]) => name.includes('.histogram.'));
    assertPoints(new Map(bins), {
      'stats.timers.api.foo.histogram.bin_1': 1,
      'stats.timers.api.foo.histogram.bin_2_5': 2,
      'stats.timers.api.foo.histogram.bin_inf': 2,
      'stats.timers.bar.x.histogram.bin_1': 1,
      'stats.timers.bar.x.histogram.bin_5': 3,
    });
    assert.equal(points.get('stats.timers.api.foo.upper'), 10);
    assert.equal(points.size, 3 * 9 + 3 + 2);
  });

  test('many samples in one interval', () => {
    const h = new Harness({ percentThresholds: [50] });
    for (let i = 1000; i >= 1; i--) h.send(ms('big', i));
    const points = h.flush();
    assert.equal(points.get('stats.timers.big.count'), 1000);
    assert.equal(points.get('stats.timers.big.upper_50'), 500);
    assert.equal(points.get('stats.timers.big.sum'), 500_500);
    assert.equal(points.get('stats.timers.big.median'), 500.5);
  });

  test('interleaved timers keep their own samples across flushes, past the initial log capacity', () => {
    const h = new Harness({ percentThresholds: [] });
    const timers = 7;
    // 3 intervals of 100k samples each (past the sample log's initial capacity), round-robin.
    for (let interval = 0; interval < 3; interval++) {
      const samples: Sample[] = [];
      for (let i = 0; i < 100_000; i++) samples.push(ms(`t${i % timers}`, interval * 1_000_000 + i));
      h.send(...samples);
      const points = h.flush();
      for (let t = 0; t < timers; t++) {
        const own = samples.filter((x) => x.name === `t${t}`).map((x) => x.value);
        const name = `stats.timers.t${t}`;
        assert.equal(points.get(`${name}.count`), own.length);
        assert.equal(points.get(`${name}.lower`), Math.min(...own));
        assert.equal(points.get(`${name}.upper`), Math.max(...own));
        assert.equal(points.get(`${name}.sum`), own.reduce((sum, v) => sum + v, 0));
      }
    }
    const idle = h.flush();
    assert.equal(idle.get('stats.timers.t3.count'), 0);
    assert.equal(idle.has('stats.timers.t3.sum'), false);
  });
});

describe('gauges', () => {
  test('deltas add to the previous value and the value is re-sent while idle', () => {
    const h = new Harness();
    h.send(g('x', 5), gDelta('x', 3), gDelta('fresh', 4));
    assertPoints(h.flush(), { 'stats.gauges.x': 8, 'stats.gauges.fresh': 4 });
    assertPoints(h.flush(), { 'stats.gauges.x': 8, 'stats.gauges.fresh': 4 });
    h.send(gDelta('x', -2), g('fresh', -1));
    assertPoints(h.flush(), { 'stats.gauges.x': 6, 'stats.gauges.fresh': -1 });
  });
});

describe('sets', () => {
  test('count is the number of distinct members in the interval', () => {
    const h = new Harness();
    h.send(s('u', 'a'), s('u', 'b'), s('u', 'a'), s('u', 'é'), s('u', 'e'));
    assertPoints(h.flush(), { 'stats.sets.u.count': 4 });
    assertPoints(h.flush(), { 'stats.sets.u.count': 0 });
    h.send(s('u', 'a'));
    assertPoints(h.flush(), { 'stats.sets.u.count': 1 });
  });
});

describe('delete options', () => {
  const everyKind = (h: Harness) => h.send(c('c', 1), ms('t', 1), g('g', 7), s('s', 'm'));

  test('deleteCounters drops idle counters and reuses their ids when they return', () => {
    const h = new Harness({ deleteCounters: true });
    everyKind(h);
    assert.equal(h.flush().get('stats.counters.c.count'), 1);
    const points = h.flush();
    assert.equal(points.has('stats.counters.c.count'), false);
    assert.equal(points.has('stats.counters.c.rate'), false);
    assert.equal(points.get('stats.timers.t.count'), 0);
    assert.equal(points.get('stats.gauges.g'), 7);
    assert.equal(points.get('stats.sets.s.count'), 0);
    h.send(c('c', 2));
    assert.equal(h.flush().get('stats.counters.c.count'), 2);
    assert.deepEqual(h.last.newNames, []);
  });

  test('deleteTimers drops idle timers', () => {
    const h = new Harness({ deleteTimers: true });
    everyKind(h);
    h.flush();
    assertPoints(h.flush(), { 'stats.counters.c.count': 0, 'stats.counters.c.rate': 0, 'stats.gauges.g': 7, 'stats.sets.s.count': 0 });
  });

  test('deleteGauges drops gauges after each flush; a later delta starts from 0', () => {
    const h = new Harness({ deleteGauges: true });
    everyKind(h);
    assert.equal(h.flush().get('stats.gauges.g'), 7);
    assert.equal(h.flush().has('stats.gauges.g'), false);
    h.send(gDelta('g', 2));
    assert.equal(h.flush().get('stats.gauges.g'), 2);
  });

  test('deleteSets drops idle sets', () => {
    const h = new Harness({ deleteSets: true });
    everyKind(h);
    h.flush();
    const points = h.flush();
    assert.equal(points.has('stats.sets.s.count'), false);
    assert.equal(points.get('stats.gauges.g'), 7);
  });

  test('deleteIdleStats drops every idle metric', () => {
    const h = new Harness({ deleteIdleStats: true });
    everyKind(h);
    assert.equal(h.flush().size, 2 + 14 + 1 + 1);
    assert.equal(h.last.metricCount, 4);
    assert.equal(h.flush().size, 0);
    assert.equal(h.last.metricCount, 0);
    h.send(ms('t', 4));
    assert.equal(h.flush().get('stats.timers.t.upper'), 4);
    assert.equal(h.last.metricCount, 1);
  });
});

describe('names', () => {
  test('legacy namespace: stats.x and stats_counts.x, fixed timer/gauge/set prefixes', () => {
    const h = new Harness({ legacyNamespace: true, globalPrefix: 'ignored', prefixTimer: 'ignored', percentThresholds: [] });
    h.send(c('x', 4), ms('t', 2), g('g', 1), s('s', 'a'));
    assertPoints(h.flush(), {
      'stats.x': 0.4,
      'stats_counts.x': 4,
      'stats.timers.t.count': 1,
      'stats.timers.t.count_ps': 0.1,
      'stats.timers.t.lower': 2,
      'stats.timers.t.upper': 2,
      'stats.timers.t.mean': 2,
      'stats.timers.t.median': 2,
      'stats.timers.t.std': 0,
      'stats.timers.t.sum': 2,
      'stats.timers.t.sum_squares': 4,
      'stats.gauges.g': 1,
      'stats.sets.s.count': 1,
    });
  });

  test('empty prefixes are left out of the path', () => {
    const h = new Harness({ globalPrefix: '', prefixCounter: 'c', prefixGauge: '', prefixSet: 'uniq' });
    h.send(c('x', 1), g('g', 1), s('s', 'a'));
    assertPoints(h.flush(), { 'c.x.count': 1, 'c.x.rate': 0.1, g: 1, 'uniq.s.count': 1 });
  });

  test('graphite tags stay at the end of every output name', () => {
    const h = new Harness({ percentThresholds: [90], histogram: [{ metric: 'lat', bins: [10] }] });
    h.send(c('x;a=1;b=2', 1), ms('lat;dc=eu', 5), g('g;k=v', 3), s('s;k=v', 'm'));
    const points = h.flush();
    assert.equal(points.get('stats.counters.x.count;a=1;b=2'), 1);
    assert.equal(points.get('stats.counters.x.rate;a=1;b=2'), 0.1);
    assert.equal(points.get('stats.timers.lat.upper_90;dc=eu'), 5);
    assert.equal(points.get('stats.timers.lat.histogram.bin_10;dc=eu'), 1);
    assert.equal(points.get('stats.gauges.g;k=v'), 3);
    assert.equal(points.get('stats.sets.s.count;k=v'), 1);
  });

  test('one name used as two kinds is two metrics', () => {
    const h = new Harness({ percentThresholds: [] });
    h.send(c('x', 3), g('x', 9), c('x', 1));
    assertPoints(h.flush(), { 'stats.counters.x.count': 4, 'stats.counters.x.rate': 0.4, 'stats.gauges.x': 9 });
  });
});

describe('addBatch', () => {
  test('gives the same flushes as add, record by record', () => {
    const samples: Sample[] = [];
    for (let i = 0; i < 5000; i++) {
      const name = `m${(i * 31) % 300}`;
      const pick = i % 4;
      if (pick === 0) samples.push(c(name, i % 7, i % 5 === 0 ? 0.5 : 1));
      else if (pick === 1) samples.push(ms(name, (i * 13) % 101));
      else if (pick === 2) samples.push(i % 3 ? gDelta(name, 1) : g(name, i));
      else samples.push(s(name, `u${i % 17}`));
    }
    const one = new Harness({ deleteSets: true });
    const batched = new Harness({ deleteSets: true });
    for (let interval = 0; interval < 2; interval++) {
      one.send(...samples);
      const { view, bytes, offsets } = batched.sender.encode(samples);
      const all = Uint32Array.from(offsets);
      for (let at = 0, size = 1; at < all.length; at += size, size = (size % 40) + 1) {
        const batch = all.subarray(at, Math.min(at + size, all.length));
        batched.aggregator.addBatch(view, bytes, batch, batch.length);
      }
      assert.deepEqual([...batched.flush()], [...one.flush()]);
    }
  });
});

describe('output ids', () => {
  test('names are announced once, ids are consecutive and stable across flushes', () => {
    const h = new Harness({ percentThresholds: [90] });
    h.send(c('a', 1), g('b', 2));
    h.flush();
    assert.deepEqual(h.last.newNames, ['stats.counters.a.count', 'stats.counters.a.rate', 'stats.gauges.b']);
    assert.equal(h.last.firstNewId, 0);
    const firstIds = Array.from(h.last.ids.subarray(0, h.last.length)).sort();
    h.send(s('c', 'x'), c('a', 1));
    h.flush();
    assert.deepEqual(h.last.newNames, ['stats.sets.c.count']);
    assert.equal(h.last.firstNewId, 3);
    assert.equal(h.last.metricCount, 3);
    const ids = Array.from(h.last.ids.subarray(0, h.last.length)).sort();
    assert.deepEqual(ids, [...firstIds, 3]);
    h.flush();
    assert.deepEqual(h.last.newNames, []);
    assert.equal(h.last.firstNewId, 4);
  });

  test('transferring the output buffers away is allowed', () => {
    const h = new Harness();
    h.send(c('a', 1));
    const first = h.aggregator.flush();
    const buffers = [first.ids.buffer as ArrayBuffer, first.values.buffer as ArrayBuffer];
    structuredClone(buffers, { transfer: buffers });
    assert.equal(first.ids.length, 0);
    h.send(c('a', 2));
    const second = h.aggregator.flush();
    assert.equal(second.length, 2);
    assert.deepEqual(Array.from(second.values.subarray(0, 2)), [2, 0.2]);
  });

  test('output arrays grow with the number of outputs', () => {
    const h = new Harness({ percentThresholds: [90, 99] });
    for (let i = 0; i < 1000; i++) h.send(ms(`t${i}`, i), ms(`t${i}`, i + 1));
    const points = h.flush();
    assert.equal(points.size, 1000 * (9 + 10));
    assert.equal(points.get('stats.timers.t999.upper'), 1000);
  });
});

describe('record ids', () => {
  test('two receivers numbering the same names differently feed the same metrics', () => {
    const aggregator = new StatsdAggregator({ ...defaultAggregatorOptions });
    const first = new Sender();
    const second = new Sender();
    const feed = (sender: Sender, source: number, samples: Sample[]): void => {
      const { view, bytes, offsets } = sender.encode(samples);
      aggregator.addBatch(view, bytes, Uint32Array.from(offsets), offsets.length, source);
    };
    feed(first, 0, [c('x', 1), c('y', 10)]);
    feed(second, 1, [c('y', 100), c('x', 1000)]);
    feed(first, 0, [c('x', 2), c('y', 20)]);
    feed(second, 1, [c('y', 200), c('x', 2000)]);
    const out = aggregator.flush();
    const points = new Map(out.newNames.map((name, i) => [name, out.values[out.ids.indexOf(out.firstNewId + i)]]));
    assert.equal(points.get('stats.counters.x.count'), 3003);
    assert.equal(points.get('stats.counters.y.count'), 330);
  });

  test('a record whose id was never named is counted and dropped', () => {
    const aggregator = new StatsdAggregator({ ...defaultAggregatorOptions });
    const sender = new Sender();
    sender.encode([c('x', 1)]); // names x on a ring the aggregator never reads
    const { view, bytes, offsets } = sender.encode([c('x', 5)]);
    aggregator.add(view, bytes, offsets[0]);
    assert.equal(aggregator.unknownIds, 1);
    assert.equal(aggregator.flush().length, 0);
  });
});
