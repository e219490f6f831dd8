// Admin API for articles: browse, withdraw, the lifecycle actions and the revision history.
import { Router, type Request } from 'express';
import { NotFoundError } from '../../errors.js';
import type { ArticleService } from '../../services/articles.js';
import type { ActionInput, LifecycleAction, LifecycleService } from '../../services/lifecycle.js';
import { articleActionSchemas, parseArticleAction, type InputSchema } from '../../services/inputs.js';
import { idOrSlug, queryInt, queryText } from './validate.js';

/** Each lifecycle action's body, checked by the one schema per action. */
const ACTION_BODIES = articleActionSchemas satisfies Record<LifecycleAction, InputSchema>;

function articleId(req: Request): number {
  const id = idOrSlug(req.params.id);
  if (typeof id !== 'number') throw new NotFoundError(`articles: no article ${JSON.stringify(id)}`);
  return id;
}

function actionInput(action: LifecycleAction, body: unknown): ActionInput {
  return parseArticleAction(action, body ?? {}, 'request');
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
