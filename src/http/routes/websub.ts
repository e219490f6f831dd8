// POST /websub: the hub endpoint (WebSub §5.1). Form-encoded; a valid request is answered 202
// at once and verified afterwards (§5.1.2, §5.3); a refused one gets a 4xx with a plain-text
// description, as §5.1.2 asks ("used to assist the client developer").
import express, { Router, type Request, type Response } from 'express';
import { originFromHost } from '../../services/feed-query.js';
import type { PartnerService } from '../../services/partners.js';
import { HubRequestError, type WebSubHub } from '../../services/push.js';
import { presentedKey, takeKeyParam } from '../partner-auth.js';

function plain(res: Response, status: number, text: string): void {
  res.status(status).type('text/plain; charset=utf-8').send(`${text}\n`);
}

export function websubHub(deps: { hub: WebSubHub; partners: PartnerService }): Router {
  const r = Router();
  r.post('/', express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 50 }), async (req: Request, res: Response) => {
    if (!req.is('application/x-www-form-urlencoded')) {
      plain(res, 415, 'hub requests are form-encoded (Content-Type: application/x-www-form-urlencoded)');
      return;
    }
    try {
      // A partner key comes as for feeds: Authorization: Bearer <key>, or ?key= on the hub URL.
      const keyParam = takeKeyParam({ ...(req.query as Record<string, string | string[]>) });
      const auth = await deps.partners.authenticate(presentedKey(req, keyParam));
      // Without a configured base URL our feeds' self links use the Host a client reached us by.
      await deps.hub.request((req.body ?? {}) as Record<string, unknown>, originFromHost(req.headers.host), auth);
    } catch (err) {
      if (err instanceof HubRequestError) {
        plain(res, err.status, err.message);
        return;
      }
      throw err;
    }
    plain(res, 202, 'accepted: the hub will now verify intent with a GET to hub.callback');
  });
  r.all('/', (_req, res) => {
    res.setHeader('Allow', 'POST');
    plain(res, 405, 'the WebSub hub takes form-encoded POST requests (hub.mode, hub.topic, hub.callback)');
  });
  return r;
}
