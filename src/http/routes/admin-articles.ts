// Admin API for articles: browse, withdraw, the lifecycle actions and the revision history.
import { Router, type Request } from 'express';
import { z } from 'zod';
import { NotFoundError } from '../../errors.js';
import type { ArticleService } from '../../services/articles.js';
import type { ActionInput, LifecycleAction, LifecycleService } from '../../services/lifecycle.js';
import { idOrSlug, parseBody, queryInt, queryText } from './validate.js';

const reason = z.string().max(2000).optional();
const text = z.string().max(1_000_000).optional();
const ACTION_BODIES = {
  kill: z.strictObject({ reason }),
  withhold: z.strictObject({ reason }),
  release: z.strictObject({ reason }),
  embargo: z.strictObject({ reason, until: z.iso.datetime({ offset: true }) }),
  correct: z.strictObject({
    reason,
    title: z.string().trim().min(1).max(2000).optional(),
    summary: text,
    contentHtml: text,
    rights: z.string().max(2000).optional(),
    assets: z
      .array(z.strictObject({ caption: z.string().max(5000).optional(), credit: z.string().max(500).optional(), rights: z.string().max(2000).optional() }).nullable())
      .max(100)
      .optional(),
  }),
} satisfies Record<LifecycleAction, z.ZodType>;

function articleId(req: Request): number {
  const id = idOrSlug(req.params.id);
  if (typeof id !== 'number') throw new NotFoundError(`articles: no article ${JSON.stringify(id)}`);
  return id;
}

function actionInput(action: LifecycleAction, body: unknown): ActionInput {
  // An action without a body (kill, withhold, release) is an action without a reason.
  if (action === 'correct') {
    const { reason, ...correction } = parseBody(ACTION_BODIES.correct, body ?? {});
    return { reason, correction };
  }
  const parsed: { reason?: string; until?: string } = parseBody(ACTION_BODIES[action], body ?? {});
  return { reason: parsed.reason, until: parsed.until };
}

export function adminArticles(deps: { articles: ArticleService; lifecycle: LifecycleService }): Router {
  const r = Router();

  r.get('/', async (req, res) => {
    const source = queryText(req.query.source, 'source');
    const articles = await deps.articles.list({
      source: source === undefined ? undefined : idOrSlug(source),
      channel: queryText(req.query.channel, 'channel'),
      q: queryText(req.query.q, 'q'),
      limit: queryInt(req.query.limit, 'limit', 1, 500, 50),
    });
    res.json({ articles });
  });

  // Kept for existing clients: a withdrawal is a kill with the reason "withdrawn"; the answer
  // stays the bare article, as before.
  r.post('/:id/withdraw', async (req, res) => {
    res.json(await deps.articles.withdraw(articleId(req)));
  });

  for (const action of Object.keys(ACTION_BODIES) as LifecycleAction[]) {
    r.post(`/:id/${action}`, async (req, res) => {
      const id = articleId(req);
      const article = await deps.lifecycle.act(id, action, actionInput(action, req.body));
      res.json({ article });
    });
  }

  r.get('/:id/revisions', async (req, res) => {
    res.json({ revisions: await deps.lifecycle.revisions(articleId(req)) });
  });

  return r;
}
