// WebSub (W3C Recommendation, 2018) records: the hub's subscriptions to our feeds and the
// subscriptions we hold at other hubs for our sources. Plain types, no behaviour.
import type { IsoDate } from './types.js';

/** A verified subscription to one of our topics (WebSub §5.1, §5.3). */
export interface HubSubscription {
  id: number;
  /** The feed URL as advertised in rel="self". */
  topic: string;
  callback: string;
  /** host[:port] of the callback: the unit of the per-host limit. */
  callbackHost: string;
  /** The subscriber's hub.secret; never leaves the service (listings say only whether one is set). */
  secret?: string;
  /** Partner key id the subscription was made with (never the key itself). */
  keyId?: string;
  /** Key of the partner rendering delivered ('' = public bytes). */
  variant: string;
  leaseSeconds: number;
  expiresAt: IsoDate;
  createdAt: IsoDate;
  verifiedAt: IsoDate;
  /** Content distributions answered 2xx. */
  delivered: number;
  /** Attempts that failed (each retry counts). */
  failedAttempts: number;
  /** Distributions given up after the retry schedule or the lease ran out. */
  dropped: number;
  lastDeliveryAt?: IsoDate;
  lastError?: string;
}

export type NewHubSubscription = Pick<HubSubscription, 'topic' | 'callback' | 'callbackHost' | 'secret' | 'keyId' | 'variant' | 'leaseSeconds' | 'expiresAt'> & { now: IsoDate };

/** One rendering of a topic that has live subscribers: public, or a partner variant. */
export interface TopicStream {
  topic: string;
  variant: string;
  /** Key ids of the subscriptions on this stream (any valid one yields the variant). */
  keyIds: string[];
}

/** One body to post to one subscriber, with what signing and the Link headers need. */
export interface PendingDelivery {
  id: number;
  subscriptionId: number;
  topic: string;
  callback: string;
  secret?: string;
  keyId?: string;
  contentType: string;
  /** The body to post (websub_contents): read once per run, shared by every delivery of it. */
  contentId: number;
  attempts: number;
  /** When the content was committed: retries stop after the retry window. */
  createdAt: IsoDate;
  /** The subscription's lease: nothing is delivered after it. */
  expiresAt: IsoDate;
}

export interface TopicState {
  /** ETag of the full feed last pushed (full-feed topics). */
  etag?: string;
  /** Highest seq pushed (cursor topics). */
  lastSeq?: number;
}

export type SourceSubscriptionState = 'requested' | 'active' | 'failed';

/** Our subscription at a source's hub (WebSub §5.1 from the subscriber's side). */
export interface SourceSubscription {
  sourceId: number;
  hub: string;
  topic: string;
  /** Last path segment of our callback URL: unguessable, one per subscription request. */
  token: string;
  secret: string;
  /** The fresh secret of a request the hub has not verified yet (pushes may use either). */
  pendingSecret?: string;
  state: SourceSubscriptionState;
  leaseUntil?: IsoDate;
  requestedAt: IsoDate;
  verifiedAt?: IsoDate;
  lastPushAt?: IsoDate;
  pushes: number;
  /** Pushes dropped for a missing or wrong signature. */
  rejected: number;
  lastError?: string;
}
