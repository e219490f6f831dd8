// Articles: full-text search, one article with everything stored about it, its revisions, and
// the lifecycle actions its state allows (services/lifecycle.ts decides; a refused one is shown).
import type { Article, Channel, Source } from '../../model/types.js';
import type { RevisionView } from '../../services/lifecycle.js';
import { badge, csrfField, html, httpUrl, page, tableRegion, when, Html, type PageContext } from './html.js';

export function articleTable(ctx: PageContext, articles: Article[], label: string): Html {
  if (!articles.length) return html`<p class="muted">No articles.</p>`;
  return tableRegion(
    label,
    html`<table><thead><tr><th scope="col">Title</th><th scope="col">Status</th><th scope="col" class="hide-narrow">Source</th><th scope="col">Published</th><th scope="col" class="num">seq</th></tr></thead><tbody>${articles.map(
      (a) => html`<tr><td><a href="/admin/articles/${a.id}">${a.title || '(untitled)'}</a></td><td>${badge(a.status)}</td><td class="hide-narrow">${a.source.title}</td><td>${when(a.publishedAt ?? a.firstSeenAt, ctx.now)}</td><td class="num">${a.seq}</td></tr>`,
    )}</tbody></table>`,
  );
}

export interface ArticleSearch {
  q?: string;
  source?: string;
  channel?: string;
}

export function articlesPage(ctx: PageContext, search: ArticleSearch, articles: Article[], sources: Source[], channels: Channel[], error?: string): string {
  const opt = (value: string, label: string, selected: string | undefined) => html`<option value="${value}"${value === (selected ?? '') ? html` selected` : ''}>${label}</option>`;
  const body = html`<h1>Articles</h1>
<form method="get" action="/admin/articles" class="filters" role="search" aria-label="Search articles">
<div><label for="q">Full text <span class="hint">words are AND-ed; word* is a prefix</span></label><input id="q" name="q" type="search" value="${search.q ?? ''}" size="30"></div>
<div><label for="source">Source</label><select id="source" name="source">${opt('', 'any', search.source)}${sources.map((s) => opt(s.slug, s.title || s.slug, search.source))}</select></div>
<div><label for="channel">Channel</label><select id="channel" name="channel">${opt('', 'any', search.channel)}${channels.map((c) => opt(c.slug, c.title, search.channel))}</select></div>
<button type="submit">Search</button></form>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
${articleTable(ctx, articles, 'Articles found')}
<p class="muted">Newest first, withdrawn ones included; at most 100.</p>`;
  return page(ctx, 'articles', search.q ? `Articles: ${search.q}` : 'Articles', body);
}

function reasonField(id: string, label: string, required = false): Html {
  return html`<label for="${id}">${label}</label><input id="${id}" name="reason" type="text" maxlength="2000"${required ? html` required` : ''}>`;
}

/** One form per action the article's state allows; the service has the last word. */
function lifecycleForms(ctx: PageContext, a: Article): Html {
  if (a.status === 'canceled') return html`<p class="muted">Killed: a kill is final. Partners received a tombstone.</p>`;
  const action = (name: string) => `/admin/articles/${a.id}/${name}`;
  const forms: Html[] = [];
  forms.push(html`<form method="post" action="${action('kill')}" class="card">${csrfField(ctx.csrf)}<h3>Kill</h3><p class="hint">Withdraws it from every feed for good; partners get a tombstone with the reason.</p>
${reasonField('kill-reason', 'Reason (sent to partners)', true)}<p><label class="checks"><input type="checkbox" name="confirm" value="yes" required> A kill cannot be undone</label></p><button type="submit" class="danger">Kill</button></form>`);
  if (a.status === 'usable')
    forms.push(html`<form method="post" action="${action('withhold')}" class="card">${csrfField(ctx.csrf)}<h3>Withhold</h3><p class="hint">Takes it out of the feeds until released.</p>${reasonField('withhold-reason', 'Reason')}<p><button type="submit" class="secondary">Withhold</button></p></form>`);
  if (a.status === 'withheld' || a.status === 'embargoed')
    forms.push(html`<form method="post" action="${action('release')}" class="card">${csrfField(ctx.csrf)}<h3>Release</h3><p class="hint">Publishes it now.</p>${reasonField('release-reason', 'Reason')}<p><button type="submit">Release</button></p></form>`);
  if (a.status === 'usable' || a.status === 'embargoed')
    forms.push(html`<form method="post" action="${action('embargo')}" class="card">${csrfField(ctx.csrf)}<h3>Embargo</h3><label for="embargo-until">Until (UTC)</label><input id="embargo-until" name="until" type="datetime-local" required>${reasonField('embargo-reason', 'Reason')}<p><button type="submit" class="secondary">Embargo</button></p></form>`);
  forms.push(html`<form method="post" action="${action('correct')}" class="card correct">${csrfField(ctx.csrf)}<h3>Correct</h3><p class="hint">A new revision with a new seq: partners receive the corrected story.</p>
<label for="correct-title">Title</label><input id="correct-title" name="title" type="text" value="${a.title}">
<label for="correct-summary">Summary</label><textarea id="correct-summary" name="summary" rows="3">${a.summary ?? ''}</textarea>
<label for="correct-rights">Rights</label><input id="correct-rights" name="rights" type="text" value="${a.rights ?? ''}">
${a.assets.map((x, i) => html`<label for="correct-caption-${i}">Caption of asset ${i + 1}</label><input id="correct-caption-${i}" name="caption${i}" type="text" value="${x.caption ?? ''}">`)}
${reasonField('correct-reason', 'Correction note (sent to partners)', true)}<p><button type="submit">Correct</button></p></form>`);
  return html`<div class="grid2">${forms}</div>`;
}

