// Parsed document → normalized articles (DESIGN.md §1 step 6). Each format's adapter
// (formats/rss, rdf, atom, jsonfeed) reduces the document to article drafts (strings as the
// source wrote them, URLs absolute); one shared step (article-inputs.ts) turns those into
// ArticleInputs.
import type { NormalizedFeed } from '../model/types.js';
import { articleInputs } from './article-inputs.js';
import { adaptAtom } from './formats/atom/adapter.js';
import type { AdaptedFeed } from './formats/draft.js';
import { adaptJsonFeed } from './formats/jsonfeed/adapter.js';
import { adaptRdf } from './formats/rdf/adapter.js';
import { adaptRss } from './formats/rss/adapter.js';
import { documentUrlContext, type UrlContext } from './formats/url-context.js';
import { createLintCollector, type LintCollector } from './lint.js';
import type { ParsedDocument } from './formats/document.js';
import { createHtmlSanitizer } from './sanitize.js';
import type { ProcessOptions } from './types.js';

function adapt(doc: ParsedDocument, urls: UrlContext, lint: LintCollector): AdaptedFeed {
  if (doc.kind === 'json') return adaptJsonFeed(doc, urls, lint);
  if (doc.format === 'atom10' || doc.format === 'atom03') return adaptAtom(doc, urls, lint);
  // rdf:RDF roots: RSS 1.0, and Netscape's RSS 0.90 (which parse reports as rss09x).
  if (doc.root === 'rdf:RDF') return adaptRdf(doc, urls, lint);
  return adaptRss(doc, urls, lint);
}

/** Normalizes a parsed document into feed facts, articles and lint. Pure: `opts.now` is the clock. */
export function normalizeFeed(doc: ParsedDocument, opts: ProcessOptions): NormalizedFeed {
  const lint = createLintCollector();
  lint.merge(doc.lint);
  const { urls, env } = documentUrlContext(opts.documentUrl);
  const { meta, drafts } = adapt(doc, urls, lint);
  if (drafts.length === 0) lint.add('no_items', 'the feed has no items');
  const items = articleInputs(drafts, opts, lint, createHtmlSanitizer(env.policy));
  if (env.refused.unsafe_url > 0) lint.add('unsafe_url', 'URLs with a scheme other than http(s) (javascript:, data:, …) dropped', env.refused.unsafe_url);
  if (env.refused.bad_url > 0) lint.add('bad_url', 'unparsable or over-long URLs dropped', env.refused.bad_url);
  return { meta, items, lint: lint.issues() };
}
