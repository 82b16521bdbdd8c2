/**
 * The pools of the Scale API: held in memory, saved as JSON under <dataDir>/scale/pools.json
 * (written to a temporary file and renamed, so a crash never leaves half a file), with the last
 * scale action the live evaluation announced per pool.
 *
 * Pools from the config file are loaded at start over the saved ones of the same name: the file an
 * operator edits is the source of truth at each start; a pool changed over HTTP keeps the change
 * until the next start. A pool only ever PUT over HTTP stays until it is deleted.
 *
 * Every capacity a pool is given (created, PUT, or the pressure test's PUT .../capacity) is also
 * written as a point of the series `carbonado.scale.<pool>.capacity`, its history.
 *
 * Live evaluation: every `evaluateEveryMs` all pools are decided as of now; a decision whose
 * action, line or instance count differs from the pool's previous one is announced to listeners
 * (the Server-Sent Events stream), and an up or down is recorded as the pool's last action.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SeriesStore } from '../store/series-store.js';
import type { BacktestResult } from './backtest.js';
import type { Decision } from './decision.js';
import { parsePoolConfig, type PoolConfig, poolConfigJson, type PoolConfigJson } from '../config/pool-config.js';
import { backtestPool, type CapacityEstimate, estimateCapacity, evaluatePool } from './pool-evaluator.js';
import { poolNameProblem } from '../config/pool-name.js';

export interface PoolRegistryOptions {
  /** Where targets are read and capacity history is written. */
  store: SeriesStore;
  dataDir: string;
  /** Validated pools of the config file (`scale.pools`). */
  configPools?: Readonly<Record<string, PoolConfig>>;
  /** Wall clock in milliseconds; tests replay history with their own. */
  now?: () => number;
  /** Live evaluation period; default 10 s. */
  evaluateEveryMs?: number;
  log?: (line: string) => void;
}

export interface PoolEntry {
  readonly name: string;
  readonly config: PoolConfig;
  /** Unix seconds of the last up or down the live evaluation announced; null: none yet. */
  readonly lastActionAt: number | null;
}

export type DecisionListener = (decision: Decision) => void;

interface SavedPools {
  pools: Record<string, { config: PoolConfigJson; lastActionAt: number | null }>;
}

export function capacitySeriesName(pool: string): string {
  return `carbonado.scale.${pool}.capacity`;
}

export class PoolRegistry {
  private readonly pools = new Map<string, PoolEntry>();
  private readonly latest = new Map<string, Decision>();
  private readonly listeners = new Set<DecisionListener>();
  private readonly stopListeners = new Set<() => void>();
  private readonly file: string;
  private readonly clock: () => number;
  private readonly log: (line: string) => void;
  private timer: NodeJS.Timeout | null = null;
  private evaluating: Promise<Decision[]> | null = null;

  private constructor(private readonly options: PoolRegistryOptions) {
    this.file = join(options.dataDir, 'scale', 'pools.json');
    this.clock = options.now ?? Date.now;
    this.log = options.log ?? ((line) => console.log(`carbonado: ${line}`));
  }

  /** Loads the saved pools, then the config file's over them. */
  static open(options: PoolRegistryOptions): PoolRegistry {
    const registry = new PoolRegistry(options);
    registry.load();
    for (const [name, config] of Object.entries(options.configPools ?? {})) {
      const saved = registry.pools.get(name);
      if (saved !== undefined && JSON.stringify(poolConfigJson(saved.config)) !== JSON.stringify(poolConfigJson(config))) {
        registry.log(`scale: pool '${name}' from the config file replaces the one saved over HTTP`);
      }
      registry.pools.set(name, { name, config, lastActionAt: saved?.lastActionAt ?? null });
      if (saved?.config.capacityPerInstance !== config.capacityPerInstance) registry.recordCapacity(name, config.capacityPerInstance);
    }
    registry.save();
    return registry;
  }

  /** The registry's clock in Unix seconds. */
  nowSeconds(): number {
    return Math.floor(this.clock() / 1000);
  }

