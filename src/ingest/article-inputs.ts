// Article drafts (formats/draft.ts) → ArticleInputs, the step every format shares: plain-text
// title and summary, sanitized HTML, UTC dates with fallbacks, merged assets with the
// source's default credit and rights, identity and content hash.
import type { ArticleInput } from '../model/types.js';
import { resolveItemDates } from './dates.js';
import { mergeAssets } from './formats/assets.js';
import { dedupeCategories } from './formats/categories.js';
import { defined, markedToText, type ArticleDraft } from './formats/draft.js';
import { hasMarkup, sanitizedHtmlToText } from './html-text.js';
import { assignIdentities, contentHash } from './identity.js';
import { cutOversized, MAX_ITEM_TEXT_CHARS } from './item-bounds.js';
import type { LintCollector } from './lint.js';
import { collapseWhitespace, textToHtml, truncateText } from './plain-text.js';
import type { HtmlSanitizer } from './sanitize.js';
import type { ProcessOptions } from './types.js';

/** Longest summary derived from the body when the source gave none of its own. */
const DERIVED_SUMMARY_CHARS = 400;
/**
 * Identity keys of items with neither guid nor link hash a title; an untitled item hashes the
 * opening of its summary, as keys were made before titles became optional, so a stored
 * article keeps its key. Never stored or published as a title.
 */
const IDENTITY_TITLE_CHARS = 120;

/** Relative href/src in HTML (not fragments, not absolute, not protocol-relative). */
const RELATIVE_IN_HTML = /\s(?:href|src|poster)\s*=\s*["']?(?![a-z][a-z0-9+.-]*:|#|\/\/|["'\s>])/i;

/** Cuts a draft's oversized text fields in place (item-bounds.ts), with one lint finding per item. */
function boundDraft(r: ArticleDraft, lint: LintCollector): void {
  let cut = false;
  const bound = (v: string | undefined): string | undefined => {
    const shorter = v === undefined ? undefined : cutOversized(v);
    if (shorter === undefined) return v;
    cut = true;
    return shorter;
  };
  r.contentHtml = bound(r.contentHtml);
  r.contentText = bound(r.contentText);
  if (r.summary) r.summary = { ...r.summary, value: bound(r.summary.value)! };
  if (r.title) r.title = { ...r.title, value: bound(r.title.value)! };
  if (cut) lint.add('oversized_content', `item text over ${MAX_ITEM_TEXT_CHARS / 1024} KiB cut to that length`);
}

export function articleInputs(raws: ArticleDraft[], opts: ProcessOptions, lint: LintCollector, sanitizer: HtmlSanitizer): ArticleInput[] {
  const drafts = raws.map((r) => {
    boundDraft(r, lint);
    if (r.title && r.title.html && hasMarkup(r.title.value)) lint.add('html_in_title', 'titles contain HTML markup; stored as text');
    const rawContent = r.contentHtml ?? (r.contentText ? textToHtml(r.contentText) : undefined);
    if (rawContent && r.base === opts.documentUrl && RELATIVE_IN_HTML.test(rawContent)) r.neededDocumentUrl = true;
    const contentHtml = rawContent ? sanitizer.sanitize(rawContent, r.base) || undefined : undefined;
    const contentAsText = contentHtml ? sanitizedHtmlToText(contentHtml) : r.contentText ? collapseWhitespace(r.contentText) : '';
    let summary = r.summary ? markedToText(r.summary) : '';
    // A description that is the body itself (RSS without content:encoded) makes a poor
    // summary at full length: keep its opening instead.
    if (!summary || summary === contentAsText) summary = contentAsText ? truncateText(contentAsText, DERIVED_SUMMARY_CHARS) : '';
    const title = (r.title ? markedToText(r.title) : '') || undefined;
    const dates = resolveItemDates(r.dates, opts.now);
    for (const f of dates.findings) {
      if (f === 'bad_date') lint.add('bad_date', 'unparsable dates ignored');
      else if (f === 'missing_dates') lint.add('missing_dates', 'items without a date: ordered by first-seen time, published without a date');
      else lint.add('future_date', 'dates more than a day in the future: clamped to fetch time');
    }
    if (r.neededDocumentUrl) lint.add('relative_links', 'relative URLs resolved against the document URL (no xml:base)');
    const assets = mergeAssets(r.assets).map((a) =>
      defined({ ...a, credit: a.credit ?? opts.defaultCredit, rights: a.rights ?? opts.defaultRights }),
    );
    return { r, title, summary: summary || undefined, contentHtml, dates, assets };
  });

  const ids = assignIdentities(
    drafts.map((d) =>
      defined({ guid: d.r.guid, url: d.r.url, title: d.title ?? (d.summary ? truncateText(d.summary, IDENTITY_TITLE_CHARS) : ''), contentHtml: d.contentHtml }),
    ),
    lint,
  );

  return drafts.map((d, i): ArticleInput => {
    const stored = defined({
      guid: d.r.guid,
      url: d.r.url,
      title: d.title,
      summary: d.summary,
      contentHtml: d.contentHtml,
      authors: d.r.authors,
      categories: dedupeCategories(d.r.categories),
      language: d.r.language,
      rights: d.r.rights ? collapseWhitespace(d.r.rights) : undefined,
      ednote: d.r.ednote ? collapseWhitespace(d.r.ednote) || undefined : undefined,
      assets: d.assets,
    });
    // The hash covers the dates as the source stated them: fallbacks (fetch time) and
    // clamps change with every fetch and would make an unchanged item look updated.
    const hash = contentHash({ ...stored, published: d.dates.stated.published, updated: d.dates.stated.updated });
    return defined({
      identityKey: ids[i]!.key,
      identityKind: ids[i]!.kind,
      ...stored,
      publishedAt: d.dates.publishedAt,
      updatedAt: d.dates.updatedAt,
      contentHash: hash,
    });
  });
}
