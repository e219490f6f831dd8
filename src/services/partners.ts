// Partners (README "For partners", "Partner accounts"): accounts, keys, entitlements and the
// partner context other parts build on. Keys are ≥128-bit random secrets of which only a
// SHA-256 is stored; a request's key is hashed and looked up in an in-memory snapshot of the
// live keys, so authenticating costs one hash and a Map lookup and never touches the database.
// The snapshot follows the partners counter (storage.partners.version(), answered from memory
// and checked on every request), which any process's change moves: a key revoked by the CLI
// stops working on the server's very next request.
import crypto, { createHash, randomBytes } from 'node:crypto';
import { NotFoundError, ValidationError } from '../errors.js';
import type { Logger } from '../log.js';
import type { IsoDate, NewPartner, Partner, PartnerKey, PartnerPatch, RateLimit, RightsPolicy } from '../model/types.js';
import type { Storage } from '../storage/repos.js';
import { parseInput, rateLimitSchema, rightsPolicySchema } from './inputs.js';
import { checkSlug } from './slug.js';
import type { FeedAccess, FeedVariant } from './types.js';

/** Every key starts with this, so it is recognizable in a config file or a leaked paste. */
export const KEY_PREFIX = 'wf_live_';
/** 24 random bytes = 192 bits, written as 32 base64url characters. */
const KEY_RANDOM_BYTES = 24;
/** Characters of the key kept (and shown) to recognize it: the prefix and 4 random ones. */
const VISIBLE_CHARS = KEY_PREFIX.length + 4;
const KEY_SHAPE = /^wf_live_[A-Za-z0-9_-]{32}$/;

/** Used when a partner has no rateLimit of its own. */
export const DEFAULT_RATE_LIMIT: RateLimit = { requests: 600, perSeconds: 60 };

/**
 * Who is asking, for any part of wirefeed that serves partners (feeds, ninjs, WebSub, console).
 * Immutable; a new one is built whenever the partner or its keys change.
 */
export interface PartnerContext {
  readonly partnerId: number;
  readonly slug: string;
  readonly name: string;
  /** The key this request used (never the secret). */
  readonly keyId: string;
  /** Channel slugs the partner is entitled to. */
  readonly channels: ReadonlySet<string>;
  readonly rateLimit: RateLimit;
  readonly rightsPolicy?: RightsPolicy;
  /** How this partner's feed bytes differ from the public ones; keys the render cache. */
  readonly variant: FeedVariant;
}

export type AuthOutcome =
  | { kind: 'anonymous' }
  | { kind: 'partner'; partner: PartnerContext }
  /** Unknown or revoked key. */
  | { kind: 'invalid' }
  /** A valid key of a deactivated account. */
  | { kind: 'inactive' };

/** What a feed request may get: served, or refused with the status to answer. */
export type AccessVerdict = 'ok' | 401 | 403;

/**
 * The one entitlement rule. Public feeds are open to everyone (a key only changes the variant);
 * a partners feed needs a key entitled to one of the channels that grant it.
 */
export function decideAccess(access: FeedAccess, auth: AuthOutcome): AccessVerdict {
  if (auth.kind === 'invalid') return 401;
  if (auth.kind === 'inactive') return 403;
  if (access.visibility === 'public') return 'ok';
  if (auth.kind === 'anonymous') return 401;
  return access.channels.some((c) => auth.partner.channels.has(c)) ? 'ok' : 403;
}

export interface NewKey {
  /** The secret: shown once, never stored. */
  key: string;
  keyId: string;
  prefix: string;
  createdAt: IsoDate;
}

