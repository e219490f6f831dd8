// Partner and key rows as both backends return them and their mapping to model types.
import type { Partner, PartnerKey, RateLimit, RightsPolicy } from '../model/types.js';
import { compact, parseJson, type Nullable } from './rows.js';

export interface PartnerRow {
  id: number;
  slug: string;
  name: string;
  contact: Nullable<string>;
  channels: string;
  rate_limit: Nullable<string>;
  rights_policy: Nullable<string>;
  /** 0/1 on SQLite, a boolean on PostgreSQL. */
  active: number | boolean;
  created_at: string;
  updated_at: string;
}

export interface KeyRow {
  key_id: string;
  partner_id: number;
  prefix: string;
  created_at: string;
  last_used_at: Nullable<string>;
  revoked_at: Nullable<string>;
}

export function toPartner(r: PartnerRow): Partner {
  return compact<Partner>({
    id: r.id,
    slug: r.slug,
    name: r.name,
    contact: r.contact,
    channels: parseJson<string[]>(r.channels, []),
    rateLimit: parseJson<RateLimit | null>(r.rate_limit, null),
    rightsPolicy: parseJson<RightsPolicy | null>(r.rights_policy, null),
    active: r.active === 1 || r.active === true,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });
}

export function toKey(r: KeyRow): PartnerKey {
  return compact<PartnerKey>({
    keyId: r.key_id,
    partnerId: r.partner_id,
    prefix: r.prefix,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  });
}
