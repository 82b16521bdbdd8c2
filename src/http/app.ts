import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { NamePatternError } from '../names/name-pattern-error.js';
import { compileTagRegex, parseSeriesByTag } from '../names/tag-expression.js';
import { findInStore, type FoundNodes } from '../query/find.js';
import { describeFunction, describeFunctions } from '../query/functions/index.js';
import { generatedPoints } from '../query/functions/generators.js';
import { parseGraphiteTime } from '../query/graphite-time.js';
import { QueryError } from '../query/query-error.js';
import { evaluateFetched, fetchTargets, StoreSource, type EvaluateOptions } from '../query/evaluator.js';
import { renderedSeries } from '../query/render.js';
import { completeTags, completeValues } from '../query/series-by-tag.js';
import type { SeriesStore } from '../store/series-store.js';
import { RequestLimitError, resolveRenderLimits, withTimeLimit, type RenderLimits } from './limits.js';
import { NEEDS_ESCAPE, pythonJson, pythonJsonString, pythonJsonStringList, type PythonJsonValue } from './python-json.js';
import { readRequestParams, type RequestParams } from './request-params.js';
import { renderBody } from './render-body.js';
import { WorkerExitError, type RenderPool } from './render-pool.js';
import { parseJsonpCallback, parseRenderRequest, type RenderRequest } from './render-request.js';
import { scaleRoutes, type ScaleRoutesDeps } from './scale-routes.js';
import { seriesRoutes } from './series-routes.js';

export interface HttpAppDeps {
  store: SeriesStore;
  /** Extra fields for the `/health` body (listeners, series count, ...). */
  health: () => Record<string, unknown>;
  /** Per-request limits; each one left out takes its default (DEFAULT_RENDER_LIMITS). */
  limits?: Partial<RenderLimits>;
  /** The Scale API; left out, its routes are not served. */
  scale?: ScaleRoutesDeps;
  /** Token of the admin write endpoints (series deletion); undefined: loopback clients only. */
  adminToken?: string;
  /** Where heavy renders run; left out, every render runs on the main thread. The owner closes it. */
  renderPool?: RenderPool;
}

/** graphite-web's TAGDB_AUTOCOMPLETE_LIMIT: auto-completion answers at most this many by default. */
const AUTOCOMPLETE_LIMIT = 100;

/** The graphite-web version we answer as; Grafana picks its feature set from it. */
export const GRAPHITE_VERSION = '1.1.10';

