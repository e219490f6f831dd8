// What a tombstone says, whatever the format: a cursor page carries one for each article that
// is no longer usable (killed, withheld, or embargoed again), so a partner that received the
// story recalls it (AP: "all previously delivered versions must be recalled"). Each format
// writes these facts its own way (atom.ts: RFC 6721 at:deleted-entry; json-feed.ts: `_deleted`;
// rss.ts: the wirefeed lifecycle namespace).
import type { Article } from '../model/types.js';
export { TOMBSTONES_NS } from '../model/types.js';
import { toRfc3339 } from './field-values.js';

/**
 * wirefeed's lifecycle namespace for RSS 2.0 (which has no tombstones of its own). A tag: URI
 * (RFC 4151): a stable name that claims no web address.
 */
export const LIFECYCLE_NS = 'tag:wirefeed,2025:ns/lifecycle';

export interface TombstoneFacts {
  /** RFC 3339: when the story stopped being usable. */
  when: string;
  /** An embargo placed on a delivered story recalls it like a withhold until its time. */
  status: 'canceled' | 'withheld';
  /** The notice for partners: the operator's reason, or a plain statement of the status. */
  reason: string;
}

/** Plain feeds never select these; cursor pages render them as tombstones. */
export function isTombstone(a: Article): boolean {
  return a.status !== 'usable';
}

export function tombstoneFacts(a: Article): TombstoneFacts {
  const status = a.status === 'canceled' ? 'canceled' : 'withheld';
  const fallback =
    a.status === 'embargoed' && a.embargoedUntil !== undefined
      ? `Embargoed until ${toRfc3339(a.embargoedUntil)}`
      : status === 'canceled'
        ? 'This story has been killed: do not use it, remove it where it was published.'
        : 'This story has been withheld: do not use it until it is released.';
  return { when: toRfc3339(a.statusAt ?? a.changedAt)!, status, reason: a.statusReason ?? fallback };
}
