// Articles: full-text search, one article with everything stored about it, withdraw.
import type { Article, Channel, Source } from '../../model/types.js';
import { actionButton, badge, html, httpUrl, page, tableRegion, when, Html, type PageContext } from './html.js';

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

export function articlePage(ctx: PageContext, a: Article, notice?: string): string {
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
${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
${a.status !== 'canceled' ? html`<div class="actions">${actionButton(`/admin/articles/${a.id}/withdraw`, 'Withdraw from every feed', ctx.csrf, { danger: true })}</div>` : ''}
<dl class="facts">
<dt>Source</dt><dd><a href="/admin/sources/${a.sourceId}">${a.source.title}</a></dd>
${link ? html`<dt>Link</dt><dd><a href="${link}" class="wrap">${link}</a></dd>` : ''}
<dt>Identity</dt><dd class="mono wrap">${a.identityKind}: ${a.identityKey}</dd>
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
<section aria-labelledby="h-assets"><h2 id="h-assets">Assets</h2>${assets}</section>`;
  return page(ctx, 'articles', a.title || `Article ${a.id}`, body);
}