  list(): PoolEntry[] {
    return [...this.pools.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get(name: string): PoolEntry | undefined {
    return this.pools.get(name);
  }

  /** Creates or replaces a pool; true when it is new. Throws on a bad name. */
  put(name: string, config: PoolConfig): boolean {
    const problem = poolNameProblem(name);
    if (problem !== null) throw new RangeError(problem);
    const existing = this.pools.get(name);
    this.pools.set(name, { name, config, lastActionAt: existing?.lastActionAt ?? null });
    if (existing?.config.capacityPerInstance !== config.capacityPerInstance) this.recordCapacity(name, config.capacityPerInstance);
    this.save();
    return existing === undefined;
  }

  delete(name: string): boolean {
    if (!this.pools.delete(name)) return false;
    this.latest.delete(name);
    this.save();
    return true;
  }

  /** Records a new per-instance capacity (a pressure test's result); undefined for an unknown pool. */
  setCapacity(name: string, capacityPerInstance: number): PoolEntry | undefined {
    const entry = this.pools.get(name);
    if (entry === undefined) return undefined;
    const config = parsePoolConfig({ ...poolConfigJson(entry.config), capacityPerInstance });
    const updated = { ...entry, config };
    this.pools.set(name, updated);
    this.recordCapacity(name, capacityPerInstance);
    this.save();
    return updated;
  }

  /** The decision as of `at` (Unix seconds, default now); undefined for an unknown pool. */
  async decision(name: string, at = this.nowSeconds()): Promise<Decision | undefined> {
    const entry = this.pools.get(name);
    if (entry === undefined) return undefined;
    return evaluatePool(this.options.store, name, entry.config, at, entry.lastActionAt ?? undefined);
  }

  async backtest(name: string, from: number, until: number): Promise<BacktestResult | undefined> {
    const entry = this.pools.get(name);
    if (entry === undefined) return undefined;
    return backtestPool(this.options.store, name, entry.config, from, until);
  }

  async capacityEstimate(name: string, from: number, until: number): Promise<CapacityEstimate | undefined> {
    const entry = this.pools.get(name);
    if (entry === undefined) return undefined;
    return estimateCapacity(this.options.store, entry.config, from, until);
  }

  /** The newest live decision of every pool evaluated so far. */
  latestDecisions(): Decision[] {
    return this.list()
      .map((entry) => this.latest.get(entry.name))
      .filter((d): d is Decision => d !== undefined);
  }

  /** Subscribes to decision changes; returns the unsubscribe function. */
  onDecisionChange(listener: DecisionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Decides every pool as of now, announces changes and records actions. Calls in flight are shared. */
  evaluateAll(): Promise<Decision[]> {
    this.evaluating ??= this.evaluateEach().finally(() => {
      this.evaluating = null;
    });
    return this.evaluating;
  }

  /** Starts the live evaluation timer. */
  start(): void {
    if (this.timer !== null) return;
    const every = this.options.evaluateEveryMs ?? 10_000;
    this.timer = setInterval(() => {
      this.evaluateAll().catch((error: Error) => this.log(`scale: evaluation failed: ${error.stack ?? error.message}`));
    }, every);
    this.timer.unref();
  }

  /** Stops the live evaluation and tells subscribers (open event streams end). */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    for (const listener of this.stopListeners) listener();
    this.stopListeners.clear();
  }

  /** Called once when the registry stops; returns the unsubscribe function. */
  onStop(listener: () => void): () => void {
    this.stopListeners.add(listener);
    return () => this.stopListeners.delete(listener);
  }

  private async evaluateEach(): Promise<Decision[]> {
    const at = this.nowSeconds();
    const decisions: Decision[] = [];
    let actionRecorded = false;
    for (const entry of this.list()) {
      await new Promise((resolve) => setImmediate(resolve)); // let requests in between pools
      const decision = await evaluatePool(this.options.store, entry.name, entry.config, at, entry.lastActionAt ?? undefined);
      const current = this.pools.get(entry.name);
      if (current === undefined || current.config !== entry.config) continue; // deleted or replaced meanwhile
      decisions.push(decision);
      const previous = this.latest.get(entry.name);
      this.latest.set(entry.name, decision);
      if (decision.action !== 'hold') {
        this.pools.set(entry.name, { ...current, lastActionAt: at });
        actionRecorded = true;
      }
      if (previous === undefined || changeKey(previous) !== changeKey(decision)) {
        for (const listener of this.listeners) listener(decision);
      }
    }
    if (actionRecorded) this.save();
    return decisions;
  }

  private recordCapacity(name: string, capacity: number): void {
    const id = this.options.store.seriesId(capacitySeriesName(name));
    this.options.store.append({
      length: 1,
      seriesIds: Uint32Array.of(id),
      timestamps: Uint32Array.of(this.nowSeconds()),
      values: Float64Array.of(capacity),
    });
  }

  private load(): void {
    if (!existsSync(this.file)) return;
    let saved: SavedPools;
    try {
      saved = JSON.parse(readFileSync(this.file, 'utf8')) as SavedPools;
    } catch (error) {
      this.log(`scale: cannot read ${this.file}, starting without its pools: ${(error as Error).message}`);
      return;
    }
    for (const [name, pool] of Object.entries(saved.pools ?? {})) {
      try {
        const problem = poolNameProblem(name);
        if (problem !== null) throw new Error(problem);
        const lastActionAt = typeof pool.lastActionAt === 'number' ? pool.lastActionAt : null;
        this.pools.set(name, { name, config: parsePoolConfig(pool.config), lastActionAt });
      } catch (error) {
        this.log(`scale: skipping saved pool '${name}' from ${this.file}: ${(error as Error).message}`);
      }
    }
  }

  private save(): void {
    const saved: SavedPools = { pools: {} };
    for (const entry of this.list()) saved.pools[entry.name] = { config: poolConfigJson(entry.config), lastActionAt: entry.lastActionAt };
    mkdirSync(join(this.options.dataDir, 'scale'), { recursive: true });
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(saved, null, 2)}\n`);
    renameSync(temporary, this.file);
  }
}

/** What makes a decision a change worth announcing. */
function changeKey(decision: Decision): string {
  return `${decision.action}|${decision.line}|${decision.instances}`;
}
