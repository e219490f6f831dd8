// Sources: the sortable, filterable health table, one source's page (fetch log, lint with
// explanations, articles, actions), the add flow (discovery shown before saving) and the
// delete confirmation.
import type { Article, FetchLogEntry } from '../../model/types.js';
import type { SourceRow } from '../../services/console.js';
import type { SourceDiscovery } from '../../services/types.js';
import { lintHelp } from './lint-help.js';
import { actionButton, badge, csrfField, html, httpUrl, page, tableRegion, when, type Html, type PageContext } from './html.js';
import { articleTable } from './articles-view.js';

export const SOURCE_SORTS = ['title', 'health', 'last', 'next', 'errors', 'lint', 'items'] as const;
export type SourceSort = (typeof SOURCE_SORTS)[number];

export interface SourceListQuery {
  health?: string;
  q?: string;
  sort: SourceSort;
  dir: 'asc' | 'desc';
}

const HEALTH_ORDER = { failing: 0, new: 1, paused: 2, gone: 3, ok: 4 } as const;

function sortKey(s: SourceRow, by: SourceSort): string | number {
  switch (by) {
    case 'title':
      return (s.title || s.slug).toLowerCase();
    case 'health':
      return HEALTH_ORDER[s.health];
    case 'last':
      return s.lastFetchedAt ?? '';
    case 'next':
      return s.nextFetchAt;
    case 'errors':
      return s.errorCount;
    case 'lint':
      return s.lint.length;
    case 'items':
      return s.figures.articles;
  }
}

/** Filter and order in one place so the table and its links agree. */
function selectSources(rows: SourceRow[], q: SourceListQuery): SourceRow[] {
  const text = q.q?.toLowerCase();
  const out = rows.filter((s) => (!q.health || s.health === q.health) && (!text || `${s.title ?? ''} ${s.slug} ${s.url}`.toLowerCase().includes(text)));
  const sign = q.dir === 'asc' ? 1 : -1;
  return out.sort((a, b) => {
    const x = sortKey(a, q.sort);
    const y = sortKey(b, q.sort);
    return (x < y ? -1 : x > y ? 1 : a.id - b.id) * sign;
  });
}

function sortHeader(label: string, by: SourceSort, q: SourceListQuery, numeric = false, narrow = true): Html {
  const active = q.sort === by;
  const dir = active && q.dir === 'asc' ? 'desc' : 'asc';
  const params = new URLSearchParams({ ...(q.health ? { health: q.health } : {}), ...(q.q ? { q: q.q } : {}), sort: by, dir });
  const aria = active ? html` aria-sort="${q.dir === 'asc' ? 'ascending' : 'descending'}"` : '';
  const cls = [numeric ? 'num' : '', narrow ? '' : 'hide-narrow'].filter(Boolean).join(' ');
  return html`<th scope="col"${aria}${cls ? html` class="${cls}"` : ''}><a href="/admin/sources?${params.toString()}">${label}${active ? (q.dir === 'asc' ? ' ▲' : ' ▼') : ''}</a></th>`;
}

export function sourcesPage(ctx: PageContext, rows: SourceRow[], q: SourceListQuery, notice?: string): string {
  const list = selectSources(rows, q);
  const options = ['', 'ok', 'failing', 'paused', 'new', 'gone'].map((h) => html`<option value="${h}"${h === (q.health ?? '') ? html` selected` : ''}>${h || 'any'}</option>`);
  const table = html`<table><caption class="muted" style="caption-side:bottom;text-align:left;padding:.4rem .6rem">${list.length} of ${rows.length} sources</caption>
<thead><tr>${sortHeader('Source', 'title', q)}${sortHeader('Health', 'health', q)}${sortHeader('Last fetch', 'last', q)}${sortHeader('Next fetch', 'next', q, false, false)}${sortHeader('Errors', 'errors', q, true)}${sortHeader('Lint', 'lint', q, true, false)}${sortHeader('Items', 'items', q, true)}</tr></thead>
<tbody>${list.map(
    (s) => html`<tr><td><a href="/admin/sources/${s.id}">${s.title || s.slug}</a><br><span class="muted mono wrap hide-narrow">${s.url}</span></td><td>${badge(s.health)}${s.overdueMs ? html` <span class="badge b-paused">overdue</span>` : ''}</td><td>${when(s.lastFetchedAt, ctx.now)}</td><td class="hide-narrow">${s.status === 'active' ? when(s.nextFetchAt, ctx.now) : html`<span class="muted">—</span>`}</td><td class="num">${s.errorCount}</td><td class="num hide-narrow">${s.lint.length}</td><td class="num">${s.figures.articles}</td></tr>`,
  )}</tbody></table>`;
  const body = html`<h1>Sources</h1>
${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
<form method="get" action="/admin/sources/new" class="filters" aria-label="Add a source">
<div><label for="add-url">Add a source <span class="hint">feed or web page URL</span></label><input id="add-url" name="url" type="url" required placeholder="https://example.org/feed.xml" size="40"></div>
<button type="submit">Check</button></form>
<form method="get" action="/admin/sources" class="filters" role="search" aria-label="Filter sources">
<div><label for="f-health">Health</label><select id="f-health" name="health">${options}</select></div>
<div><label for="f-q">Name or URL</label><input id="f-q" name="q" type="search" value="${q.q ?? ''}"></div>
<input type="hidden" name="sort" value="${q.sort}"><input type="hidden" name="dir" value="${q.dir}">
<button type="submit" class="secondary">Filter</button></form>
${rows.length ? tableRegion('Sources', table) : html`<p class="muted">No sources yet: add one above.</p>`}`;
  return page(ctx, 'sources', 'Sources', body);
}

