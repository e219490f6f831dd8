// Admin API for sources: register, inspect, edit, remove, refresh now, read the fetch log.
import { Router } from 'express';
import { newSourceSchema, sourcePatchSchema } from '../../services/inputs.js';
import type { RefreshService, SourceService } from '../../services/types.js';
import { queryFlag } from '../../services/query-values.js';
import { idOrSlug, parseBody, queryInt } from './validate.js';

export function adminSources(deps: { sources: SourceService; refresh: RefreshService }): Router {
  const { sources, refresh } = deps;
  const r = Router();

  r.get('/', async (_req, res) => {
    res.json({ sources: await sources.list() });
  });

  r.post('/', async (req, res) => {
    const input = parseBody(newSourceSchema, req.body);
    const source = await sources.add(input);
    res.status(201).location(`/api/sources/${source.id}`).json(source);
  });

  r.get('/:id', async (req, res) => {
    res.json(await sources.get(idOrSlug(req.params.id)));
  });

  r.patch('/:id', async (req, res) => {
    const patch = parseBody(sourcePatchSchema, req.body);
    const source = await sources.get(idOrSlug(req.params.id));
    res.json(await sources.update(source.id, patch));
  });

  r.delete('/:id', async (req, res) => {
    const detach = queryFlag(req.query.detach, 'detach');
    const source = await sources.get(idOrSlug(req.params.id));
    const { detachedFrom } = await sources.remove(source.id, { detach });
    if (!detachedFrom.length) {
      res.status(204).end();
      return;
    }
    res.locals.audit = { detachedFrom };
    res.json({ removed: source.slug, detachedFrom });
  });

  r.post('/:id/refresh', async (req, res) => {
    const source = await sources.get(idOrSlug(req.params.id));
    res.json(await refresh.refreshSource(source));
  });

  r.get('/:id/fetches', async (req, res) => {
    const limit = queryInt(req.query.limit, 'limit', 1, 500, 50);
    const source = await sources.get(idOrSlug(req.params.id));
    res.json({ fetches: await sources.fetchLog(source.id, limit) });
  });

  return r;
}
