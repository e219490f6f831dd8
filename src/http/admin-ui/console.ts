// The operator console under /admin: sign-in with the admin token, a session cookie, a CSRF
// token on every form, and server-rendered pages over the same services the API uses. Every
// change writes one audit line (http/audit.ts). Pages need no JavaScript.
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { NotFoundError, ValidationError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Article, ArticleCorrection, ChannelFilter } from '../../model/types.js';
import type { ArticleService } from '../../services/articles.js';
import type { ConsoleService } from '../../services/console.js';
import { LIFECYCLE_ACTIONS, type ActionInput, type LifecycleAction, type LifecycleService } from '../../services/lifecycle.js';
import type { PartnerService } from '../../services/partners.js';
import type { WebSubHub } from '../../services/push.js';
import type { SourceSubscriber } from '../../services/push-subscriber.js';
import type { DeliveryLog } from '../../services/deliveries.js';
import { utcDayStart } from '../../services/quotas.js';
import { originFromHost } from '../../services/feed-query.js';
import { channelPatchSchema, newChannelSchema, newSourceSchema, parseArticleAction, parseInput } from '../../services/inputs.js';
import type { ChannelService, RefreshService, SourceService } from '../../services/types.js';
import { auditLog } from '../audit.js';
import { createTokenCheck } from '../auth.js';
import { articlePage, articlesPage, type ArticleSearch } from './articles-view.js';
import { channelEditPage, channelFormOf, channelsPage, type ChannelForm } from './channels-view.js';
import { html, page, plainPage, type PageContext } from './html.js';
import { loginPage } from './login-view.js';
import { overviewPage, type PartnerLag } from './overview-view.js';
import { partnerPage, partnersPage, type PartnerActivity } from './partners-view.js';
import { pushPage } from './push-view.js';
import {
  LOGIN_COOKIE,
  MAX_AGE_MS,
  SESSION_COOKIE,
  cookie,
  createSessionStore,
  parseCookies,
  randomToken,
  sameToken,
  type Session,
} from './session.js';
import { SOURCE_SORTS, addSourcePage, deleteSourcePage, sourcePage, sourcesPage, type SourceListQuery, type SourceSort } from './sources-view.js';

export interface AdminConsoleDeps {
  adminToken: string;
  log: Logger;
  sources: SourceService;
  channels: ChannelService;
  refresh: RefreshService;
  articles: ArticleService;
  lifecycle: LifecycleService;
  partners: PartnerService;
  /** The partner delivery log (cursor, lag, usage); absent when turned off. */
  deliveries?: DeliveryLog;
  console: ConsoleService;
  /** The WebSub hub and our subscriptions at sources' hubs, when they run. */
  hub?: WebSubHub;
  sourcePush?: SourceSubscriber;
  baseUrl?: string;
  version: string;
  now?: () => Date;
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: http: https:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Fixed notices after a redirect: the query names one, so nothing the URL holds is echoed. */
const NOTICES: Record<string, string> = {
  added: 'Source added. It is fetched on the next scheduler tick, or now with “Refresh now”.',
  paused: 'Source paused: it is not fetched until resumed.',
  resumed: 'Source resumed: it is fetched on the next tick.',
  deleted: 'Source deleted with its articles.',
  created: 'Channel created.',
  saved: 'Channel saved.',
  removed: 'Channel removed.',
  kill: 'Article killed: it has left every feed, and partners receive a tombstone.',
  withhold: 'Article withheld: it is out of the feeds until released.',
  release: 'Article released: it is in the feeds again.',
  embargo: 'Article embargoed: it appears when the embargo ends.',
  correct: 'Correction published as a new revision.',
  revoked: 'Key revoked: it stops working with the next request.',
};

function one(v: unknown): string {
  return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '';
}

function list(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
}

function csv(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function sendPage(res: Response, status: number, body: string): void {
  res.status(status);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('Content-Security-Policy', CSP);
  res.send(body);
}

export function createAdminConsole(deps: AdminConsoleDeps): Router {
  const now = deps.now ?? (() => new Date());
  const sessions = createSessionStore({ now: () => now().getTime() });
  const tokenMatches = createTokenCheck(deps.adminToken);
  const origin = (req: Request) => deps.baseUrl ?? originFromHost(req.headers.host);
  // Secure cookies when the console is reached over https: a configured https base URL, TLS, or
  // a TLS-terminating proxy saying so (a forged header only makes the browser drop the cookie).
  const secure = (req: Request) =>
    deps.baseUrl?.startsWith('https:') === true || (req.socket as { encrypted?: boolean }).encrypted === true || req.headers['x-forwarded-proto'] === 'https';
  const audit = (req: Request, action: string, target: string | number, detail?: Record<string, unknown>) =>
    auditLog(deps.log, { action, target, via: 'console', reqId: req.res?.locals.requestId as string | undefined, detail });

  const r = Router();
  r.use(express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 2000 }));

