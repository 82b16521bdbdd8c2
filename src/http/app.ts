import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { findNodes, type FoundNode } from '../query/find.js';
import { QueryError } from '../query/query-error.js';
import { renderTargets } from '../query/render.js';
import type { SeriesStore } from '../store/series-store.js';
import { pythonJson, type PythonJsonValue } from './python-json.js';
import { readRequestParams } from './request-params.js';
import { renderJsonPieces } from './render-json.js';
import { parseJsonpCallback, parseRenderRequest } from './render-request.js';
import { renderCsvPieces, renderRawPieces } from './render-text.js';

export interface HttpAppDeps {
  store: SeriesStore;
  /** Extra fields for the `/health` body (listeners, series count, ...). */
  health: () => Record<string, unknown>;
}

/** The graphite-web version we answer as; Grafana picks its feature set from it. */
export const GRAPHITE_VERSION = '1.1.10';

/** The HTTP API: Graphite's render and find endpoints, health and version. */
export function createHttpApp(deps: HttpAppDeps): Hono {
  const app = new Hono({ strict: false });

  app.on(['GET', 'POST'], '/render', async (c) => {
    const request = parseRenderRequest(await readRequestParams(c.req.raw), Date.now() / 1000);
    const series = await renderTargets(deps.store, request.targets, request.from, request.until);
    switch (request.format) {
      case 'csv':
        return streamed(renderCsvPieces(series, request.tz), 'text/csv');
      case 'raw':
        return streamed(renderRawPieces(series), 'text/plain');
      case 'json': {
        const pieces = renderJsonPieces(series, request);
        return request.jsonp === undefined
          ? streamed(pieces, 'application/json')
          : streamed(wrapped(`${request.jsonp}(`, pieces, ')'), 'text/javascript');
      }
    }
  });

  app.on(['GET', 'POST'], ['/metrics/find', '/metrics'], async (c) => {
    const params = await readRequestParams(c.req.raw);
    let query = params.get('query');
    if (query === undefined) throw new QueryError("missing required parameter 'query'");
    const format = params.get('format') ?? 'treejson';
    const wildcards = /^0*[1-9]\d*$/.test(params.get('wildcards') ?? '');
    let body: PythonJsonValue;
    if (format === 'treejson') {
      const basePath = query.includes('.') ? `${query.slice(0, query.lastIndexOf('.'))}.` : '';
      body = treeJson(findNodes(deps.store.names(), query), basePath, wildcards);
    } else if (format === 'completer') {
      query = query.replaceAll('..', '*.');
      if (!query.endsWith('*')) query += '*';
      body = { metrics: completerJson(findNodes(deps.store.names(), query), wildcards) };
    } else {
      throw new QueryError(`invalid value for 'format' parameter: '${format}' (use treejson or completer)`);
    }
    const jsonp = parseJsonpCallback(params);
    if (jsonp !== undefined) return c.body(`${jsonp}(${pythonJson(body)})`, 200, { 'content-type': 'text/javascript' });
    return c.body(pythonJson(body), 200, { 'content-type': 'application/json' });
  });

  app.get('/health', (c) => c.json({ status: 'ok', ...deps.health() }));

  app.get('/version', (c) => c.text(GRAPHITE_VERSION));

  app.notFound((c) => c.text(`not found: ${c.req.method} ${c.req.path}`, 404));

  app.onError((error, c) => errorResponse(error, c));

  return app;
}

/** User errors become 400 with their message; anything else is a bug: logged, and a bare 500. */
function errorResponse(error: Error, c: Context): Response {
  if (error instanceof QueryError) return c.text(error.message, 400);
  if (error instanceof HTTPException) return error.getResponse();
  console.error('http: unhandled error on', c.req.method, c.req.path, error);
  return c.text('internal server error', 500);
}

/** Streams the pieces of a large answer so it is never one giant string. */
function streamed(pieces: Iterator<string>, contentType: string): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = pieces.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': contentType } });
}

function* wrapped(prefix: string, pieces: Iterable<string>, suffix: string): Generator<string> {
  yield prefix;
  yield* pieces;
  yield suffix;
}

/**
 * graphite-web's treejson: branches, then leaves, one node per name (the first wins), ids built
 * from the query's own prefix; a `*` node first when wildcards=1 and more than one node matched.
 */
function treeJson(nodes: FoundNode[], basePath: string, wildcards: boolean): PythonJsonValue[] {
  const branch = { allowChildren: 1, expandable: 1, leaf: 0 };
  const leaf = { allowChildren: 0, expandable: 0, leaf: 1 };
  const results: PythonJsonValue[] = [];
  if (nodes.length > 1 && wildcards) {
    results.push({ text: '*', id: `${basePath}*`, ...(nodes.some((n) => !n.isLeaf) ? branch : leaf) });
  }
  const seen = new Set<string>();
  const branches: PythonJsonValue[] = [];
  const leaves: PythonJsonValue[] = [];
  for (const node of nodes) {
    if (seen.has(node.name)) continue;
    seen.add(node.name);
    const entry = { text: node.name, id: basePath + node.name, context: {} };
    if (node.isLeaf) leaves.push({ ...entry, ...leaf });
    else branches.push({ ...entry, ...branch });
  }
  return [...results, ...branches, ...leaves];
}

/** graphite-web's completer entries: branches' paths end with `.`; `is_leaf` is "0" or "1". */
function completerJson(nodes: FoundNode[], wildcards: boolean): PythonJsonValue[] {
  const results: PythonJsonValue[] = nodes.map((node) => ({
    path: node.isLeaf ? node.path : `${node.path}.`,
    name: node.name,
    is_leaf: node.isLeaf ? '1' : '0',
  }));
  if (results.length > 1 && wildcards) results.push({ name: '*' });
  return results;
}
