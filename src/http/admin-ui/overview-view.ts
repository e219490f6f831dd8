// The console's front page: source health, ingest per hour, errors, slow and overdue sources.
import type { Overview, SourceRow } from '../../services/console.js';
import { ingestChart } from './chart.js';
import { badge, duration, html, page, tableRegion, when, type Html, type PageContext } from './html.js';

function sourceLink(s: SourceRow): Html {
  return html`<a href="/admin/sources/${s.id}">${s.title || s.slug}</a>`;
}

function miniTable(caption: string, head: string[], rows: Html[][], empty: string): Html {
  if (!rows.length) return html`<p class="muted">${empty}</p>`;
  return tableRegion(
    caption,
    html`<table><thead><tr>${head.map((h, i) => html`<th scope="col"${i > 0 ? html` class="num"` : ''}>${h}</th>`)}</tr></thead><tbody>${rows.map(
      (r) => html`<tr>${r.map((c, i) => html`<td${i > 0 ? html` class="num"` : ''}>${c}</td>`)}</tr>`,
    )}</tbody></table>`,
  );
}

/** One row per partner for the overview: how far behind its cursor is. */
export interface PartnerLag {
  slug: string;
  name: string;
  lag: number;
  lastDeliveryAt?: string;
  unseenKills: number;
}

export function overviewPage(ctx: PageContext, o: Overview, partners?: PartnerLag[]): string {
  const cards = (
    [
      ['ok', 'ok'],
      ['failing', 'failing'],
      ['paused', 'paused'],
      ['new', 'not fetched yet'],
      ['gone', 'gone'],
    ] as const
  ).map(([k, label]) => html`<li class="card"><a href="/admin/sources?health=${k}"><span class="n">${o.byHealth[k]}</span>${badge(k)} <span class="muted">${label === k ? '' : label}</span></a></li>`);
  const newItems = o.hourly.reduce((n, h) => n + h.itemsNew, 0);
  const body = html`<h1>Overview</h1>
<section aria-labelledby="h-sources"><h2 id="h-sources">Sources by status</h2><ul class="cards">${cards}
<li class="card"><span class="n">${o.errors24h}</span>fetch errors, 24 h <span class="muted">of ${o.fetches24h} fetches</span></li>
<li class="card"><span class="n">${newItems}</span>new items, 24 h</li></ul></section>
<section aria-labelledby="h-chart"><h2 id="h-chart">Items ingested per hour</h2>${ingestChart(o.hourly)}</section>
<div class="grid2">
<section aria-labelledby="h-failing"><h2 id="h-failing">Failing sources</h2>${miniTable(
    'Failing sources',
    ['Source', 'Errors in a row', 'Last fetch'],
    o.failing.map((s) => [html`${sourceLink(s)}<br><span class="muted wrap">${s.lastError ?? ''}</span>`, html`${s.errorCount}`, when(s.lastFetchedAt, ctx.now)]),
    'No source is failing.',
  )}</section>
<section aria-labelledby="h-overdue"><h2 id="h-overdue">Most overdue sources</h2>${miniTable(
    'Most overdue sources',
    ['Source', 'Overdue by', 'Due'],
    o.overdue.map((s) => [sourceLink(s), html`${duration(s.overdueMs)}`, when(s.nextFetchAt, ctx.now)]),
    'Every active source was fetched on time.',
  )}</section>
<section aria-labelledby="h-slow"><h2 id="h-slow">Slowest sources, 24 h</h2>${miniTable(
    'Slowest sources',
    ['Source', 'Average', 'Slowest', 'Fetches'],
    o.slowest.map((s) => [sourceLink(s), html`${s.figures.avgMs} ms`, html`${s.figures.maxMs} ms`, html`${s.figures.fetches}`]),
    'No fetches in the last 24 hours.',
  )}</section>
${partners
  ? html`<section aria-labelledby="h-lag"><h2 id="h-lag">Partner cursor lag</h2>${miniTable(
      'Partner cursor lag',
      ['Partner', 'Behind (seq)', 'Kills not received'],
      [...partners]
        .sort((a, b) => b.lag - a.lag)
        .map((p) => [html`<a href="/admin/partners/${p.slug}">${p.name}</a>`, html`${p.lag}`, html`${p.unseenKills}`]),
      'No partner accounts.',
    )}</section>`
  : ''}
</div>`;
  return page(ctx, 'overview', 'Overview', body);
}