/** The HTTP API: Graphite's render and find endpoints, health and version. */
export function createHttpApp(deps: HttpAppDeps): Hono {
  const app = new Hono({ strict: false });
  const limits = resolveRenderLimits(deps.limits);
  if (deps.scale) app.route('/', scaleRoutes(deps.scale));
  app.route('/', seriesRoutes({ store: deps.store, adminToken: deps.adminToken }));

  app.on(['GET', 'POST'], '/render', async (c) => {
    const request = parseRenderRequest(await readRequestParams(c.req.raw), Date.now() / 1000);
    // Past the time limit, a render still running on a worker is stopped; on the main thread it runs out.
    const abort = new AbortController();
    try {
      return await withTimeLimit(answerRender(request, abort.signal), limits);
    } finally {
      abort.abort();
    }
  });

  /** Parses and reads here; evaluates and formats here too, or on the render pool when the data is big. */
  async function answerRender(request: RenderRequest, signal: AbortSignal): Promise<Response> {
    const source = new StoreSource(deps.store);
    const options: EvaluateOptions = {
      from: request.from,
      until: request.until,
      xFilesFactor: request.xFilesFactor,
      templateParams: request.templateParams,
      maxPoints: limits.maxPoints,
    };
    const targets = await fetchTargets(source, request.targets, options);
    const pool = deps.renderPool;
    if (pool?.wants(targets.fetched, generatedPoints(targets.expressions, request.from, request.until))) {
      const answer = await pool.render(source, targets, options, request, limits, signal);
      return answer.pieces.length === 1 ? wholeBody(answer.pieces[0], answer.contentType) : piecesBody(answer.pieces, answer.contentType);
    }
    const body = renderBody(renderedSeries(await evaluateFetched(source, targets, options)), request, limits);
    return body.whole ? wholeBody(body.whole, body.contentType) : streamedBody(body.pieces!, body.contentType);
  }

  app.on(['GET', 'POST'], ['/metrics/find', '/metrics'], async (c) => {
    const params = await readRequestParams(c.req.raw);
    let query = params.get('query');
    if (query === undefined) throw new QueryError("missing required parameter 'query'");
    if (query === '') throw new QueryError("required parameter 'query' is empty");
    const format = params.get('format') ?? 'treejson';
    const wildcards = intParam(params, 'wildcards', 0) !== 0;
    const leavesOnly = intParam(params, 'leavesOnly', 0) !== 0;
    checkFindTimes(params);
    const basePath = query.includes('.') ? `${query.slice(0, query.lastIndexOf('.'))}.` : '';
    if (format === 'completer') {
      query = query.replaceAll('..', '*.');
      if (!query.endsWith('*')) query += '*';
    } else if (format !== 'treejson') {
      throw new QueryError(`invalid value for 'format' parameter: '${format}' (use treejson or completer)`);
    }
    const nodes = findInStore(deps.store, query, leavesOnly);
    const jsonp = parseJsonpCallback(params);
    if (format === 'completer') return jsonTextAnswer(c, completerJson(nodes, wildcards), jsonp);
    return jsonAnswer(c, treeJson(nodes, basePath, wildcards), jsonp);
  });

  app.on(['GET', 'POST'], '/metrics/expand', async (c) => {
    const params = await readRequestParams(c.req.raw);
    const groupByExpr = intParam(params, 'groupByExpr', 0) !== 0;
    const leavesOnly = intParam(params, 'leavesOnly', 0) !== 0;
    // Each query's paths, sorted and deduplicated once: a Set of 100k paths cost more than the find.
    const results = new Map<string, string[]>();
    for (const query of params.getAll('query')) {
      if (results.has(query)) continue;
      const nodes = findInStore(deps.store, query, leavesOnly);
      const paths = new Array<string>(nodes.length);
      for (let i = 0; i < nodes.length; i++) paths[i] = nodes.path(i);
      results.set(query, paths);
    }
    let json: string;
    if (groupByExpr) {
      const members = [...results].map(([query, paths]) => `${pythonJsonString(query)}: ${pythonJsonStringList(sortedUnique(paths))}`);
      json = `{"results": {${members.join(', ')}}}`;
    } else {
      json = `{"results": ${pythonJsonStringList(sortedUnique([...results.values()].flat()))}}`;
    }
    return jsonTextAnswer(c, json, parseJsonpCallback(params));
  });

  app.on(['GET', 'POST'], '/metrics/index.json', async (c) => {
    const params = await readRequestParams(c.req.raw);
    const names: string[] = [];
    for (const name of deps.store.names()) if (!name.includes(';')) names.push(name);
    names.sort(compareStrings);
    const body = `[${names.map(pythonJsonString).join(', ')}]`;
    const jsonp = parseJsonpCallback(params);
    if (jsonp !== undefined) return c.body(`${jsonp}(${body})`, 200, { 'content-type': 'text/javascript' });
    return c.body(body, 200, { 'content-type': 'application/json' });
  });

  // Tags: graphite-web's shapes (tags/views.py, base.py); its errors here are JSON {"error": ...}.
  app.get('/tags', (c) =>
    tagAnswer(c, async () => {
      const params = await readRequestParams(c.req.raw);
      const filter = optionalRegex(params.get('filter'));
      const limit = intParam(params, 'limit', Infinity);
      const tags = (deps.store.tagNames?.() ?? []).filter((tag) => filter === undefined || filter.test(tag));
      return tags.slice(0, limit).map((tag) => ({ tag }));
    }),
  );

  app.on(['GET', 'POST'], '/tags/findSeries', (c) =>
    tagAnswer(c, async () => {
      const expressions = listParam(await readRequestParams(c.req.raw), 'expr');
      if (expressions.length === 0) throw new QueryError('no tag expressions specified');
      parseSeriesByTag(expressions);
      return deps.store.seriesByTag?.(expressions) ?? [];
    }),
  );

  app.on(['GET', 'POST'], '/tags/autoComplete/tags', (c) =>
    tagAnswer(c, async () => {
      const params = await readRequestParams(c.req.raw);
      const expressions = listParam(params, 'expr');
      const prefix = params.get('tagPrefix') ?? '';
      const limit = intParam(params, 'limit', AUTOCOMPLETE_LIMIT);
      if (expressions.length === 0) return deps.store.tagNames?.(prefix, limit) ?? [];
      parseSeriesByTag(expressions);
      return completeTags(deps.store.seriesByTag?.(expressions) ?? [], expressions, prefix, limit);
    }),
  );

  app.on(['GET', 'POST'], '/tags/autoComplete/values', (c) =>
    tagAnswer(c, async () => {
      const params = await readRequestParams(c.req.raw);
      const tag = params.get('tag');
      if (tag === undefined || tag === '') throw new QueryError('no tag specified');
      const expressions = listParam(params, 'expr');
      const prefix = params.get('valuePrefix') ?? '';
      const limit = intParam(params, 'limit', AUTOCOMPLETE_LIMIT);
      if (expressions.length === 0) return (deps.store.tagValues?.(tag, prefix, limit) ?? []).map((v) => v.value);
      const selecting = [...expressions, `${tag}!=`];
      parseSeriesByTag(selecting);
      return completeValues(deps.store.seriesByTag?.(selecting) ?? [], tag, prefix, limit);
    }),
  );

  app.get('/tags/:tag', (c) =>
    tagAnswer(c, async () => {
      const params = await readRequestParams(c.req.raw);
      const tag = c.req.param('tag');
      const filter = optionalRegex(params.get('filter'));
      const limit = intParam(params, 'limit', Infinity);
      const values = (deps.store.tagValues?.(tag) ?? []).filter((v) => filter === undefined || filter.test(v.value));
      if (values.length === 0 && !(deps.store.tagNames?.() ?? []).includes(tag)) return null;
      return { tag, values: values.slice(0, limit).map(({ value, count }) => ({ value, count })) };
    }),
  );

  app.get('/health', (c) => c.json({ status: 'ok', ...deps.health() }));

  // graphite-web's function descriptions, as strict JSON (graphite-web writes a bare Infinity).
  app.get('/functions', (c) => {
    const grouped = ['1', 'true'].includes((c.req.query('grouped') ?? '').toLowerCase());
    const body = c.req.query('type') === 'pie' ? {} : describeFunctions({ group: c.req.query('group'), grouped });
    return c.body(pythonJson(body as unknown as PythonJsonValue), 200, { 'content-type': 'application/json' });
  });
  app.get('/functions/:name', (c) => {
    const info = describeFunction(c.req.param('name'));
    if (!info) return c.text(`Function not found: ${c.req.param('name')}`, 404);
    return c.body(pythonJson(info as unknown as PythonJsonValue), 200, { 'content-type': 'application/json' });
  });

  app.get('/version', (c) => c.text(GRAPHITE_VERSION));

  app.notFound((c) => c.text(`not found: ${c.req.method} ${c.req.path}`, 404));

  app.onError((error, c) => errorResponse(error, c));

  return app;
}

