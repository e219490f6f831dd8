// Admin API for channels: list, create, edit, remove.
import { Router } from 'express';
import { channelPatchSchema, newChannelSchema } from '../../services/inputs.js';
import type { ChannelService } from '../../services/types.js';
import { parseBody } from './validate.js';

export function adminChannels(deps: { channels: ChannelService }): Router {
  const { channels } = deps;
  const r = Router();

  r.get('/', async (_req, res) => {
    res.json({ channels: await channels.list() });
  });

  r.post('/', async (req, res) => {
    const channel = await channels.create(parseBody(newChannelSchema, req.body));
    res.status(201).location(`/api/channels/${channel.slug}`).json(channel);
  });

  r.get('/:slug', async (req, res) => {
    res.json(await channels.get(String(req.params.slug)));
  });

  r.patch('/:slug', async (req, res) => {
    res.json(await channels.update(String(req.params.slug), parseBody(channelPatchSchema, req.body)));
  });

  r.delete('/:slug', async (req, res) => {
    await channels.remove(String(req.params.slug));
    res.status(204).end();
  });

  return r;
}
