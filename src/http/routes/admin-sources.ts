// Admin API for sources: register, inspect, edit, remove, refresh now, read the fetch log.
import { Router } from 'express';
import { z } from 'zod';
import { SLUG_RE, SLUG_RULE } from '../../services/slug.js';
import type { RefreshService, SourceService } from '../../services/types.js';
import { idOrSlug, parseBody, queryFlag, queryInt } from './validate.js';

const slug = z.string().regex(SLUG_RE, SLUG_RULE);
const interval = z.number().int().min(1).max(30 * 86_400);
const categories = z.array(z.string().trim().min(1).max(100)).max(50);
const text = (max: number) => z.string().max(max);

const newSource = z
  .object({
    url: z.string().min(1).max(2048),
    slug: slug.optional(),
    title: text(300).optional(),
    categories: categories.optional(),
    minIntervalS: interval.optional(),
    maxIntervalS: interval.optional(),
    defaultCredit: text(300).optional(),
    defaultRights: text(500).optional(),
    visibility: z.enum(['public', 'partners']).optional(),
  })
  .strict()
  .refine((v) => v.minIntervalS === undefined || v.maxIntervalS === undefined || v.minIntervalS <= v.maxIntervalS, {
    message: 'minIntervalS must not exceed maxIntervalS',
    path: ['minIntervalS'],
  });

const sourcePatch = z
  .object({
    url: z.string().min(1).max(2048),
    slug,
    title: text(300),
    siteUrl: z.string().max(2048),
    description: text(2000),
    language: text(35),
    categories,
    minIntervalS: interval,
    maxIntervalS: interval,
    status: z.enum(['active', 'paused', 'gone']),
    statusReason: text(500),
    defaultCredit: text(300),
    defaultRights: text(500),
    visibility: z.enum(['public', 'partners']),
  })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change' });

export function adminSources(deps: { sources: SourceService; refresh: RefreshService }): Router {
  const { sources, refresh } = deps;
  const r = Router();

  r.get('/', async (_req, res) => {
    res.json({ sources: await sources.list() });
  });

  r.post('/', async (req, res) => {
    const input = parseBody(newSource, req.body);
    const source = await sources.add(input);
    res.status(201).location(`/api/sources/${source.id}`).json(source);
  });

  r.get('/:id', async (req, res) => {
    res.json(await sources.get(idOrSlug(req.params.id)));
  });

  r.patch('/:id', async (req, res) => {
    const patch = parseBody(sourcePatch, req.body);
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