export interface PartnerService {
  list(): Promise<Partner[]>;
  get(slug: string): Promise<Partner>;
  create(input: NewPartner): Promise<Partner>;
  update(slug: string, patch: PartnerPatch): Promise<Partner>;
  remove(slug: string): Promise<void>;
  createKey(slug: string): Promise<NewKey>;
  listKeys(slug: string): Promise<PartnerKey[]>;
  /** Takes effect on the next request, in this process and in a server beside it. */
  revokeKey(slug: string, keyId: string): Promise<PartnerKey>;
  /**
   * The check for the fast lane: from the snapshot in memory, never a query nor a promise.
   * `undefined` when the snapshot is out of date: the caller then takes the Express path
   * (`authenticate`), which reloads it. Throws what storage.partners.version() throws.
   */
  authenticateCached(secret: string | undefined): AuthOutcome | undefined;
  authenticate(secret: string | undefined): Promise<AuthOutcome>;
  /**
   * What `authenticate` would say now for the key with this id: for WebSub deliveries, which
   * keep the id of the key a subscription was made with, never the key.
   */
  authenticateKeyId(keyId: string): Promise<AuthOutcome>;
  /** Writes the batched lastUsedAt times now (also every few seconds, and on close). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Hex SHA-256 of a key: what is stored and looked up. The one-shot crypto.hash (Node ≥ 20.12)
 * costs a tenth of createHash().update().digest(), and this runs on every partner request.
 */
export function hashKey(secret: string): string {
  return crypto.hash('sha256', secret, 'hex');
}

export function generateKey(): { key: string; prefix: string; keyId: string } {
  const key = KEY_PREFIX + randomBytes(KEY_RANDOM_BYTES).toString('base64url');
  return { key, prefix: key.slice(0, VISIBLE_CHARS), keyId: `key_${randomBytes(8).toString('hex')}` };
}

/** JSON with sorted keys: equal policies give equal fingerprints. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** Partners with the same policy share one variant (and one cached render per feed). */
export function variantFor(policy: RightsPolicy | undefined): FeedVariant {
  const fp = policy ? createHash('sha256').update(stableJson(policy)).digest('base64url').slice(0, 16) : '';
  return Object.freeze({ key: `partner:${fp}`, partner: true, rightsPolicy: policy });
}

function contextOf(p: Partner, keyId: string): PartnerContext {
  return Object.freeze({
    partnerId: p.id,
    slug: p.slug,
    name: p.name,
    keyId,
    channels: new Set(p.channels),
    rateLimit: p.rateLimit ?? DEFAULT_RATE_LIMIT,
    rightsPolicy: p.rightsPolicy,
    variant: variantFor(p.rightsPolicy),
  });
}

// ---- validation: the rules every caller meets, with the input schemas' limits (inputs.ts) ----

function checkRateLimit(r: RateLimit | undefined): void {
  if (r !== undefined) parseInput(rateLimitSchema, r, 'partners', 'rateLimit');
}

function checkRightsPolicy(p: RightsPolicy | undefined): void {
  if (p !== undefined) parseInput(rightsPolicySchema, p, 'partners', 'rightsPolicy');
}

interface Snapshot {
  version: number;
  byHash: Map<string, { keyId: string; partner: Partner; outcome: AuthOutcome }>;
}

const TOUCH_FLUSH_MS = 5000;
const ANONYMOUS: AuthOutcome = Object.freeze({ kind: 'anonymous' });
const INVALID: AuthOutcome = Object.freeze({ kind: 'invalid' });
const INACTIVE: AuthOutcome = Object.freeze({ kind: 'inactive' });

export function createPartnerService(deps: { storage: Storage; now?: () => Date; log?: Logger }): PartnerService {
  const { storage } = deps;
  const repo = storage.partners;
  const now = deps.now ?? (() => new Date());
  // Key uses are stamped on every partner request: a number, not a Date, when the clock is the real one.
  const nowMs = deps.now ? () => deps.now!().getTime() : Date.now;
  let snapshot: Snapshot | undefined;
  let loading: Promise<Snapshot> | undefined;
  // lastUsedAt per key, written in batches: a write per request would cost more than serving it.
  let touched = new Map<string, number>();
  let closed = false;
  const timer = setInterval(() => void flush(), TOUCH_FLUSH_MS);
  timer.unref();

  async function load(): Promise<Snapshot> {
    const version = repo.version();
    const byHash: Snapshot['byHash'] = new Map();
    for (const k of await repo.liveKeys()) {
      const outcome: AuthOutcome = k.partner.active ? Object.freeze({ kind: 'partner', partner: contextOf(k.partner, k.keyId) }) : INACTIVE;
      byHash.set(k.keyHash, { keyId: k.keyId, partner: k.partner, outcome });
    }
    return { version, byHash };
  }

  function reload(): Promise<Snapshot> {
    loading ??= load().then(
      (s) => {
        loading = undefined;
        if (!snapshot || s.version >= snapshot.version) snapshot = s;
        return snapshot;
      },
      (err) => {
        loading = undefined;
        throw err;
      },
    );
    return loading;
  }

  function check(s: Snapshot, secret: string | undefined): AuthOutcome {
    if (secret === undefined) return ANONYMOUS;
    if (!KEY_SHAPE.test(secret)) return INVALID;
    // The lookup is by SHA-256 of the key: its timing depends on the digest, which an attacker
    // cannot steer towards a stored one, never on how much of the key matched; a hit is an
    // exact match of the whole digest (Map keys compare equal), so there is nothing left to compare.
    const entry = s.byHash.get(hashKey(secret));
    if (!entry) return INVALID;
    if (entry.outcome !== INACTIVE) touched.set(entry.keyId, nowMs());
    return entry.outcome;
  }

  async function flush(): Promise<void> {
    if (touched.size === 0 || closed) return;
    const batch = touched;
    touched = new Map();
    try {
      await repo.touchKeys(new Map([...batch].map(([k, ms]) => [k, new Date(ms).toISOString()])));
    } catch (err) {
      deps.log?.warn({ err: (err as Error).message }, 'partner key lastUsedAt not recorded');
    }
  }

  async function partnerOf(slug: string): Promise<Partner> {
    const p = await repo.get(slug);
    if (!p) throw new NotFoundError(`partners: no partner ${JSON.stringify(slug)}`);
    return p;
  }

  async function checkChannels(channels: unknown): Promise<string[]> {
    if (!Array.isArray(channels) || !channels.every((c) => typeof c === 'string'))
      throw new ValidationError('invalid_channels', 'channels must be a list of channel slugs');
    const unique = [...new Set(channels as string[])];
    for (const slug of unique)
      if (!(await storage.channels.get(slug)) && slug !== 'all') throw new ValidationError('unknown_channel', `channels: no channel ${JSON.stringify(slug)}`);
    return unique;
  }

  /** The snapshot for the partners version now: reloaded only when it moved. */
  async function current(): Promise<Snapshot> {
    const version = repo.version();
    return snapshot && snapshot.version === version ? snapshot : reload();
  }

  /** Changes are visible to the next request of this process without waiting for a reload. */
  async function changed<T>(v: T): Promise<T> {
    await reload();
    return v;
  }

  return {
    list: () => repo.list(),
    get: partnerOf,

    async create(input) {
      checkSlug(input?.slug);
      if (typeof input.name !== 'string' || !input.name.trim()) throw new ValidationError('invalid_name', 'name is required');
      checkRateLimit(input.rateLimit);
      checkRightsPolicy(input.rightsPolicy);
      const channels = await checkChannels(input.channels ?? []);
      return changed(await repo.create({ ...input, name: input.name.trim(), channels, now: now().toISOString() }));
    },

    async update(slug, patch) {
      await partnerOf(slug);
      if (patch.name !== undefined && (typeof patch.name !== 'string' || !patch.name.trim())) throw new ValidationError('invalid_name', 'name must not be empty');
      checkRateLimit(patch.rateLimit ?? undefined);
      checkRightsPolicy(patch.rightsPolicy ?? undefined);
      const next: PartnerPatch & { now: IsoDate } = { ...patch, now: now().toISOString() };
      if (patch.channels !== undefined) next.channels = await checkChannels(patch.channels);
      return changed(await repo.update(slug, next));
    },

    async remove(slug) {
      if (!(await repo.remove(slug))) throw new NotFoundError(`partners: no partner ${JSON.stringify(slug)}`);
      await changed(undefined);
    },

    async createKey(slug) {
      const p = await partnerOf(slug);
      const { key, prefix, keyId } = generateKey();
      const stored = await repo.addKey({ partnerId: p.id, keyId, prefix, keyHash: hashKey(key), now: now().toISOString() });
      await changed(undefined);
      return { key, keyId, prefix, createdAt: stored.createdAt };
    },

    async listKeys(slug) {
      return repo.listKeys((await partnerOf(slug)).id);
    },

    async revokeKey(slug, keyId) {
      const p = await partnerOf(slug);
      const k = await repo.revokeKey(p.id, keyId, now().toISOString());
      if (!k) throw new NotFoundError(`partners: ${slug} has no key ${JSON.stringify(keyId)}`);
      return changed(k);
    },

    authenticateCached(secret) {
      if (secret === undefined) return ANONYMOUS;
      const version = repo.version();
      return snapshot && snapshot.version === version ? check(snapshot, secret) : undefined;
    },

    async authenticate(secret) {
      if (secret === undefined) return ANONYMOUS;
      return check(await current(), secret);
    },

    async authenticateKeyId(keyId) {
      const s = await current();
      for (const entry of s.byHash.values()) if (entry.keyId === keyId) return entry.outcome;
      return INVALID;
    },

    flush,

    async close() {
      clearInterval(timer);
      await flush();
      closed = true;
    },
  };
}