  function sessionOf(req: Request): Session | undefined {
    return sessions.get(parseCookies(req.headers.cookie).get(SESSION_COOKIE));
  }

  function ctxOf(s: Session): PageContext {
    return { csrf: s.csrf, now: now(), version: deps.version };
  }

  /** A request from another site: refused before anything else is looked at. */
  function crossSite(req: Request): boolean {
    if (req.headers['sec-fetch-site'] === 'cross-site') return true;
    const o = req.headers.origin;
    if (o === undefined || o === 'null') return o === 'null';
    const host = req.headers.host;
    return !host || (o !== `http://${host}` && o !== `https://${host}`);
  }

  function showLogin(req: Request, res: Response, status: number, opts: { error?: string; notice?: string } = {}): void {
    const loginCsrf = randomToken();
    res.setHeader('Set-Cookie', cookie(LOGIN_COOKIE, loginCsrf, { maxAgeS: 3600, secure: secure(req) }));
    sendPage(res, status, loginPage({ loginCsrf, ...opts }));
  }

  function forbidden(res: Response, message: string): void {
    sendPage(res, 403, plainPage('Refused', html`<h1>Refused</h1><p>${message}</p><p><a href="/admin">Back to the console</a></p>`));
  }

  type Handler = (req: Request, res: Response, ctx: PageContext, s: Session) => Promise<void>;