function revisionsTable(ctx: PageContext, revisions: RevisionView[]): Html {
  if (!revisions.length) return html`<p class="muted">No revisions recorded.</p>`;
  return tableRegion(
    'Revisions',
    html`<table><thead><tr><th scope="col" class="num">#</th><th scope="col">When</th><th scope="col">Status</th><th scope="col">Reason</th><th scope="col">Changes</th></tr></thead><tbody>${[...revisions]
      .reverse()
      .map((r) => html`<tr><td class="num">${r.number}</td><td>${when(r.at, ctx.now)}</td><td>${badge(r.status)}</td><td class="wrap">${r.reason ?? ''}</td><td class="wrap">${r.changes.join(', ')}</td></tr>`)}</tbody></table>`,
  );
}

export function articlePage(ctx: PageContext, a: Article, revisions: RevisionView[], opts: { notice?: string; error?: string } = {}): string {
  const notice = opts.notice;
  const link = httpUrl(a.url);
  const assets = a.assets.length
    ? html`<ul>${a.assets.map((x) => {
        const u = httpUrl(x.url);
        const facts = [x.medium, x.mimeType, x.width && x.height ? `${x.width}×${x.height}` : undefined].filter(Boolean).join(', ');
        return html`<li>${u ? html`<a href="${u}" class="mono wrap">${u}</a>` : html`<span class="mono">${x.url}</span>`} <span class="muted">${facts}</span>${x.caption ? html`<br>Caption: ${x.caption}` : ''}${x.credit ? html`<br>Credit: ${x.credit}${x.creditRole ? ` (${x.creditRole})` : ''}` : ''}${x.rights ? html`<br>Rights: ${x.rights}` : ''}</li>`;
      })}</ul>`
    : html`<p class="muted">None.</p>`;
  const body = html`<p><a href="/admin/articles">← Articles</a></p>
<h1>${a.title || '(untitled)'} ${badge(a.status)}</h1>
${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}${opts.error ? html`<p class="error" role="alert">${opts.error}</p>` : ''}
<dl class="facts">
<dt>Source</dt><dd><a href="/admin/sources/${a.sourceId}">${a.source.title}</a></dd>
${link ? html`<dt>Link</dt><dd><a href="${link}" class="wrap">${link}</a></dd>` : ''}
<dt>Identity</dt><dd class="mono wrap">${a.identityKind}: ${a.identityKey}</dd>
<dt>State</dt><dd>${a.status}${a.statusReason ? ` — ${a.statusReason}` : ''}${a.embargoedUntil ? html` (until ${when(a.embargoedUntil, ctx.now)})` : ''}</dd>
<dt>seq</dt><dd>${a.seq} <span class="muted">(partner cursor; moves on every change)</span></dd>
<dt>Published</dt><dd>${when(a.publishedAt, ctx.now)}</dd>
<dt>Updated</dt><dd>${when(a.updatedAt, ctx.now)}</dd>
<dt>First seen</dt><dd>${when(a.firstSeenAt, ctx.now)}</dd>
<dt>Last change</dt><dd>${when(a.changedAt, ctx.now)}</dd>
<dt>Authors</dt><dd>${a.authors.map((x) => x.name).join(', ') || '—'}</dd>
<dt>Categories</dt><dd>${a.categories.map((c) => c.term).join(', ') || '—'}</dd>
<dt>Rights</dt><dd>${a.rights ?? '—'}</dd>
<dt>Content hash</dt><dd class="mono wrap">${a.contentHash}</dd></dl>
<section aria-labelledby="h-summary"><h2 id="h-summary">Summary</h2><p>${a.summary ?? html`<span class="muted">none</span>`}</p></section>
<section aria-labelledby="h-body"><h2 id="h-body">Body <span class="hint">(sanitized at ingest)</span></h2><div class="body-preview">${a.contentHtml ? new Html(a.contentHtml) : html`<p class="muted">none</p>`}</div></section>
<section aria-labelledby="h-assets"><h2 id="h-assets">Assets</h2>${assets}</section>
<section aria-labelledby="h-revisions"><h2 id="h-revisions">Revisions</h2>${revisionsTable(ctx, revisions)}</section>
<section aria-labelledby="h-actions"><h2 id="h-actions">Actions</h2>${lifecycleForms(ctx, a)}</section>`;
  return page(ctx, 'articles', a.title || `Article ${a.id}`, body);
}