/** User errors become 400 with their message; anything else is a bug: logged, and a bare 500. */
function errorResponse(error: Error, c: Context): Response {
  if (isUserError(error)) return c.text(error.message, 400);
  if (error instanceof RequestLimitError) return c.text(error.message, error.status);
  if (error instanceof WorkerExitError) {
    console.error('http: render worker failed on', c.req.method, c.req.path, error.message);
    return c.text(`the render failed: ${error.message}; retry the request`, 503);
  }
  if (error instanceof HTTPException) return error.getResponse();
  console.error('http: unhandled error on', c.req.method, c.req.path, error);
  return c.text('internal server error', 500);
}

/** A bad query, or a bad name pattern the tag endpoints met before any query ran. */
function isUserError(error: unknown): error is QueryError | NamePatternError {
  return error instanceof QueryError || error instanceof NamePatternError;
}

/** Building pieces for this long without a break hands the event loop to other requests first. */
const PIECES_SLICE_MS = 4;

/**
 * Streams the pieces of a large answer so it is never one giant string. A big answer (thousands
 * of series) is built piece by piece in slices of PIECES_SLICE_MS, with a turn of the event loop
 * between slices: small queries and ingest never wait for the whole answer.
 */
function streamedBody(pieces: Iterator<Uint8Array>, contentType: string): Response {
  let sliceStart = performance.now();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (performance.now() - sliceStart > PIECES_SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
      const next = pieces.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': contentType } });
}

/** An answer small enough to build at once: one buffer, without a stream's machinery per request. */
function wholeBody(body: Uint8Array, contentType: string): Response {
  return new Response(body, { status: 200, headers: { 'content-type': contentType } });
}

/** An answer already built, in pieces: handed to the socket one by one, without joining them. */
function piecesBody(pieces: readonly Uint8Array[], contentType: string): Response {
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next < pieces.length) controller.enqueue(pieces[next++]);
      else controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': contentType } });
}

