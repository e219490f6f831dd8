// One item per id in every output document (README "Merged outputs: one item per id"). The same
// story reaches wirefeed through several sources under one guid (a wire story in two or three
// feeds); a merged document (the `all` channel, a channel spanning sources) writes it once:
//   - the newest revision wins: the latest `updated` (else `published`, else first-seen) time the
//     copies state, then the highest seq (the copy stored last); a usable copy beats a tombstone;
//   - it sits where the story first appears on the page (newest first, or oldest first on a
//     cursor page) and carries the other sources as provenance (`alsoFrom`);
//   - the cursor still advances over every row the storage query returned, so a partner
//     following `after=` sees each change once: a change to any copy brings the id back with
//     the revision that wins at that moment.
// Pure: the caller queries the page and the copies.
import type { Article, SourceAttribution } from '../model/types.js';
import { articleId, sharedKey } from '../publish/ids.js';
import { isTombstone } from '../publish/tombstones.js';

/** Identity keys of the page items whose id other sources' copies may carry. */
export function sharedKeys(page: readonly Article[]): string[] {
  const keys = new Set<string>();
  for (const a of page) {
    const k = sharedKey(a);
    if (k !== undefined) keys.add(k);
  }
  return [...keys];
}

function revisionMs(a: Article): number {
  return Date.parse(a.updatedAt ?? a.publishedAt ?? a.firstSeenAt);
}

/**
 * True when `a` should be written rather than `b`: a usable copy before a tombstone (on a cursor
 * page, a story one source killed that another still carries stays delivered), then the newer
 * revision.
 */
function newer(a: Article, b: Article): boolean {
  const ua = !isTombstone(a);
  if (ua !== !isTombstone(b)) return ua;
  const ra = revisionMs(a);
  const rb = revisionMs(b);
  return ra !== rb ? ra > rb : a.seq > b.seq;
}

/**
 * The page with one item per id: each id at its first position on the page, as its newest
 * revision among the page and `copies` (the same stories from the document's other sources,
 * under the same filter), with the other sources in `alsoFrom` (sorted by slug).
 */
export function oneItemPerId(page: readonly Article[], copies: readonly Article[]): Article[] {
  const groups = new Map<string, Article[]>();
  const seen = new Set<number>();
  for (const a of [...page, ...copies]) {
    if (seen.has(a.id)) continue;
    seen.add(a.id);
    const id = articleId(a);
    const g = groups.get(id);
    if (g) g.push(a);
    else groups.set(id, [a]);
  }
  const out: Article[] = [];
  const written = new Set<string>();
  for (const a of page) {
    const id = articleId(a);
    if (written.has(id)) continue;
    written.add(id);
    const group = groups.get(id)!;
    if (group.length === 1) {
      out.push(a);
      continue;
    }
    let winner = group[0]!;
    for (const c of group) if (newer(c, winner)) winner = c;
    const others = new Map<number, SourceAttribution>();
    for (const c of group) if (c.sourceId !== winner.sourceId) others.set(c.sourceId, c.source);
    const alsoFrom = [...others.values()].sort((x, y) => (x.slug < y.slug ? -1 : x.slug > y.slug ? 1 : 0));
    out.push(alsoFrom.length ? { ...winner, alsoFrom } : winner);
  }
  return out;
}
