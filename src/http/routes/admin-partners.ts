// Admin API for partners: accounts and their keys. A new key is in the 201 answer once and
// nowhere else (only its hash is stored).
import { Router } from 'express';
import { newPartnerSchema, partnerPatchSchema } from '../../services/inputs.js';
import type { PartnerService } from '../../services/partners.js';
import { deliveriesCsv, MAX_EXPORT, parseInstant, type DeliveryLog } from '../../services/deliveries.js';
import { ValidationError } from '../../errors.js';
import type { Partner } from '../../model/types.js';
import { parseBody, queryInt, queryText } from './validate.js';

export function adminPartners(deps: { partners: PartnerService; deliveries?: DeliveryLog }): Router {
  const { partners, deliveries } = deps;
  const r = Router();

  /** The partner with its cursor (highest seq delivered) and lag, when the log is on. */
  const withCursor = async (p: Partner) => (deliveries ? { ...p, delivery: await deliveries.cursor(p) } : p);

  r.get('/', async (_req, res) => {
    res.json({ partners: await Promise.all((await partners.list()).map(withCursor)) });
  });

  r.post('/', async (req, res) => {
    const partner = await partners.create(parseBody(newPartnerSchema, req.body));
    res.status(201).location(`/api/partners/${partner.slug}`).json({ partner });
  });

  r.get('/:slug', async (req, res) => {
    res.json({ partner: await withCursor(await partners.get(String(req.params.slug))) });
  });

  // "Which stories, which versions, when": JSON, or CSV with one row per item.
  r.get('/:slug/deliveries', async (req, res) => {
    const partner = await partners.get(String(req.params.slug));
    const format = queryText(req.query.format, 'format') ?? 'json';
    if (format !== 'json' && format !== 'csv') throw new ValidationError('invalid_query', 'query: format must be json or csv', 400);
    const from = parseInstant(queryText(req.query.from, 'from'), 'from');
    const to = parseInstant(queryText(req.query.to, 'to'), 'to');
    const limit = queryInt(req.query.limit, 'limit', 1, MAX_EXPORT, MAX_EXPORT);
    if (!deliveries) throw new ValidationError('delivery_log_off', 'partners: the delivery log is turned off (WIREFEED_DELIVERY_LOG=0)', 409);
    const list = await deliveries.list(partner, { from, to, limit });
    res.setHeader('Cache-Control', 'no-store');
    if (format === 'csv') {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="deliveries-${partner.slug}.csv"`);
      res.send(deliveriesCsv(list));
    } else {
      res.json({ deliveries: list, cursor: await deliveries.cursor(partner) });
    }
  });

  r.patch('/:slug', async (req, res) => {
    const patch = parseBody(partnerPatchSchema, req.body);
    const clean = Object.fromEntries(Object.entries(patch).map(([k, v]) => [k, v === null ? undefined : v]));
    res.json({ partner: await partners.update(String(req.params.slug), clean) });
  });

  r.delete('/:slug', async (req, res) => {
    await partners.remove(String(req.params.slug));
    res.status(204).end();
  });

  r.post('/:slug/keys', async (req, res) => {
    const k = await partners.createKey(String(req.params.slug));
    // The secret is in this one answer: nothing may keep it (RFC 9111 no-store).
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).location(`/api/partners/${req.params.slug}/keys/${k.keyId}`).json({ key: k.key, keyId: k.keyId, prefix: k.prefix, createdAt: k.createdAt });
  });

  r.get('/:slug/keys', async (req, res) => {
    res.json({ keys: await partners.listKeys(String(req.params.slug)) });
  });

  r.delete('/:slug/keys/:keyId', async (req, res) => {
    await partners.revokeKey(String(req.params.slug), String(req.params.keyId));
    res.status(204).end();
  });

  return r;
}
