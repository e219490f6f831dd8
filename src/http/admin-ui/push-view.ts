// Push (WebSub): who subscribes to our feeds at the hub, and our own subscriptions at sources'
// hubs. Callback URLs act as bearer secrets for subscribers, so only their host is shown (as in
// the logs); secrets are never shown, only whether pushes are signed.
import type { HubSubscriptionView } from '../../services/push.js';
import type { SourceSubscriptionView } from '../../services/push-subscriber.js';
import { html, page, tableRegion, when, type PageContext } from './html.js';

export interface PushOverview {
  /** Absent when the hub is off (no WIREFEED_BASE_URL and no request origin to serve it on). */
  hub?: { subscriptions: HubSubscriptionView[]; pendingDeliveries: number };
  /** Absent when subscribing to sources' hubs is off (it needs WIREFEED_BASE_URL). */
  sources?: SourceSubscriptionView[];
}

export function pushPage(ctx: PageContext, push: PushOverview): string {
  const hubRows = (push.hub?.subscriptions ?? []).map(
    (s) =>
      html`<tr><td class="mono">${s.topic}</td><td class="mono">${s.callbackHost}</td><td>${s.keyId ? html`partner key <span class="mono">${s.keyId}</span>` : 'public'}</td><td>${s.signed ? 'signed' : html`<span class="muted">unsigned</span>`}</td><td>${when(s.expiresAt, ctx.now)}</td><td class="num">${s.delivered}</td><td class="num">${s.failedAttempts}</td><td class="num">${s.dropped}</td><td>${s.lastError ? html`<span class="error">${s.lastError}</span>` : html`<span class="muted">–</span>`}</td></tr>`,
  );
  const hub = !push.hub
    ? html`<p class="muted">The hub is off.</p>`
    : hubRows.length
      ? html`<p>${push.hub.pendingDeliveries} deliveries queued.</p>${tableRegion(
          'Hub subscriptions',
          html`<table><thead><tr><th scope="col">Topic</th><th scope="col">Callback host</th><th scope="col">Made with</th><th scope="col">Pushes</th><th scope="col">Lease ends</th><th scope="col" class="num">Delivered</th><th scope="col" class="num">Failed attempts</th><th scope="col" class="num">Dropped</th><th scope="col">Last error</th></tr></thead><tbody>${hubRows}</tbody></table>`,
        )}`
      : html`<p class="muted">No subscriber yet. Every feed advertises the hub in its <code>Link</code> header.</p>`;
  const srcRows = (push.sources ?? []).map(
    (s) =>
      html`<tr><td>${s.slug ? html`<a href="/admin/sources/${s.sourceId}">${s.slug}</a>` : s.sourceId}</td><td class="mono">${s.hub}</td><td>${s.state}</td><td>${when(s.leaseUntil, ctx.now)}</td><td>${when(s.lastPushAt, ctx.now)}</td><td class="num">${s.pushes}</td><td class="num">${s.rejected}</td><td>${s.lastError ? html`<span class="error">${s.lastError}</span>` : html`<span class="muted">–</span>`}</td></tr>`,
  );
  const sources = !push.sources
    ? html`<p class="muted">Off: subscribing to sources' hubs needs <code>WIREFEED_BASE_URL</code> (the hubs must reach our callback).</p>`
    : srcRows.length
      ? tableRegion(
          'Source subscriptions',
          html`<table><thead><tr><th scope="col">Source</th><th scope="col">Hub</th><th scope="col">State</th><th scope="col">Lease ends</th><th scope="col">Last push</th><th scope="col" class="num">Pushes</th><th scope="col" class="num">Rejected</th><th scope="col">Last error</th></tr></thead><tbody>${srcRows}</tbody></table>`,
        )
      : html`<p class="muted">No source advertises a hub.</p>`;
  const body = html`<h1>Push (WebSub)</h1>
<section aria-labelledby="h-hub"><h2 id="h-hub">Subscribers to our feeds</h2>${hub}</section>
<section aria-labelledby="h-sources"><h2 id="h-sources">Our subscriptions at sources' hubs</h2>${sources}</section>`;
  return page(ctx, 'push', 'Push (WebSub)', body);
}
