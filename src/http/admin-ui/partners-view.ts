// Partners: accounts with their entitlements and rate limit, and their keys. A new key is shown
// once, on the page that answers the POST that created it (never in a URL, never again).
import type { Partner, PartnerKey } from '../../model/types.js';
import type { KillNotice } from '../../services/console.js';
import { actionButton, badge, csrfField, html, page, tableRegion, when, type Html, type PageContext } from './html.js';

export function partnersPage(ctx: PageContext, partners: { partner: Partner; keys: PartnerKey[] }[]): string {
  const rows = partners.map(({ partner: p, keys }) => {
    const live = keys.filter((k) => !k.revokedAt);
    const lastUsed = live.map((k) => k.lastUsedAt).filter((t): t is string => !!t).sort().at(-1);
    return html`<tr><td><a href="/admin/partners/${p.slug}">${p.name}</a><br><span class="muted mono">${p.slug}</span></td><td>${badge(p.active ? 'active' : 'inactive')}</td><td>${p.channels.join(', ') || html`<span class="muted">public feeds only</span>`}</td><td class="num">${live.length}</td><td>${when(lastUsed, ctx.now)}</td></tr>`;
  });
  const body = html`<h1>Partners</h1>
<p class="muted">Accounts are created with <code>wirefeed partners add</code> or <code>POST /api/partners</code>; keys are managed here too.</p>
${partners.length
  ? tableRegion(
      'Partners',
      html`<table><thead><tr><th scope="col">Partner</th><th scope="col">Account</th><th scope="col">Channels</th><th scope="col" class="num">Live keys</th><th scope="col">Last used</th></tr></thead><tbody>${rows}</tbody></table>`,
    )
  : html`<p class="muted">No partner accounts yet.</p>`}`;
  return page(ctx, 'partners', 'Partners', body);
}

/** What the delivery log knows about a partner (absent when the log is turned off). */
export interface PartnerActivity {
  cursor: { cursor: number; newestSeq: number; lag: number; lastDeliveryAt?: string };
  /** Deliveries of the last 24 h, newest first. */
  deliveries: { at: string; channel: string; format: string; items: readonly unknown[]; heldBack?: readonly unknown[] }[];
  /** Items delivered since 00:00 UTC (the daily item quota counts these). */
  itemsToday: number;
  /** Kills of stories the partner was sent, with a seq above its cursor: not received yet. */
  unseenKills: KillNotice[];
}

function activitySections(ctx: PageContext, p: Partner, a: PartnerActivity | 'off' | undefined): Html {
  if (!a) return html``;
  if (a === 'off') return html`<section aria-labelledby="h-usage"><h2 id="h-usage">Usage</h2><p class="muted">The delivery log is off (WIREFEED_DELIVERY_LOG=0): no usage to show.</p></section>`;
  const perDay = p.rateLimit?.itemsPerDay;
  const quota = perDay
    ? html`${a.itemsToday} of ${perDay} items today (${Math.max(0, perDay - a.itemsToday)} left)`
    : html`${a.itemsToday} items today <span class="muted">(no daily item quota)</span>`;
  const items = a.deliveries.reduce((n, d) => n + d.items.length, 0);
  const rows = a.deliveries
    .slice(0, 50)
    .map((d) => html`<tr><td>${when(d.at, ctx.now)}</td><td class="mono">${d.channel}.${d.format}</td><td class="num">${d.items.length}</td><td class="num">${d.heldBack?.length ?? 0}</td></tr>`);
  const kills = a.unseenKills.length
    ? html`<p class="error">${a.unseenKills.length} stor${a.unseenKills.length === 1 ? 'y' : 'ies'} this partner was sent ${a.unseenKills.length === 1 ? 'was' : 'were'} killed past its cursor: it has not fetched the kill yet.</p><ul>${a.unseenKills.map(
        (k) => html`<li><a href="/admin/articles/${k.id}">${k.title ?? `article ${k.id}`}</a> <span class="muted">seq ${k.seq}${k.reason ? ` — ${k.reason}` : ''}</span></li>`,
      )}</ul>`
    : html`<p class="muted">None: every kill of a story this partner was sent lies behind its cursor.</p>`;
  return html`<section aria-labelledby="h-usage"><h2 id="h-usage">Usage and quota</h2>
<dl class="facts"><dt>Cursor</dt><dd>seq ${a.cursor.cursor} of ${a.cursor.newestSeq} — ${a.cursor.lag ? html`<strong>${a.cursor.lag} behind</strong>` : 'up to date'}</dd>
<dt>Last delivery</dt><dd>${when(a.cursor.lastDeliveryAt, ctx.now)}</dd>
<dt>Last 24 h</dt><dd>${a.deliveries.length} responses, ${items} items</dd>
<dt>Daily quota</dt><dd>${quota}</dd></dl></section>
<section aria-labelledby="h-kills"><h2 id="h-kills">Unacknowledged kills</h2>${kills}</section>
<section aria-labelledby="h-deliveries"><h2 id="h-deliveries">Deliveries, last 24 h</h2>${rows.length
    ? tableRegion('Deliveries', html`<table><thead><tr><th scope="col">When</th><th scope="col">Feed</th><th scope="col" class="num">Items</th><th scope="col" class="num">Held back</th></tr></thead><tbody>${rows}</tbody></table>`)
    : html`<p class="muted">Nothing delivered in the last 24 hours.</p>`}</section>`;
}

