// Admin API for channels: list, create, edit, remove.
import { Router } from 'express';
import { z } from 'zod';
import { SLUG_RE, SLUG_RULE } from '../../services/slug.js';
import { channelFilterSchema } from '../../services/channel-filter.js';
import type { ChannelService } from '../../services/types.js';
import { parseBody } from './validate.js';

const filter = channelFilterSchema;

const fields = {
  title: z.string().trim().min(1).max(300),
  description: z.string().max(2000),
  filter,
  defaultLimit: z.number().int().min(1).max(500),
  visibility: z.enum(['public', 'partners']),
};

const newChannel = z
  .object({
    slug: z.string().regex(SLUG_RE, SLUG_RULE),
    title: fields.title,
    description: fields.description.optional(),
    filter: filter.optional(),
    defaultLimit: fields.defaultLimit.optional(),
    visibility: fields.visibility.optional(),
  })
  .strict();

const channelPatch = z
  .object(fields)
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change' });

export function adminChannels(deps: { channels: ChannelService }): Router {
  const { channels } = deps;
  const r = Router();

  r.get('/', async (_req, res) => {
    res.json({ channels: await channels.list() });
  });

  r.post('/', async (req, res) => {
    const channel = await channels.create(parseBody(newChannel, req.body));
    res.status(201).location(`/api/channels/${channel.slug}`).json(channel);
  });

  r.get('/:slug', async (req, res) => {
    res.json(await channels.get(String(req.params.slug)));
  });

  r.patch('/:slug', async (req, res) => {
    res.json(await channels.update(String(req.params.slug), parseBody(channelPatch, req.body)));
  });

  r.delete('/:slug', async (req, res) => {
    await channels.remove(String(req.params.slug));
    res.status(204).end();
  });

  return r;
}
