/**
 * The Scale API (CONTRACT.md, section Scale API): pools, decisions, capacity, backtests and a
 * Server-Sent Events stream of decision changes, for elastic schedulers.
 *
 * Write endpoints (PUT and DELETE) need `Authorization: Bearer <token>` when a token is configured;
 * with none they accept loopback clients only (403 for others), so a fresh install is not open to
 * the network. Answers and errors are JSON; an error is `{"error": message}` plus `"field"` for a
 * bad pool config, and the message names what is wrong.
 */
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { AdminAuthError, requireAdmin } from './admin-auth.js';
import { parseGraphiteTime } from '../query/graphite-time.js';
import { QueryError } from '../query/query-error.js';
import type { Decision } from '../scale/decision.js';
import { parsePoolConfig, poolConfigJson, PoolConfigError, type PoolConfig } from '../config/pool-config.js';
import { poolNameProblem } from '../config/pool-name.js';
import type { PoolEntry, PoolRegistry } from '../scale/pool-registry.js';
import { poolTargetProblem } from '../scale/pool-targets.js';

export interface ScaleRoutesDeps {
  registry: PoolRegistry;
  /** Bearer token of the write endpoints; undefined: loopback clients only. */
  adminToken: string | undefined;
  /** Seconds between SSE comment lines that keep idle proxies from closing the stream; default 15. */
  keepAliveSeconds?: number;
}

/** A request the client can fix: the status and the JSON error body. */
class ScaleRequestError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** How far back GET /scale/pools/{pool} looks for the capacity estimate, by default. */
const ESTIMATE_FROM = '-7d';
const BACKTEST_FROM = '-24h';