export function partnerPage(
  ctx: PageContext,
  p: Partner,
  keys: PartnerKey[],
  opts: { newKey?: { key: string; keyId: string }; notice?: string; activity?: PartnerActivity | 'off' } = {},
): string {
  const limit = p.rateLimit
    ? `${p.rateLimit.requests} requests per ${p.rateLimit.perSeconds} s${p.rateLimit.itemsPerDay ? `, ${p.rateLimit.itemsPerDay} items per UTC day` : ''}`
    : 'no limit';
  const keyRows: Html[] = keys.map(
    (k) =>
      html`<tr><td class="mono">${k.prefix}…</td><td class="mono">${k.keyId}</td><td>${when(k.createdAt, ctx.now)}</td><td>${when(k.lastUsedAt, ctx.now)}</td><td>${k.revokedAt ? html`${badge('revoked')} ${when(k.revokedAt, ctx.now)}` : actionButton(`/admin/partners/${p.slug}/keys/${encodeURIComponent(k.keyId)}/revoke`, 'Revoke', ctx.csrf, { danger: true })}</td></tr>`,
  );
  const body = html`<p><a href="/admin/partners">← Partners</a></p>
<h1>${p.name} ${badge(p.active ? 'active' : 'inactive')}</h1>
${opts.notice ? html`<p class="notice" role="status">${opts.notice}</p>` : ''}
${opts.newKey
  ? html`<section class="notice" aria-labelledby="h-newkey"><h2 id="h-newkey">New key</h2><p>Copy it now: it is shown only this once (only its hash is stored).</p>
<p class="secret" id="new-key">${opts.newKey.key}</p></section>`
  : ''}
<dl class="facts"><dt>Slug</dt><dd class="mono">${p.slug}</dd>
<dt>Contact</dt><dd>${p.contact ?? '—'}</dd>
<dt>Channels</dt><dd>${p.channels.join(', ') || 'public feeds only'}</dd>
<dt>Rate limit</dt><dd>${limit}</dd>
<dt>Rights policy</dt><dd class="mono wrap">${p.rightsPolicy ? JSON.stringify(p.rightsPolicy) : 'the sources’ own'}</dd>
<dt>Since</dt><dd>${when(p.createdAt, ctx.now)}</dd></dl>
<section aria-labelledby="h-keys"><h2 id="h-keys">Keys</h2>
${keys.length
  ? tableRegion(
      'Keys',
      html`<table><thead><tr><th scope="col">Key</th><th scope="col">Key id</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">State</th></tr></thead><tbody>${keyRows}</tbody></table>`,
    )
  : html`<p class="muted">No keys yet.</p>`}
<form method="post" action="/admin/partners/${p.slug}/keys" class="actions">${csrfField(ctx.csrf)}<button type="submit">Create a key</button></form></section>
${activitySections(ctx, p, opts.activity)}`;
  return page(ctx, 'partners', p.name, body);
}
