// Channels: the list, and one form for create and edit with a preview of what the filter
// selects and the URLs to subscribe to. "Preview" re-submits the form with GET (no script
// needed); "Save" posts it.
import type { Article, Channel, FeedFormat, Source } from '../../model/types.js';
import { articleTable } from './articles-view.js';
import { csrfField, html, page, tableRegion, Html, type PageContext, actionButton } from './html.js';

export interface ChannelForm {
  slug: string;
  title: string;
  description: string;
  sourceIds: number[];
  categories: string;
  query: string;
  defaultLimit: string;
}

export function channelFormOf(c: Channel): ChannelForm {
  return {
    slug: c.slug,
    title: c.title,
    description: c.description ?? '',
    sourceIds: c.filter.sourceIds ?? [],
    categories: (c.filter.categories ?? []).join(', '),
    query: c.filter.query ?? '',
    defaultLimit: String(c.defaultLimit),
  };
}

const FORMATS: { format: FeedFormat; label: string }[] = [
  { format: 'rss', label: 'RSS 2.0' },
  { format: 'atom', label: 'Atom 1.0' },
  { format: 'json', label: 'JSON Feed 1.1' },
];

function subscribeUrls(origin: string, slug: string): Html {
  if (!slug) return html`<p class="muted">Give the channel a slug to see its URLs.</p>`;
  const base = `${origin}/feeds/${encodeURIComponent(slug)}`;
  return html`<ul>${FORMATS.map((f) => html`<li>${f.label}: <a class="mono wrap" href="${base}.${f.format}">${base}.${f.format}</a></li>`)}<li>Web page: <a class="mono wrap" href="${base}">${base}</a></li></ul>`;
}

export function channelsPage(ctx: PageContext, channels: Channel[], sources: Source[], origin: string, notice?: string): string {
  const names = new Map(sources.map((s) => [s.id, s.title || s.slug]));
  const filterText = (c: Channel) =>
    [
      c.filter.sourceIds?.length ? `sources: ${c.filter.sourceIds.map((id) => names.get(id) ?? `#${id}`).join(', ')}` : 'all sources',
      c.filter.categories?.length ? `categories: ${c.filter.categories.join(', ')}` : '',
      c.filter.query ? `text: ${c.filter.query}` : '',
    ]
      .filter(Boolean)
      .join(' · ');
  const body = html`<h1>Channels</h1>
${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
<p class="actions"><a class="button" href="/admin/channels/new">New channel</a></p>
${channels.length
  ? tableRegion(
      'Channels',
      html`<table><thead><tr><th scope="col">Channel</th><th scope="col">Filter</th><th scope="col">Feeds</th></tr></thead><tbody>${channels.map(
        (c) => html`<tr><td><a href="/admin/channels/${c.slug}">${c.title}</a><br><span class="muted mono">${c.slug}</span></td><td>${filterText(c)}</td><td><a href="${origin}/feeds/${c.slug}.rss">RSS</a> · <a href="${origin}/feeds/${c.slug}.atom">Atom</a> · <a href="${origin}/feeds/${c.slug}.json">JSON</a></td></tr>`,
      )}</tbody></table>`,
    )
  : html`<p class="muted">No channels yet. Every installation has <a href="${origin}/feeds/all">all</a>.</p>`}`;
  return page(ctx, 'channels', 'Channels', body);
}

export interface ChannelEditInput {
  mode: 'create' | 'edit';
  form: ChannelForm;
  sources: Source[];
  preview?: Article[];
  previewError?: string;
  error?: string;
  notice?: string;
  origin: string;
}

export function channelEditPage(ctx: PageContext, input: ChannelEditInput): string {
  const { form, mode } = input;
  const action = mode === 'create' ? '/admin/channels' : `/admin/channels/${encodeURIComponent(form.slug)}`;
  const checks = input.sources.map(
    (s) => html`<label><input type="checkbox" name="sources" value="${s.id}"${form.sourceIds.includes(s.id) ? html` checked` : ''}> ${s.title || s.slug}</label>`,
  );
  const title = mode === 'create' ? 'New channel' : `Channel ${form.title}`;
  const preview = input.previewError
    ? html`<p class="error" role="alert">${input.previewError}</p>`
    : input.preview
      ? html`<p class="muted">The newest ${input.preview.length} live article${input.preview.length === 1 ? '' : 's'} this filter selects:</p>${articleTable(ctx, input.preview, 'Preview of the channel')}`
      : html``;
  const body = html`<p><a href="/admin/channels">← Channels</a></p><h1>${title}</h1>
${input.notice ? html`<p class="notice" role="status">${input.notice}</p>` : ''}
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ''}
<form method="post" action="${action}">${csrfField(ctx.csrf)}<input type="hidden" name="mode" value="${mode}">
<fieldset><legend>Channel</legend>
${mode === 'create' ? html`<label for="slug">Slug <span class="hint">the URL name: /feeds/&lt;slug&gt;.rss</span></label><input id="slug" name="slug" type="text" required value="${form.slug}">` : html`<input type="hidden" name="slug" value="${form.slug}">`}
<label for="title">Title</label><input id="title" name="title" type="text" required value="${form.title}">
<label for="description">Description</label><input id="description" name="description" type="text" value="${form.description}">
<label for="defaultLimit">Items per feed <span class="hint">1–500</span></label><input id="defaultLimit" name="defaultLimit" type="number" min="1" max="500" value="${form.defaultLimit}">
</fieldset>
<fieldset><legend>Filter <span class="hint">(empty parts match everything)</span></legend>
<p class="hint">Sources</p><div class="checks">${checks.length ? checks : html`<span class="muted">No sources yet.</span>`}</div>
<label for="categories">Categories <span class="hint">comma-separated; any of them matches</span></label><input id="categories" name="categories" type="text" value="${form.categories}">
<label for="query">Full-text query <span class="hint">words are AND-ed; word* is a prefix</span></label><input id="query" name="query" type="text" value="${form.query}">
</fieldset>
<div class="actions"><button type="submit" formaction="/admin/channels/preview" class="secondary">Preview</button><button type="submit">${mode === 'create' ? 'Create channel' : 'Save changes'}</button></div>
</form>
<section aria-labelledby="h-preview"><h2 id="h-preview">Preview</h2>${preview}</section>
<section aria-labelledby="h-subscribe"><h2 id="h-subscribe">Subscribe URLs</h2>${subscribeUrls(input.origin, form.slug)}</section>
${mode === 'edit' ? html`<section aria-labelledby="h-danger"><h2 id="h-danger">Remove</h2><p>Removing the channel keeps its articles.</p>${actionButton(`/admin/channels/${encodeURIComponent(form.slug)}/delete`, 'Remove channel', ctx.csrf, { danger: true })}</section>` : ''}`;
  return page(ctx, 'channels', title, body);
}
