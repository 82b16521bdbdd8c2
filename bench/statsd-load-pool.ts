/**
 * The StatsD load generator's packet pool, as a module: the generator sends it, and
 * bench/statsd-receive-path.bench.ts parses the very same datagrams in-process.
 *
 * Names: `<prefix>.<type>.svcNN_hostNNN_<kind>_metric_NNNNNNN` (45 characters) with type c, t, g
 * or s; 50% counters, 25% timers, 15% gauges, 10% sets; 20% of counter and timer lines carry @0.5
 * or @0.1. The payload is deterministic for a seed.
 */
export interface PoolOptions {
  names: number;
  packetBytes: number;
  prefix: string;
  seed: number;
}

export interface Pool {
  packets: Buffer[];
  lines: Uint16Array;
  counterSums: Float64Array;
  /** Lines per type per packet, 4 entries per packet in TYPE order. */
  typeCounts: Uint16Array;
}

const TYPE = { c: 0, ms: 1, g: 2, s: 3 } as const;
type TypeIndex = (typeof TYPE)[keyof typeof TYPE];

/** Type of name i: 50% c, 25% ms, 15% g, 10% s, spread evenly over the index range. */
function typeOf(i: number): TypeIndex {
  const x = (((i * 2654435761) >>> 0) / 4294967296) * 100;
  if (x < 50) return TYPE.c;
  if (x < 75) return TYPE.ms;
  if (x < 90) return TYPE.g;
  return TYPE.s;
}

const TYPE_NODE = ['c', 't', 'g', 's'] as const;
/** Same length per type, so every name is 45 characters with the default prefix. */
const KIND = ['requests', 'duration', 'inflight', 'visitors'] as const;

export function buildPool(options: PoolOptions): Pool {
  const { names, packetBytes, prefix } = options;
  let seed = options.seed >>> 0;

  /** xorshift32 */
  function random(): number {
    seed ^= seed << 13;
    seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    seed >>>= 0;
    return seed / 4294967296;
  }

  function nameOf(i: number, t: TypeIndex): string {
    const svc = String(i % 100).padStart(2, '0');
    const hostNo = String(i % 317).padStart(3, '0');
    return `${prefix}.${TYPE_NODE[t]}.svc${svc}_host${hostNo}_${KIND[t]}_metric_${String(i).padStart(7, '0')}`;
  }

  /** A line and the exact count it adds to its counter (0 for other types). */
  function lineOf(i: number, t: TypeIndex): { text: string; count: number } {
    const name = nameOf(i, t);
    const sampled = (t === TYPE.c || t === TYPE.ms) && random() < 0.2;
    const inverse = sampled ? (random() < 0.5 ? 2 : 10) : 1;
    const rateSuffix = inverse === 1 ? '' : inverse === 2 ? '|@0.5' : '|@0.1';
    switch (t) {
      case TYPE.c: {
        const v = 1 + Math.floor(random() * 5);
        return { text: `${name}:${v}|c${rateSuffix}`, count: v * inverse };
      }
      case TYPE.ms:
        return { text: `${name}:${(random() * 500).toFixed(3)}|ms${rateSuffix}`, count: 0 };
      case TYPE.g:
        return { text: `${name}:${Math.floor(random() * 1000)}|g`, count: 0 };
      default:
        return { text: `${name}:u${Math.floor(random() * 200)}|s`, count: 0 };
    }
  }

  const order = Array.from({ length: names }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    // shuffled so that each packet mixes types and name groups
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const packets: Buffer[] = [];
  const lines: number[] = [];
  const sums: number[] = [];
  const types: number[] = [];
  let current: string[] = [];
  let currentBytes = 0;
  let currentSum = 0;
  let currentTypes = [0, 0, 0, 0];
  const close = (): void => {
    if (current.length === 0) return;
    packets.push(Buffer.from(current.join('\n'), 'latin1'));
    lines.push(current.length);
    sums.push(currentSum);
    types.push(...currentTypes);
    current = [];
    currentBytes = 0;
    currentSum = 0;
    currentTypes = [0, 0, 0, 0];
  };
  for (const i of order) {
    const t = typeOf(i);
    const line = lineOf(i, t);
    if (current.length > 0 && currentBytes + 1 + line.text.length > packetBytes) close();
    currentBytes += (current.length > 0 ? 1 : 0) + line.text.length;
    current.push(line.text);
    currentSum += line.count;
    currentTypes[t]++;
  }
  close();
  return {
    packets,
    lines: Uint16Array.from(lines),
    counterSums: Float64Array.from(sums),
    typeCounts: Uint16Array.from(types),
  };
}
