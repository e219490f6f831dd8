// The re-fetch shortcut's second half: given the raw scan (raw-scan.ts) and the raw hashes the
// source's articles were made from, only new and changed items go through parse → normalize →
// sanitize, in a copy of the document that keeps every feed-level part. The result is checked
// against what the full document would give (identities) and falls back to the full path
// when it might differ.
import type { LintIssue, NormalizedFeed, RawItemRef } from '../model/types.js';
import { scanRawItems, type RawItem } from './raw-scan.js';
import type { ProcessOptions } from './types.js';

/** One pass of the pipeline over a text: the normalized feed and the document kind. */
export type RunPipeline = (text: string) => Promise<{ feed: NormalizedFeed; kind: 'xml' | 'json' }>;

/**
 * Lint a document's items add, one count per item. A re-fetch that skips items cannot count
 * them again, so the codes the source's last lint had are carried over when the processed
 * part found none of its own (the count is the last one, an approximation).
 */
const ITEM_LINT = new Set(['html_in_title', 'relative_links', 'bad_date', 'missing_dates', 'future_date', 'bad_url', 'unsafe_url']);

function withRawHashes(feed: NormalizedFeed, items: readonly RawItem[]): NormalizedFeed {
  // Normalizing keeps one article per item in document order; anything else cannot be paired.
  if (feed.items.length !== items.length) return feed;
  return { ...feed, items: feed.items.map((a, i) => ({ ...a, rawHash: items[i]!.hash })) };
}

function carriedLint(fresh: readonly LintIssue[], last: readonly LintIssue[]): LintIssue[] {
  const out = fresh.filter((l) => l.code !== 'no_items');
  const have = new Set(out.map((l) => l.code));
  for (const l of last) if (ITEM_LINT.has(l.code) && !have.has(l.code)) out.push({ ...l });
  return out;
}

/** decode's text through the pipeline, skipping the items `opts.known` already holds. */
export async function processKnown(
  text: string,
  opts: ProcessOptions & { known: NonNullable<ProcessOptions['known']> },
  run: RunPipeline,
): Promise<{ feed: NormalizedFeed; kind: 'xml' | 'json' }> {
  const scan = scanRawItems(text, opts);
  if (!scan) return run(text);
  const full = async () => {
    const r = await run(text);
    return { ...r, feed: withRawHashes(r.feed, scan.items) };
  };
  const known = new Map<string, RawItemRef>();
  for (const k of opts.known.items) known.set(k.rawHash, k);
  const skipped: RawItemRef[] = [];
  const kept: RawItem[] = [];
  const skip = scan.items.map((it) => {
    const k = known.get(it.hash);
    if (k) skipped.push(k);
    else kept.push(it);
    return k !== undefined;
  });
  if (skipped.length === 0) return full();

  const r = await run(scan.reduce((i) => !skip[i]));
  // Known articles have their item's own key (knownItems), all distinct; a processed item
  // that took one of them would have been told apart from it in the full document, so run
  // that instead.
  const skippedKeys = new Set(skipped.map((s) => s.identityKey));
  if (r.feed.items.length !== kept.length || r.feed.items.some((a) => skippedKeys.has(a.identityKey))) return full();
  const feed = withRawHashes(r.feed, kept);
  return { kind: r.kind, feed: { ...feed, lint: carriedLint(feed.lint, opts.known.lint), unchanged: skipped } };
}