function fetchLogTable(ctx: PageContext, log: FetchLogEntry[]): Html {
  if (!log.length) return html`<p class="muted">Not fetched yet.</p>`;
  return tableRegion(
    'Fetch log',
    html`<table><thead><tr><th scope="col">When</th><th scope="col">Outcome</th><th scope="col" class="num">HTTP</th><th scope="col" class="num">Bytes</th><th scope="col" class="num">ms</th><th scope="col" class="num">New</th><th scope="col" class="num">Updated</th><th scope="col">Error / warnings</th></tr></thead><tbody>${log.map(
      (f) => html`<tr><td>${when(f.startedAt, ctx.now)}</td><td>${badge(f.outcome)}</td><td class="num">${f.httpStatus ?? '–'}</td><td class="num">${f.bytes ?? '–'}</td><td class="num">${f.ms}</td><td class="num">${f.itemsNew}</td><td class="num">${f.itemsUpdated}</td><td class="wrap">${f.error ?? ''}${f.warnings.length ? html`<span class="muted">${f.error ? html`<br>` : ''}${f.warnings.join('; ')}</span>` : ''}</td></tr>`,
    )}</tbody></table>`,
  );
}

export function sourcePage(ctx: PageContext, s: SourceRow, log: FetchLogEntry[], articles: Article[], notice?: string): string {
  const site = httpUrl(s.siteUrl);
  const lint = s.lint.length
    ? html`<ul>${s.lint.map((l) => {
        const help = lintHelp(l.code);
        return html`<li><strong><code>${l.code}</code></strong>${l.count && l.count > 1 ? ` ×${l.count}` : ''}: ${l.message}${help ? html`<br><span class="muted">${help.explain}</span> <a href="${help.spec.href}" rel="noreferrer">${help.spec.title}</a>` : ''}</li>`;
      })}</ul>`
    : html`<p class="muted">No findings on the last document.</p>`;
  const pauseOrResume = s.status === 'active' ? actionButton(`/admin/sources/${s.id}/pause`, 'Pause', ctx.csrf) : actionButton(`/admin/sources/${s.id}/resume`, 'Resume', ctx.csrf);
  const body = html`<p><a href="/admin/sources">← Sources</a></p>
<h1>${s.title || s.slug} ${badge(s.health)}</h1>
${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
<div class="actions">${pauseOrResume}${actionButton(`/admin/sources/${s.id}/refresh`, 'Refresh now', ctx.csrf)}<a class="button secondary" href="/admin/sources/${s.id}/delete">Delete…</a><a class="button secondary" href="/feeds/sources/${encodeURIComponent(s.slug)}">Public page</a></div>
<dl class="facts"><dt>Feed URL</dt><dd class="mono">${s.url}</dd>
${site ? html`<dt>Web site</dt><dd><a href="${site}">${site}</a></dd>` : ''}
<dt>Slug</dt><dd class="mono">${s.slug}</dd>
<dt>Status</dt><dd>${s.status}${s.statusReason ? ` (${s.statusReason})` : ''}</dd>
<dt>Last fetch</dt><dd>${when(s.lastFetchedAt, ctx.now)}</dd>
<dt>Last new content</dt><dd>${when(s.lastSuccessAt, ctx.now)}</dd>
<dt>Next fetch</dt><dd>${s.status === 'active' ? when(s.nextFetchAt, ctx.now) : '—'}</dd>
<dt>Errors in a row</dt><dd>${s.errorCount}${s.lastError ? html` — <span class="wrap">${s.lastError}</span>` : ''}</dd>
<dt>Interval</dt><dd>${s.minIntervalS} s – ${s.maxIntervalS} s</dd>
<dt>Categories</dt><dd>${s.categories.join(', ') || '—'}</dd>
<dt>Articles</dt><dd>${s.figures.articles}</dd></dl>
<section aria-labelledby="h-lint"><h2 id="h-lint">Lint findings</h2>${lint}</section>
<section aria-labelledby="h-log"><h2 id="h-log">Fetch log</h2>${fetchLogTable(ctx, log)}</section>
<section aria-labelledby="h-articles"><h2 id="h-articles">Articles</h2>${articleTable(ctx, articles, 'Articles of this source')}</section>`;
  return page(ctx, 'sources', s.title || s.slug, body);
}

