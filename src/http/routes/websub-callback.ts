// Our WebSub callbacks, /websub/callback/<token>: the GET a source's hub verifies intent with
// (§5.3) and the POSTs it pushes content with (§7). The token names one subscription; the
// subscriber service decides everything, this only carries requests in and answers out.
import express, { Router, type Request, type Response } from 'express';
import type { SourceSubscriber } from '../../services/push-subscriber.js';

export function websubCallbacks(deps: { subscriber: SourceSubscriber; maxBytes: number }): Router {
  const r = Router();
  r.get('/:token', async (req: Request, res: Response) => {
    const v = await deps.subscriber.verify(String(req.params.token), req.query as Record<string, unknown>);
    res.status(v.status).type('text/plain; charset=utf-8').send(v.body);
  });
  // Any content type: a push carries the topic's own (§7); the feed size cap applies.
  r.post('/:token', express.raw({ type: () => true, limit: deps.maxBytes }), async (req: Request, res: Response) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const out = await deps.subscriber.receive(String(req.params.token), req.get('x-hub-signature'), { body, contentType: req.get('content-type') });
    res.status(out.status).end();
  });
  return r;
}
