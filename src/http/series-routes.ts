/**
 * Series lifecycle over HTTP: `DELETE /series?target=<name or glob>` (repeatable) removes the
 * series and all their data. Graphite has no such endpoint (whisper files are deleted by hand);
 * it is an admin write, guarded like the Scale API's writes.
 */
import { Hono } from 'hono';
import { hasGlob } from '../names/index.js';
import type { SeriesStore } from '../store/series-store.js';
import { AdminAuthError, requireAdmin } from './admin-auth.js';

export interface SeriesRoutesDeps {
  store: SeriesStore;
  adminToken: string | undefined;
}

export function seriesRoutes(deps: SeriesRoutesDeps): Hono {
  const app = new Hono({ strict: false });
  const checkAdmin = requireAdmin(deps.adminToken);

  app.delete('/series', async (c) => {
    checkAdmin(c);
    const targets = c.req.queries('target') ?? [];
    if (targets.length === 0) return c.json({ error: "missing 'target': the series name or glob to delete" }, 400);
    const { store } = deps;
    if (!store.deleteSeries || !store.match) return c.json({ error: 'this store cannot delete series' }, 400);
    const names = new Set<string>();
    for (const target of targets) {
      if (hasGlob(target)) for (const name of store.match(target)) names.add(name);
      else names.add(target);
    }
    const deleted = await store.deleteSeries([...names]);
    return c.json({ deleted, targets });
  });

  app.onError((error, c) => {
    if (error instanceof AdminAuthError) return c.json({ error: error.message }, error.status);
    throw error;
  });
  return app;
}
