// WebSub rows as both backends return them and their mapping to model types (sqlite/ and
// postgres/ websub repositories), and the column of each source-subscription field.
import type { HubSubscription, SourceSubscription } from '../model/websub.js';
import { compact, type Nullable } from './rows.js';

export interface SubscriptionRow {
  id: number;
  topic: string;
  callback: string;
  callback_host: string;
  secret: Nullable<string>;
  key_id: Nullable<string>;
  variant: string;
  lease_seconds: number;
  expires_at: string;
  created_at: string;
  verified_at: string;
  delivered: number;
  failed_attempts: number;
  dropped: number;
  last_delivery_at: Nullable<string>;
  last_error: Nullable<string>;
}

export function toSubscription(r: SubscriptionRow): HubSubscription {
  return compact<HubSubscription>({
    id: r.id,
    topic: r.topic,
    callback: r.callback,
    callbackHost: r.callback_host,
    secret: r.secret,
    keyId: r.key_id,
    variant: r.variant,
    leaseSeconds: r.lease_seconds,
    expiresAt: r.expires_at,
    createdAt: r.created_at,
    verifiedAt: r.verified_at,
    delivered: r.delivered,
    failedAttempts: r.failed_attempts,
    dropped: r.dropped,
    lastDeliveryAt: r.last_delivery_at,
    lastError: r.last_error,
  });
}

export interface SourceSubscriptionRow {
  source_id: number;
  hub: string;
  topic: string;
  token: string;
  secret: string;
  pending_secret: Nullable<string>;
  state: SourceSubscription['state'];
  lease_until: Nullable<string>;
  requested_at: string;
  verified_at: Nullable<string>;
  last_push_at: Nullable<string>;
  pushes: number;
  rejected: number;
  last_error: Nullable<string>;
}

export function toSourceSubscription(r: SourceSubscriptionRow): SourceSubscription {
  return compact<SourceSubscription>({
    sourceId: r.source_id,
    hub: r.hub,
    topic: r.topic,
    token: r.token,
    secret: r.secret,
    pendingSecret: r.pending_secret,
    state: r.state,
    leaseUntil: r.lease_until,
    requestedAt: r.requested_at,
    verifiedAt: r.verified_at,
    lastPushAt: r.last_push_at,
    pushes: r.pushes,
    rejected: r.rejected,
    lastError: r.last_error,
  });
}

export const SOURCE_SUB_COLUMNS: Record<keyof Omit<SourceSubscription, 'sourceId'>, string> = {
  hub: 'hub',
  topic: 'topic',
  token: 'token',
  secret: 'secret',
  pendingSecret: 'pending_secret',
  state: 'state',
  leaseUntil: 'lease_until',
  requestedAt: 'requested_at',
  verifiedAt: 'verified_at',
  lastPushAt: 'last_push_at',
  pushes: 'pushes',
  rejected: 'rejected',
  lastError: 'last_error',
};