export interface AddSourceForm {
  url: string;
  slug?: string;
  title?: string;
  categories?: string;
}

export function addSourcePage(ctx: PageContext, form: AddSourceForm, found: SourceDiscovery | undefined, error?: string): string {
  let result: Html = html``;
  if (found) {
    const what =
      found.kind === 'page'
        ? html`<p><strong>${found.requested}</strong> is a web page. It links ${found.candidates.length} feed${found.candidates.length === 1 ? '' : 's'}; the best one will be added:</p>
<ul>${found.candidates.map((c, i) => html`<li>${i === 0 ? html`<strong class="mono">${c.url}</strong>` : html`<span class="mono">${c.url}</span>`} <span class="muted">${c.type}${c.title ? ` — ${c.title}` : ''}</span></li>`)}</ul>`
        : found.kind === 'feed'
          ? html`<p><strong class="mono">${found.feedUrl}</strong> answers with a feed.</p>`
          : html`<p class="error">Could not reach <span class="mono">${found.requested}</span> now (${found.error ?? 'no answer'}). You can add it anyway: the fetch log will say why it fails.</p>`;
    result = html`<section aria-labelledby="h-found"><h2 id="h-found">Discovery result</h2>${what}
${found.existingSlug ? html`<p class="error">This feed is already a source: <a href="/admin/sources/${found.existingSlug}">${found.existingSlug}</a>.</p>` : ''}</section>`;
  }
  const canSave = found && !found.existingSlug;
  const body = html`<p><a href="/admin/sources">← Sources</a></p><h1>Add a source</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="get" action="/admin/sources/new" class="filters"><div><label for="url">Feed or web page URL</label><input id="url" name="url" type="url" required value="${form.url}" size="50"></div><button type="submit" class="secondary">Check again</button></form>
${result}
${canSave
  ? html`<form method="post" action="/admin/sources">${csrfField(ctx.csrf)}<input type="hidden" name="url" value="${found.feedUrl}">
<fieldset><legend>Details (optional)</legend>
<label for="title">Title <span class="hint">default: the feed's own title</span></label><input id="title" name="title" type="text" value="${form.title ?? ''}">
<label for="slug">Slug <span class="hint">URL name; default: from the title or host</span></label><input id="slug" name="slug" type="text" value="${form.slug ?? ''}">
<label for="categories">Categories <span class="hint">comma-separated</span></label><input id="categories" name="categories" type="text" value="${form.categories ?? ''}">
</fieldset><button type="submit">Add source</button></form>`
  : ''}`;
  return page(ctx, 'sources', 'Add a source', body);
}

export function deleteSourcePage(ctx: PageContext, s: SourceRow): string {
  const body = html`<p><a href="/admin/sources/${s.id}">← ${s.title || s.slug}</a></p><h1>Delete ${s.title || s.slug}?</h1>
<p>This removes the source <span class="mono">${s.slug}</span> with its ${s.figures.articles} articles and its fetch log. Feeds stop listing them; it cannot be undone (a backup can).</p>
<div class="actions">${actionButton(`/admin/sources/${s.id}/delete`, 'Delete source and articles', ctx.csrf, { danger: true })}<a class="button secondary" href="/admin/sources/${s.id}">Cancel</a></div>`;
  return page(ctx, 'sources', `Delete ${s.title || s.slug}`, body);
}
