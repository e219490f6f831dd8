// Admin API for articles: browse and withdraw.
import { Router } from 'express';
import { NotFoundError } from '../../errors.js';
import type { ArticleService } from '../../services/articles.js';
import { idOrSlug, queryInt, queryText } from './validate.js';

export function adminArticles(deps: { articles: ArticleService }): Router {
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

  r.post('/:id/withdraw', async (req, res) => {
    const id = idOrSlug(req.params.id);
    if (typeof id !== 'number') throw new NotFoundError(`articles: no article ${JSON.stringify(id)}`);
    res.json(await deps.articles.withdraw(id));
  });

  return r;
}