/** JSON as graphite-web's json_response_for writes it, JSONP-wrapped when asked. */
function jsonAnswer(c: Context, body: PythonJsonValue, jsonp: string | undefined): Response {
  if (jsonp !== undefined) return c.body(`${jsonp}(${pythonJson(body)})`, 200, { 'content-type': 'text/javascript' });
  return c.body(pythonJson(body), 200, { 'content-type': 'application/json' });
}

/** A tag endpoint's answer; its user errors are JSON `{"error": ...}` with 400, as graphite-web's jsonResponse. */
async function tagAnswer(c: Context, answer: () => Promise<PythonJsonValue>): Promise<Response> {
  try {
    return c.body(pythonJson(await answer()), 200, { 'content-type': 'application/json' });
  } catch (error) {
    if (isUserError(error)) return c.body(pythonJson({ error: error.message }), 400, { 'content-type': 'application/json' });
    throw error;
  }
}

/** An integer parameter (graphite-web's queryParamAsInt); QueryError naming it when it is not one. */
function intParam(params: RequestParams, name: string, fallback: number): number {
  const text = params.get(name);
  if (text === undefined) return fallback;
  if (!/^\s*[-+]?\d+\s*$/.test(text)) throw new QueryError(`invalid int value '${text}' for param ${name}`);
  return Number(text);
}

/** A repeatable parameter, also in the `name[]` form jQuery and PHP clients send. */
function listParam(params: RequestParams, name: string): string[] {
  const values = params.getAll(name);
  return values.length > 0 ? values : params.getAll(`${name}[]`);
}

function optionalRegex(filter: string | undefined): RegExp | undefined {
  return filter === undefined || filter === '' ? undefined : compileTagRegex(filter);
}

