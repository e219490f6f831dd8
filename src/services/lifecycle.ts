// Story lifecycle (DESIGN.md §9): kill, withhold, release, embargo and correct as state
// transitions. The rules are one pure function (`decideEvent`, `now` passed in); storage runs
// it inside the write transaction that applies the change, so two actions on one story never
// interleave, and every change takes a new seq (a cursor event a partner cannot miss).
import { NotFoundError, ValidationError } from '../errors.js';
import { type Article, type ArticleCorrection, type ArticleEvent, type ArticleRevision, type IsoDate } from '../model/types.js';
import type { Storage } from '../storage/repos.js';

export const LIFECYCLE_ACTIONS = ['kill', 'withhold', 'release', 'embargo', 'correct'] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];

export interface ActionInput {
  /** The notice partners receive (kill/withhold reason, correction note). */
  reason?: string;
  /** embargo: the time the story may be published. */
  until?: IsoDate;
  /** correct: the fields to change. */
  correction?: ArticleCorrection;
}

function refused(a: Article, action: LifecycleAction): never {
  throw new ValidationError('invalid_transition', `lifecycle: article ${a.id} is ${a.status}; it cannot be ${action === 'correct' ? 'corrected' : `${action === 'embargo' ? 'embargoed' : `${action}ed`}`} (a kill is final)`, 409);
}

/**
 * The event an action makes of the current article; undefined when it is already in that
 * state (nothing is written, no seq is taken: partners see each state change once).
 * Throws ValidationError: 409 for a refused transition, 422 for bad input.
 */
export function decideEvent(a: Article, action: LifecycleAction, input: ActionInput, now: Date): ArticleEvent | undefined {
  const reason = input.reason?.trim() || undefined;
  if (a.status === 'canceled') {
    if (action === 'kill') return undefined;
    refused(a, action);
  }
  switch (action) {
    case 'kill':
      return { status: 'canceled', reason, revisionReason: reason ?? 'killed' };
    case 'withhold':
      if (a.status === 'withheld') return undefined;
      return { status: 'withheld', reason, revisionReason: reason ?? 'withheld' };
    case 'release':
      if (a.status === 'usable') return undefined;
      return { status: 'usable', reason, revisionReason: reason ?? 'released' };
    case 'embargo': {
      const until = input.until === undefined ? NaN : Date.parse(input.until);
      if (Number.isNaN(until)) throw new ValidationError('invalid_body', 'lifecycle: embargo needs `until`, an RFC 3339 date-time', 422);
      if (until <= now.getTime()) throw new ValidationError('invalid_body', 'lifecycle: embargo `until` must be in the future', 422);
      const iso = new Date(until).toISOString();
      if (a.status === 'embargoed' && a.embargoedUntil === iso) return undefined;
      return { status: 'embargoed', embargoedUntil: iso, reason, revisionReason: reason ?? `embargoed until ${iso}` };
    }
    case 'correct': {
      const c = input.correction ?? {};
      const changes = [c.title, c.summary, c.contentHtml, c.rights].some((v) => v !== undefined) || (c.assets ?? []).some((x) => x && Object.values(x).some((v) => v !== undefined));
      if (!changes) throw new ValidationError('invalid_body', 'lifecycle: a correction needs at least one of title, summary, contentHtml, rights, assets', 422);
      if ((c.assets?.length ?? 0) > a.assets.length) throw new ValidationError('invalid_body', `lifecycle: the article has ${a.assets.length} asset(s)`, 422);
      return { status: a.status, correction: c, revisionReason: reason ?? 'correction' };
    }
  }
}

/** A revision with what changed since the one before it. */
export interface RevisionView extends ArticleRevision {
  changes: string[];
}

const DIFF_FIELDS = ['title', 'summary', 'contentHtml', 'rights', 'status', 'statusReason', 'embargoedUntil'] as const;
const ASSET_FIELDS = ['url', 'caption', 'credit', 'rights', 'title'] as const;

/** Names of what differs from `prev` to `next` ("title", "body", "assets[0].caption", "status: usable → canceled"). */
export function diffSummary(prev: ArticleRevision | undefined, next: ArticleRevision): string[] {
  if (!prev) return ['created'];
  const out: string[] = [];
  for (const f of DIFF_FIELDS) {
    if (prev[f] === next[f]) continue;
    out.push(f === 'status' ? `status: ${prev.status} → ${next.status}` : f === 'contentHtml' ? 'body' : f);
  }
  const n = Math.max(prev.assets.length, next.assets.length);
  for (let i = 0; i < n; i++) {
    const p = prev.assets[i];
    const q = next.assets[i];
    if (!p || !q) out.push(`assets[${i}]`);
    else for (const f of ASSET_FIELDS) if (p[f] !== q[f]) out.push(`assets[${i}].${f}`);
  }
  return out;
}

export interface LifecycleService {
  /** Applies an action; answers the article as it now is. Throws NotFoundError, ValidationError. */
  act(id: number, action: LifecycleAction, input: ActionInput): Promise<Article>;
  /** Oldest first, the current revision last, each with its diff summary. */
  revisions(id: number): Promise<RevisionView[]>;
}

export function createLifecycleService(deps: { storage: Storage; now: () => Date }): LifecycleService {
  const { storage } = deps;
  return {
    async act(id, action, input) {
      const now = deps.now();
      const article = await storage.articles.applyEvent(id, (a) => decideEvent(a, action, input, now), now.toISOString());
      if (!article) throw new NotFoundError(`articles: no article ${id}`);
      return article;
    },
    async revisions(id) {
      const list = await storage.articles.revisions(id);
      if (!list) throw new NotFoundError(`articles: no article ${id}`);
      return list.map((r, i) => ({ ...r, changes: diffSummary(list[i - 1], r) }));
    },
  };
}