export function scaleRoutes(deps: ScaleRoutesDeps): Hono {
  const { registry } = deps;
  const app = new Hono({ strict: false });
  const adminCheck = requireAdmin(deps.adminToken);
  const requireWriter = (c: Context): void => {
    try {
      adminCheck(c);
    } catch (error) {
      if (error instanceof AdminAuthError) throw new ScaleRequestError(error.status, error.message);
      throw error;
    }
  };

  const entryOf = (c: Context): PoolEntry => {
    const name = c.req.param('pool') ?? '';
    const entry = registry.get(name);
    if (entry === undefined) throw new ScaleRequestError(404, `unknown pool '${name}'`);
    return entry;
  };
  const timeParam = (c: Context, name: string, fallback: string): number => {
    const text = c.req.query(name) ?? fallback;
    try {
      return parseGraphiteTime(text, { now: registry.nowSeconds() });
    } catch (error) {
      if (error instanceof QueryError) throw new ScaleRequestError(400, `invalid value for '${name}': ${error.message}`, name);
      throw error;
    }
  };

  app.get('/scale/pools', (c) => c.json({ pools: registry.list().map(poolJson) }));

  app.get('/scale/pools/:pool', async (c) => {
    const entry = entryOf(c);
    const from = timeParam(c, 'from', ESTIMATE_FROM);
    const until = timeParam(c, 'until', 'now');
    const [decision, capacity] = await Promise.all([registry.decision(entry.name), registry.capacityEstimate(entry.name, from, until)]);
    return c.json({
      ...poolJson(entry),
      redundancy: decision!.redundancy,
      lines: entry.config.lines,
      window: decision!.window,
      decision: decision!,
      capacity: capacity!,
    });
  });

  app.put('/scale/pools/:pool', async (c) => {
    requireWriter(c);
    const name = c.req.param('pool');
    const problem = poolNameProblem(name);
    if (problem !== null) throw new ScaleRequestError(400, problem, 'pool');
    const config = parsePoolConfig(await jsonBody(c));
    const bad = poolTargetProblem(config);
    if (bad !== null) throw new ScaleRequestError(400, `${bad.field}: ${bad.message}`, bad.field);
    const created = registry.put(name, config);
    return c.json(poolJson(registry.get(name)!), created ? 201 : 200);
  });

  app.delete('/scale/pools/:pool', (c) => {
    requireWriter(c);
    const entry = entryOf(c);
    registry.delete(entry.name);
    return c.body(null, 204);
  });

  app.get('/scale/pools/:pool/decision', async (c) => {
    const entry = entryOf(c);
    const at = timeParam(c, 'at', 'now');
    return c.json((await registry.decision(entry.name, at))!);
  });

  app.put('/scale/pools/:pool/capacity', async (c) => {
    requireWriter(c);
    const entry = entryOf(c);
    const body = await jsonBody(c);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ScaleRequestError(400, 'expected a JSON object {"capacityPerInstance": N}');
    }
    for (const key of Object.keys(body)) {
      if (key !== 'capacityPerInstance') throw new ScaleRequestError(400, `${key}: unknown key (expected capacityPerInstance)`, key);
    }
    const capacity = (body as { capacityPerInstance?: unknown }).capacityPerInstance;
    if (typeof capacity !== 'number' || !Number.isFinite(capacity) || capacity <= 0) {
      throw new ScaleRequestError(400, `capacityPerInstance: expected a number > 0, got ${JSON.stringify(capacity) ?? 'nothing'}`, 'capacityPerInstance');
    }
    return c.json(poolJson(registry.setCapacity(entry.name, capacity)!));
  });

  app.get('/scale/pools/:pool/backtest', async (c) => {
    const entry = entryOf(c);
    const from = timeParam(c, 'from', BACKTEST_FROM);
    const until = timeParam(c, 'until', 'now');
    if (until < from) throw new ScaleRequestError(400, `'until' (${until}) is before 'from' (${from})`, 'until');
    try {
      return c.json((await registry.backtest(entry.name, from, until))!);
    } catch (error) {
      if (error instanceof RangeError) throw new ScaleRequestError(400, error.message, 'from');
      throw error;
    }
  });

  app.get('/scale/events', (c) =>
    streamSSE(c, async (stream) => {
      const pending: Decision[] = [];
      let wake: (() => void) | null = null;
      const unsubscribe = registry.onDecisionChange((decision) => {
        pending.push(decision);
        wake?.();
      });
      stream.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      const unsubscribeStop = registry.onStop(() => {
        stream.abort();
        wake?.();
      });
      // A fresh evaluation first, so a new subscriber starts from every pool's current decision.
      await registry.evaluateAll();
      pending.length = 0;
      pending.push(...registry.latestDecisions());
      let id = 0;
      const keepAliveMs = (deps.keepAliveSeconds ?? 15) * 1000;
      while (!stream.aborted) {
        while (pending.length > 0 && !stream.aborted) {
          const decision = pending.shift()!;
          await stream.writeSSE({ event: 'decision', id: String(++id), data: JSON.stringify(decision) });
        }
        const idle = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(true), keepAliveMs);
          wake = () => {
            clearTimeout(timer);
            resolve(false);
          };
        });
        wake = null;
        if (idle && !stream.aborted) await stream.write(': keep-alive\n\n');
      }
      unsubscribe();
      unsubscribeStop();
      await stream.close();
    }),
  );

  app.onError((error, c) => {
    if (error instanceof ScaleRequestError) return c.json(errorJson(error.message, error.field), error.status);
    if (error instanceof PoolConfigError) return c.json(errorJson(error.message, error.field), 400);
    if (error instanceof QueryError) return c.json(errorJson(error.message), 400);
    console.error('http: unhandled error on', c.req.method, c.req.path, error);
    return c.json(errorJson('internal server error'), 500);
  });

  return app;
}

function poolJson(entry: PoolEntry): { pool: string; config: ReturnType<typeof poolConfigJson>; lastActionAt: number | null } {
  return { pool: entry.name, config: poolConfigJson(entry.config), lastActionAt: entry.lastActionAt };
}

function errorJson(message: string, field?: string): { error: string; field?: string } {
  return field === undefined || field === '' ? { error: message } : { error: message, field };
}

async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ScaleRequestError(400, `request body is not valid JSON: ${(error as Error).message}`);
  }
}