/** find's `from`/`until` only narrow results in graphite-web's finders; here they are checked, so bad ones are 400s. */
function checkFindTimes(params: RequestParams): void {
  for (const name of ['from', 'until']) {
    const value = params.get(name);
    if (value === undefined || value === '-1') continue;
    try {
      parseGraphiteTime(value, { now: Date.now() / 1000, tz: 'UTC' });
    } catch (error) {
      throw new QueryError(`invalid value '${value}' for param ${name}: ${(error as Error).message}`);
    }
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorted, each string once. Paths from the tree come nearly sorted, which the sort finds in one pass. */
function sortedUnique(strings: string[]): string[] {
  strings.sort(compareStrings);
  let kept = 0;
  for (let i = 0; i < strings.length; i++) if (i === 0 || strings[i] !== strings[kept - 1]) strings[kept++] = strings[i];
  strings.length = kept;
  return strings;
}

/**
 * graphite-web 1.1's treejson: branches, then leaves, one node per name (the first wins), ids built
 * from the query's own prefix, text URL-unquoted; a `*` node first when wildcards=1 and more than one
 * node matched. Nodes come sorted by name, so a name's nodes are adjacent and only its first counts.
 */
function treeJson(nodes: FoundNodes, basePath: string, wildcards: boolean): PythonJsonValue[] {
  const branch = { allowChildren: 1, expandable: 1, leaf: 0 };
  const leaf = { allowChildren: 0, expandable: 0, leaf: 1 };
  const results: PythonJsonValue[] = [];
  const count = nodes.length;
  if (count > 1 && wildcards) {
    let anyBranch = false;
    for (let i = 0; i < count && !anyBranch; i++) anyBranch = !nodes.isLeaf(i);
    results.push({ text: '*', id: `${basePath}*`, ...(anyBranch ? branch : leaf) });
  }
  const branches: PythonJsonValue[] = [];
  const leaves: PythonJsonValue[] = [];
  // All of one name (`*.*.*.latency`) when the first and last agree: then only the first counts.
  const distinct = count > 0 && nodes.name(0) === nodes.name(count - 1) ? 1 : count;
  let previous: string | undefined;
  for (let i = 0; i < distinct; i++) {
    const name = nodes.name(i);
    if (name === previous) continue;
    previous = name;
    const entry = { text: unquotePlus(name), id: basePath + name };
    if (nodes.isLeaf(i)) leaves.push({ ...entry, ...leaf });
    else branches.push({ ...entry, ...branch });
  }
  return [...results, ...branches, ...leaves];
}

/**
 * graphite-web's completer answer, `{"metrics": [...]}`: branches' paths end with `.`; `is_leaf`
 * is "0" or "1". Written as text directly: a broad query lists 100k nodes, and an object per
 * entry for pythonJson to walk cost more than the walk of the tree.
 */
function completerJson(nodes: FoundNodes, wildcards: boolean): string {
  // Appended piece by piece: V8 keeps the pieces as a rope and copies them once, at the end,
  // where a string per entry and a join built 100k strings and copied them all twice.
  let json = '{"metrics": [';
  // Nodes come grouped by name: a name is quoted once per group, not once per node.
  let name = '';
  let nameJson = '""';
  for (let i = 0; i < nodes.length; i++) {
    const isLeaf = nodes.isLeaf(i);
    const path = nodes.path(i);
    if (nodes.name(i) !== name) nameJson = pythonJsonString((name = nodes.name(i)));
    json += i === 0 ? '{"path": ' : ', {"path": ';
    json += NEEDS_ESCAPE.test(path) ? pythonJsonString(isLeaf ? path : `${path}.`) : isLeaf ? `"${path}"` : `"${path}."`;
    json += ', "name": ';
    json += nameJson;
    json += isLeaf ? ', "is_leaf": "1"}' : ', "is_leaf": "0"}';
  }
  if (nodes.length > 1 && wildcards) json += ', {"name": "*"}';
  return `${json}]}`;
}

/** jsonAnswer for JSON already written as text. */
function jsonTextAnswer(c: Context, json: string, jsonp: string | undefined): Response {
  if (jsonp !== undefined) return c.body(`${jsonp}(${json})`, 200, { 'content-type': 'text/javascript' });
  return c.body(json, 200, { 'content-type': 'application/json' });
}

/** Python's unquote_plus: `+` is a space, `%XX` a UTF-8 byte; malformed escapes stay as they are. */
function unquotePlus(text: string): string {
  if (!text.includes('%') && !text.includes('+')) return text;
  return text.replaceAll('+', ' ').replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}