  /** A signed-in page or action; a POST must also carry the session's CSRF token. */
  function signedIn(handler: Handler) {
    return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      try {
        const s = sessionOf(req);
        if (req.method === 'POST') {
          if (crossSite(req)) return forbidden(res, 'Cross-site form posts are refused.');
          if (!s) return showLogin(req, res, 401, { error: 'Your session has ended: sign in again.' });
          if (!sameToken(one(req.body?._csrf), s.csrf)) return forbidden(res, 'The form was stale or not ours (CSRF token mismatch). Go back, reload and try again.');
        } else if (!s) {
          res.redirect(303, '/admin');
          return;
        }
        await handler(req, res, ctxOf(s), s);
      } catch (err) {
        if (err instanceof NotFoundError) {
          const s = sessionOf(req);
          const body = html`<h1>Not found</h1><p>${err.message}</p>`;
          sendPage(res, 404, s ? page(ctxOf(s), undefined, 'Not found', body) : plainPage('Not found', body));
        } else next(err);
      }
    };
  }

  // ── session ─────────────────────────────────────────────────────────────
  r.get('/', async (req, res, next) => {
    if (!sessionOf(req)) return showLogin(req, res, 200, req.query.signed_out !== undefined ? { notice: 'You are signed out.' } : {});
    return signedIn(async (_req, res, ctx) => sendPage(res, 200, overviewPage(ctx, await deps.console.overview(), await partnerLags())))(req, res, next);
  });

  r.post('/login', (req, res) => {
    if (crossSite(req)) return forbidden(res, 'Cross-site sign-in is refused.');
    if (!sameToken(one(req.body?._csrf), parseCookies(req.headers.cookie).get(LOGIN_COOKIE)))
      return showLogin(req, res, 403, { error: 'The sign-in form had expired: try again.' });
    if (!tokenMatches(one(req.body?.token))) {
      deps.log.warn({ reqId: res.locals.requestId }, 'console sign-in refused');
      return showLogin(req, res, 401, { error: 'That is not the admin token.' });
    }
    const s = sessions.create();
    audit(req, 'console.sign-in', 'session');
    res.setHeader('Set-Cookie', [
      cookie(SESSION_COOKIE, s.id, { maxAgeS: MAX_AGE_MS / 1000, secure: secure(req) }),
      cookie(LOGIN_COOKIE, '', { maxAgeS: 0, secure: secure(req) }),
    ]);
    res.redirect(303, '/admin');
  });

  r.post(
    '/logout',
    signedIn(async (req, res, _ctx, s) => {
      sessions.destroy(s.id);
      audit(req, 'console.sign-out', 'session');
      res.setHeader('Set-Cookie', cookie(SESSION_COOKIE, '', { maxAgeS: 0, secure: secure(req) }));
      res.redirect(303, '/admin?signed_out');
    }),
  );

  // ── sources ─────────────────────────────────────────────────────────────
  r.get(
    '/sources',
    signedIn(async (req, res, ctx) => {
      const sort = (SOURCE_SORTS as readonly string[]).includes(one(req.query.sort)) ? (one(req.query.sort) as SourceSort) : 'health';
      const q: SourceListQuery = { health: one(req.query.health) || undefined, q: one(req.query.q).trim() || undefined, sort, dir: one(req.query.dir) === 'desc' ? 'desc' : 'asc' };
      sendPage(res, 200, sourcesPage(ctx, await deps.console.sources(), q, NOTICES[one(req.query.done)]));
    }),
  );

  r.get(
    '/sources/new',
    signedIn(async (req, res, ctx) => {
      const url = one(req.query.url).trim();
      if (!url) return sendPage(res, 200, addSourcePage(ctx, { url: '' }, undefined));
      try {
        sendPage(res, 200, addSourcePage(ctx, { url }, await deps.sources.discover(url)));
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        sendPage(res, 422, addSourcePage(ctx, { url }, undefined, err.message));
      }
    }),
  );

  r.post(
    '/sources',
    signedIn(async (req, res, ctx) => {
      const form = { url: one(req.body.url).trim(), slug: one(req.body.slug).trim(), title: one(req.body.title).trim(), categories: one(req.body.categories) };
      try {
        const input = parseInput(newSourceSchema, { url: form.url, slug: form.slug || undefined, title: form.title || undefined, categories: csv(form.categories) }, 'form');
        const s = await deps.sources.add(input);
        audit(req, 'source.add', s.id, { slug: s.slug, url: s.url });
        res.redirect(303, `/admin/sources/${s.id}?done=added`);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        let found;
        try {
          found = await deps.sources.discover(form.url);
        } catch {
          found = undefined;
        }
        sendPage(res, err.status, addSourcePage(ctx, form, found, err.message));
      }
    }),
  );

  async function sourceRow(ref: string) {
    const s = await deps.sources.get(ref);
    const row = (await deps.console.sources()).find((x) => x.id === s.id);
    if (!row) throw new NotFoundError(`source ${ref} not found`);
    return row;
  }

  r.get(
    '/sources/:id',
    signedIn(async (req, res, ctx) => {
      const s = await sourceRow(String(req.params.id));
      const [log, articles] = await Promise.all([deps.sources.fetchLog(s.id, 30), deps.articles.list({ source: s.id, limit: 50 })]);
      let notice = NOTICES[one(req.query.done)];
      if (one(req.query.done) === 'refreshed') {
        const f = log[0];
        notice = f ? `Fetched now: ${f.outcome}${f.outcome === 'modified' ? `, ${f.itemsNew} new, ${f.itemsUpdated} updated` : ''}${f.error ? ` (${f.error})` : ''}.` : 'Fetched now.';
      }
      sendPage(res, 200, sourcePage(ctx, s, log, articles, notice));
    }),
  );

  r.get(
    '/sources/:id/delete',
    signedIn(async (req, res, ctx) => sendPage(res, 200, deleteSourcePage(ctx, await sourceRow(String(req.params.id))))),
  );

  const sourceAction = (name: string, act: (id: number, req: Request) => Promise<string>) =>
    signedIn(async (req, res) => {
      const s = await deps.sources.get(String(req.params.id));
      const to = await act(s.id, req);
      audit(req, `source.${name}`, s.id, { slug: s.slug });
      res.redirect(303, to);
    });

  r.post('/sources/:id/pause', sourceAction('pause', async (id) => (await deps.sources.update(id, { status: 'paused' }), `/admin/sources/${id}?done=paused`)));
  r.post('/sources/:id/resume', sourceAction('resume', async (id) => (await deps.sources.update(id, { status: 'active' }), `/admin/sources/${id}?done=resumed`)));
  r.post(
    '/sources/:id/refresh',
    sourceAction('refresh', async (id) => (await deps.refresh.refreshSource(await deps.sources.get(id)), `/admin/sources/${id}?done=refreshed`)),
  );
  r.post('/sources/:id/delete', sourceAction('delete', async (id) => (await deps.sources.remove(id), '/admin/sources?done=deleted')));

  // ── channels ────────────────────────────────────────────────────────────
  function formOf(body: Record<string, unknown>): ChannelForm {
    return {
      slug: one(body.slug).trim(),
      title: one(body.title),
      description: one(body.description),
      sourceIds: list(body.sources)
        .filter((v) => /^\d{1,15}$/.test(v))
        .map(Number),
      categories: one(body.categories),
      query: one(body.query),
      defaultLimit: one(body.defaultLimit),
    };
  }

  function filterOf(f: ChannelForm): ChannelFilter {
    return { sourceIds: f.sourceIds, categories: csv(f.categories), query: f.query.trim() || undefined };
  }

  function limitOf(f: ChannelForm): number | undefined {
    const t = f.defaultLimit.trim();
    if (!t) return undefined;
    if (!/^\d{1,4}$/.test(t)) throw new ValidationError('invalid_limit', 'Items per feed must be a whole number from 1 to 500');
    return Number(t);
  }

  async function editPage(req: Request, res: Response, ctx: PageContext, mode: 'create' | 'edit', form: ChannelForm, status = 200, error?: string, notice?: string) {
    let preview;
    let previewError;
    try {
      preview = await deps.articles.list({ filter: filterOf(form), liveOnly: true, limit: 10 });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      previewError = `The filter cannot be previewed: ${errorMessage(err)}`;
    }
    const sources = await deps.sources.list();
    sendPage(res, status, channelEditPage(ctx, { mode, form, sources, preview, previewError, error, notice, origin: origin(req) }));
  }

  r.get(
    '/channels',
    signedIn(async (req, res, ctx) => {
      const [channels, sources] = await Promise.all([deps.channels.list(), deps.sources.list()]);
      sendPage(res, 200, channelsPage(ctx, channels, sources, origin(req), NOTICES[one(req.query.done)]));
    }),
  );

  r.get(
    '/channels/new',
    signedIn((req, res, ctx) => editPage(req, res, ctx, 'create', { slug: '', title: '', description: '', sourceIds: [], categories: '', query: '', defaultLimit: '50' })),
  );

  r.post(
    '/channels/preview',
    signedIn((req, res, ctx) => editPage(req, res, ctx, one(req.body.mode) === 'edit' ? 'edit' : 'create', formOf(req.body))),
  );

  r.post(
    '/channels',
    signedIn(async (req, res, ctx) => {
      const form = formOf(req.body);
      try {
        const input = parseInput(newChannelSchema, { slug: form.slug, title: form.title, description: form.description || undefined, filter: filterOf(form), defaultLimit: limitOf(form) }, 'form');
        const c = await deps.channels.create(input);
        audit(req, 'channel.create', c.slug);
        res.redirect(303, `/admin/channels/${encodeURIComponent(c.slug)}?done=created`);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        await editPage(req, res, ctx, 'create', form, err.status, err.message);
      }
    }),
  );

  r.get(
    '/channels/:slug',
    signedIn(async (req, res, ctx) => {
      const c = await deps.channels.get(String(req.params.slug));
      await editPage(req, res, ctx, 'edit', channelFormOf(c), 200, undefined, NOTICES[one(req.query.done)]);
    }),
  );

  r.post(
    '/channels/:slug',
    signedIn(async (req, res, ctx) => {
      const slug = String(req.params.slug);
      await deps.channels.get(slug);
      const form = { ...formOf(req.body), slug };
      try {
        await deps.channels.update(slug, parseInput(channelPatchSchema, { title: form.title, description: form.description, filter: filterOf(form), defaultLimit: limitOf(form) }, 'form'));
        audit(req, 'channel.update', slug);
        res.redirect(303, `/admin/channels/${encodeURIComponent(slug)}?done=saved`);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        await editPage(req, res, ctx, 'edit', form, err.status, err.message);
      }
    }),
  );

  r.post(
    '/channels/:slug/delete',
    signedIn(async (req, res) => {
      const slug = String(req.params.slug);
      await deps.channels.remove(slug);
      audit(req, 'channel.remove', slug);
      res.redirect(303, '/admin/channels?done=removed');
    }),
  );

  // ── articles ────────────────────────────────────────────────────────────
  r.get(
    '/articles',
    signedIn(async (req, res, ctx) => {
      const search: ArticleSearch = { q: one(req.query.q).trim() || undefined, source: one(req.query.source) || undefined, channel: one(req.query.channel) || undefined };
      const [sources, channels] = await Promise.all([deps.sources.list(), deps.channels.list()]);
      let articles: Awaited<ReturnType<ArticleService['list']>> = [];
      let error;
      try {
        articles = await deps.articles.list({ ...search, limit: 100 });
      } catch (err) {
        if (!(err instanceof ValidationError) && !(err instanceof NotFoundError)) throw err;
        error = err.message;
      }
      sendPage(res, error ? 400 : 200, articlesPage(ctx, search, articles, sources, channels, error));
    }),
  );

  function articleId(param: unknown): number {
    const s = String(param);
    if (!/^\d{1,15}$/.test(s)) throw new NotFoundError(`article ${s} not found`);
    return Number(s);
  }

  async function showArticle(res: Response, ctx: PageContext, a: Article, status = 200, opts: { notice?: string; error?: string } = {}): Promise<void> {
    sendPage(res, status, articlePage(ctx, a, await deps.lifecycle.revisions(a.id), opts));
  }

  r.get(
    '/articles/:id',
    signedIn(async (req, res, ctx) => showArticle(res, ctx, await deps.articles.get(articleId(req.params.id)), 200, { notice: NOTICES[one(req.query.done)] })),
  );

  /** The form fields of an action as the lifecycle service takes them, checked as the API's body. */
  function actionInput(action: LifecycleAction, body: Record<string, unknown>, a: Article): ActionInput {
    return parseArticleAction(action, actionBody(action, body, a), 'form');
  }

  function actionBody(action: LifecycleAction, body: Record<string, unknown>, a: Article): Record<string, unknown> {
    const reason = one(body.reason).trim() || undefined;
    if (action === 'embargo') {
      const until = one(body.until).trim();
      // datetime-local has no zone: the form says UTC.
      const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/.test(until) ? `${until.length === 16 ? `${until}:00` : until}Z` : until;
      return { reason, until: iso };
    }
    if (action !== 'correct') return { reason };
    // Only what the operator changed: an untouched field is not a correction.
    const correction: ArticleCorrection = {};
    const title = one(body.title).trim();
    if (title && title !== a.title) correction.title = title;
    const summary = one(body.summary).trim();
    if (summary !== (a.summary ?? '')) correction.summary = summary;
    const rights = one(body.rights).trim();
    if (rights !== (a.rights ?? '')) correction.rights = rights;
    const assets = a.assets.map((x, i) => {
      const caption = one(body[`caption${i}`]).trim();
      return caption !== (x.caption ?? '') ? { caption } : null;
    });
    if (assets.some((x) => x !== null)) correction.assets = assets;
    return { reason, ...correction };
  }

  for (const action of LIFECYCLE_ACTIONS) {
    r.post(
      `/articles/:id/${action}`,
      signedIn(async (req, res, ctx) => {
        const a = await deps.articles.get(articleId(req.params.id));
        if (action === 'kill' && one(req.body.confirm) !== 'yes') return showArticle(res, ctx, a, 422, { error: 'Tick “A kill cannot be undone” to kill the article.' });
        try {
          const after = await deps.lifecycle.act(a.id, action, actionInput(action, req.body, a));
          audit(req, `article.${action}`, a.id, { seq: after.seq, status: after.status });
          res.redirect(303, `/admin/articles/${a.id}?done=${action}`);
        } catch (err) {
          if (!(err instanceof ValidationError)) throw err;
          await showArticle(res, ctx, a, err.status, { error: err.message });
        }
      }),
    );
  }

  // ── partners ────────────────────────────────────────────────────────────
  /**
   * Kills a partner still has to learn of: stories it was sent (the delivery log) that were
   * killed at a seq past its cursor. A kill of a story it never received concerns it not.
   */
  async function unseenKills(log: DeliveryLog, p: Awaited<ReturnType<PartnerService['get']>>, cursor: number) {
    const kills = await deps.console.killsAfter(cursor, 500);
    if (!kills.length) return [];
    const sent = new Set<number>();
    for (const d of await log.list(p, {})) for (const item of d.items) sent.add(item.id);
    return kills.filter((k) => sent.has(k.id));
  }

  /** Cursor lag per partner for the overview; undefined without a delivery log. */
  async function partnerLags(): Promise<PartnerLag[] | undefined> {
    const log = deps.deliveries;
    if (!log) return undefined;
    return Promise.all(
      (await deps.partners.list()).map(async (p) => {
        const c = await log.cursor(p);
        return { slug: p.slug, name: p.name, lag: c.lag, lastDeliveryAt: c.lastDeliveryAt, unseenKills: (await unseenKills(log, p, c.cursor)).length };
      }),
    );
  }

  async function activityOf(p: Awaited<ReturnType<PartnerService['get']>>): Promise<PartnerActivity | 'off'> {
    const log = deps.deliveries;
    if (!log) return 'off';
    const nowMs = now().getTime();
    const cursor = await log.cursor(p);
    const [recent, itemsToday, kills] = await Promise.all([
      log.list(p, { from: new Date(nowMs - 86_400_000).toISOString(), limit: 500 }),
      log.itemsSince(p.id, utcDayStart(nowMs)),
      unseenKills(log, p, cursor.cursor),
    ]);
    return { cursor, deliveries: [...recent].reverse(), itemsToday, unseenKills: kills };
  }

  r.get(
    '/push',
    signedIn(async (_req, res, ctx) => {
      const [hub, sources] = await Promise.all([deps.hub?.list(), deps.sourcePush?.list()]);
      sendPage(res, 200, pushPage(ctx, { hub, sources }));
    }),
  );

  r.get(
    '/partners',
    signedIn(async (_req, res, ctx) => {
      const partners = await deps.partners.list();
      sendPage(res, 200, partnersPage(ctx, await Promise.all(partners.map(async (partner) => ({ partner, keys: await deps.partners.listKeys(partner.slug) })))));
    }),
  );

  r.get(
    '/partners/:slug',
    signedIn(async (req, res, ctx) => {
      const p = await deps.partners.get(String(req.params.slug));
      sendPage(res, 200, partnerPage(ctx, p, await deps.partners.listKeys(p.slug), { notice: NOTICES[one(req.query.done)], activity: await activityOf(p) }));
    }),
  );

  r.post(
    '/partners/:slug/keys',
    signedIn(async (req, res, ctx) => {
      const p = await deps.partners.get(String(req.params.slug));
      const created = await deps.partners.createKey(p.slug);
      audit(req, 'partner.key.create', p.slug, { keyId: created.keyId });
      // Answered here, not after a redirect: the secret must not travel in a URL or be shown twice.
      sendPage(res, 201, partnerPage(ctx, p, await deps.partners.listKeys(p.slug), { newKey: created, activity: await activityOf(p) }));
    }),
  );

  r.post(
    '/partners/:slug/keys/:keyId/revoke',
    signedIn(async (req, res) => {
      const p = await deps.partners.get(String(req.params.slug));
      const key = await deps.partners.revokeKey(p.slug, String(req.params.keyId));
      audit(req, 'partner.key.revoke', p.slug, { keyId: key.keyId });
      res.redirect(303, `/admin/partners/${encodeURIComponent(p.slug)}?done=revoked`);
    }),
  );

  r.use(
    signedIn(async (req) => {
      throw new NotFoundError(`no console page at ${req.originalUrl.split('?')[0]}`);
    }),
  );

  return r;
}
