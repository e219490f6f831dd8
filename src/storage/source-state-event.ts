// The rule for a status a source declares for one of its entries (Atom at:deleted-entry, ninjs
// pubStatus), shared by both backends: applied only when the declaration changed since the
// last one, a kill is final whoever made it, and an embargo already over is a release.
import type { ArticleEvent, ArticleStatus, IsoDate, SourceState } from '../model/types.js';

/**
 * The event a declaration causes, or undefined; `sourceStatus` is what the source declared
 * before (remembered whether or not an event followed).
 */
export function sourceStateEvent(
  current: { status: ArticleStatus; sourceStatus: string | null },
  s: SourceState,
  now: IsoDate,
): ArticleEvent | undefined {
  if (current.sourceStatus === s.status) return undefined;
  const status = s.status === 'embargoed' && s.embargoedUntil !== undefined && s.embargoedUntil <= now ? 'usable' : s.status;
  // The first declaration of an article we already hold as usable changes nothing when it says usable.
  if (current.status === 'canceled' || current.status === status) return undefined;
  const ev: ArticleEvent = { status, revisionReason: `source: ${s.status}` };
  if (s.reason !== undefined) ev.reason = s.reason;
  if (status === 'embargoed') ev.embargoedUntil = s.embargoedUntil;
  return ev;
}
