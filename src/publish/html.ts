// Human pages: the index (every channel and source with subscribe links) and a channel or
// source page (recent articles). Pure string building; every value is escaped, URLs are
// limited to http(s), no scripts and no external assets, so a page works with JS disabled.
import type { Article, AssetInput, Channel, FeedFormat, Source } from '../model/types.js';
import { escapeHtml } from '../html-escape.js';
import { displayTitle } from './field-values.js';

const FORMATS: { format: FeedFormat; label: string; type: string }[] = [
  { format: 'rss', label: 'RSS 2.0', type: 'application/rss+xml' },
  { format: 'atom', label: 'Atom 1.0', type: 'application/atom+xml' },
  { format: 'json', label: 'JSON Feed 1.1', type: 'application/feed+json' },
];

/** An http(s) URL, or undefined: javascript:, data: and relative junk never reach an href. */
export function httpUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

function formatDate(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const STYLE = `
:root{color-scheme:light dark;--fg:#1b1b1b;--muted:#5a5a5a;--bg:#fff;--line:#ddd;--accent:#0b57d0}
@media (prefers-color-scheme:dark){:root{--fg:#eee;--muted:#b0b0b0;--bg:#151515;--line:#333;--accent:#8ab4f8}}
body{font:16px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:52rem;padding:1rem}
a{color:var(--accent)}h1{font-size:1.8rem;margin:.5rem 0}h2{font-size:1.25rem;margin:1.5rem 0 .25rem}
.muted,.meta,.rights{color:var(--muted);font-size:.9rem}
ul.feeds{list-style:none;padding:0;margin:.25rem 0}ul.feeds li{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap;margin:.15rem 0}
ul.feeds a{min-width:7.5rem}
input.url{flex:1;min-width:12rem;font:.85rem ui-monospace,monospace;padding:.2rem;border:1px solid var(--line);background:transparent;color:inherit}
section,article{border-top:1px solid var(--line);padding:.5rem 0}
figure{margin:.5rem 0}img{max-width:100%;height:auto}figcaption{font-size:.9rem;color:var(--muted)}
form.search{display:flex;gap:.5rem;margin:1rem 0}form.search input{flex:1;font:inherit;padding:.3rem;border:1px solid var(--line);background:transparent;color:inherit}
form.search button{font:inherit;padding:.3rem .8rem}nav.pager{display:flex;gap:1.5rem;padding:1rem 0;border-top:1px solid var(--line)}
`;

function layout(opts: { title: string; alternates: { type: string; title: string; href: string }[]; body: string }): string {
  const links = opts.alternates
    .map((a) => `<link rel="alternate" type="${escapeHtml(a.type)}" title="${escapeHtml(a.title)}" href="${escapeHtml(a.href)}">`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(opts.title)}</title>
<link rel="icon" href="data:,">
${links}
<style>${STYLE}</style>
</head>
<body>
${opts.body}
</body>
</html>
`;
}

function feedUrlsFor(baseUrl: string, path: string): Record<FeedFormat, string> {
  return { rss: `${baseUrl}${path}.rss`, atom: `${baseUrl}${path}.atom`, json: `${baseUrl}${path}.json` };
}

function alternatesFor(title: string, urls: Record<FeedFormat, string>) {
  return FORMATS.map((f) => ({ type: f.type, title: `${title} (${f.label})`, href: urls[f.format] }));
}

/** One line per format: a link and the URL as selectable text to paste into a reader. */
function subscribeList(title: string, urls: Record<FeedFormat, string>): string {
  const rows = FORMATS.map((f) => {
    const href = escapeHtml(urls[f.format]);
    const label = escapeHtml(`${f.label} feed URL for ${title}`);
    return `<li><a href="${href}" type="${f.type}">${f.label}</a><input class="url" type="text" readonly value="${href}" aria-label="${label}"></li>`;
  });
  return `<ul class="feeds">${rows.join('')}</ul>`;
}

export interface IndexPageInput {
  channels: Channel[];
  sources: Source[];
  /** Origin the feed URLs are built on, without a trailing slash. */
  baseUrl: string;
}

export function renderIndexPage(input: IndexPageInput): string {
  const { baseUrl } = input;
  const alternates: { type: string; title: string; href: string }[] = [];
  const channelBlocks = input.channels.map((c) => {
    const path = `/feeds/${encodeURIComponent(c.slug)}`;
    const urls = feedUrlsFor(baseUrl, path);
    alternates.push(...alternatesFor(c.title, urls));
    const desc = c.description ? `<p>${escapeHtml(c.description)}</p>` : '';
    return `<section><h3><a href="${escapeHtml(baseUrl + path)}">${escapeHtml(c.title)}</a></h3>${desc}${subscribeList(c.title, urls)}</section>`;
  });
  const sourceBlocks = input.sources.map((s) => {
    const title = s.title || s.slug;
    const path = `/feeds/sources/${encodeURIComponent(s.slug)}`;
    const urls = feedUrlsFor(baseUrl, path);
    alternates.push(...alternatesFor(title, urls));
    const site = httpUrl(s.siteUrl);
    const siteLink = site ? ` · <a href="${escapeHtml(site)}">web site</a>` : '';
    const status = s.status !== 'active' ? ` · ${escapeHtml(s.status)}` : '';
    return `<section><h3><a href="${escapeHtml(baseUrl + path)}">${escapeHtml(title)}</a></h3><p class="meta">${escapeHtml(s.slug)}${siteLink}${status}</p>${subscribeList(title, urls)}</section>`;
  });
  const body = `<header><h1>wirefeed</h1><p class="muted">Normalized feeds in RSS 2.0, Atom 1.0 and JSON Feed 1.1. Copy a feed URL into your reader to subscribe.</p></header>
<main>
<h2 id="channels">Channels</h2>
${channelBlocks.join('\n')}
<h2 id="sources">Sources</h2>
${sourceBlocks.length ? sourceBlocks.join('\n') : '<p class="muted">No sources yet.</p>'}
</main>`;
  return layout({ title: 'wirefeed', alternates, body });
}

function primaryImage(a: Article): AssetInput | undefined {
  return a.assets.find((x) => x.medium === 'image' || (x.mimeType?.startsWith('image/') ?? false));
}

function figure(a: Article): string {
  const img = primaryImage(a);
  const src = httpUrl(img?.url);
  if (!img || !src) return '';
  const alt = img.title || img.caption || displayTitle(a);
  const size = img.width && img.height ? ` width="${img.width}" height="${img.height}"` : '';
  const credit = img.credit ? (img.creditRole ? `${img.credit} (${img.creditRole})` : img.credit) : '';
  const caption = [img.caption, credit].filter(Boolean).join(' — ');
  const rights = img.rights ? `<br><small>${escapeHtml(img.rights)}</small>` : '';
  const figcaption = caption || rights ? `<figcaption>${escapeHtml(caption)}${rights}</figcaption>` : '';
  return `<figure><img src="${escapeHtml(src)}" alt="${escapeHtml(alt)}"${size} loading="lazy">${figcaption}</figure>`;
}

function articleBlock(a: Article): string {
  const href = httpUrl(a.url);
  const heading = displayTitle(a) || 'Untitled';
  const title = href ? `<a href="${escapeHtml(href)}">${escapeHtml(heading)}</a>` : escapeHtml(heading);
  const when = a.publishedAt ?? a.firstSeenAt;
  const time = when ? `<time datetime="${escapeHtml(when)}">${escapeHtml(formatDate(when))}</time>` : '';
  const site = httpUrl(a.source.siteUrl);
  const source = site ? `<a href="${escapeHtml(site)}">${escapeHtml(a.source.title)}</a>` : escapeHtml(a.source.title);
  const authors = a.authors.length ? ` · ${escapeHtml(a.authors.map((x) => x.name).join(', '))}` : '';
  const summary = a.summary ? `<p>${escapeHtml(a.summary)}</p>` : '';
  const rights = a.rights ? `<p class="rights">${escapeHtml(a.rights)}</p>` : '';
  return `<article><h2>${title}</h2><p class="meta">${time} · ${source}${authors}</p>${figure(a)}${summary}${rights}</article>`;
}

export interface ChannelPageInput {
  title: string;
  description?: string;
  items: Article[];
  feedUrls: Record<FeedFormat, string>;
  /** Origin of this service, for the link back to the index. */
  baseUrl: string;
  /** Absolute URL of this page without a query: the search form and the pager link to it. */
  pagePath?: string;
  /** The page's query: the search box shows `q`; the pager keeps `q`, `category` and `limit`. */
  query?: { q?: string; category?: string; limit?: number; page?: number };
  /** Whether older articles exist beyond this page. */
  hasOlder?: boolean;
}

function pageHref(path: string, q: NonNullable<ChannelPageInput['query']>, page: number): string {
  const p = new URLSearchParams();
  if (q.q) p.set('q', q.q);
  if (q.category) p.set('category', q.category);
  if (q.limit) p.set('limit', String(q.limit));
  if (page > 1) p.set('page', String(page));
  const s = p.toString();
  return s ? `${path}?${s}` : path;
}

/** A GET form: works without scripts; `limit` and `category` ride along. */
function searchForm(path: string, title: string, q: NonNullable<ChannelPageInput['query']>): string {
  const hidden = [q.category ? ['category', q.category] : undefined, q.limit ? ['limit', String(q.limit)] : undefined]
    .filter((x): x is string[] => !!x)
    .map(([k, v]) => `<input type="hidden" name="${k}" value="${escapeHtml(v!)}">`)
    .join('');
  return `<form class="search" method="get" action="${escapeHtml(path)}" role="search"><input type="search" name="q" value="${escapeHtml(q.q ?? '')}" placeholder="Search ${escapeHtml(title)}" aria-label="Search ${escapeHtml(title)}">${hidden}<button type="submit">Search</button></form>`;
}

function pager(path: string, q: NonNullable<ChannelPageInput['query']>, hasOlder: boolean): string {
  const page = q.page ?? 1;
  const links = [
    page > 1 ? `<a rel="prev" href="${escapeHtml(pageHref(path, q, page - 1))}">← Newer</a>` : '',
    hasOlder ? `<a rel="next" href="${escapeHtml(pageHref(path, q, page + 1))}">Older →</a>` : '',
  ].filter(Boolean);
  return links.length ? `<nav class="pager" aria-label="Pages">${links.join(' ')}<span class="muted"> · page ${page}</span></nav>` : '';
}

export function renderChannelPage(input: ChannelPageInput): string {
  const q = input.query ?? {};
  const empty = q.q ? `<p class="muted">No articles match “${escapeHtml(q.q)}”.</p>` : '<p class="muted">No articles yet.</p>';
  const items = input.items.length ? input.items.map(articleBlock).join('\n') : empty;
  const desc = input.description ? `<p>${escapeHtml(input.description)}</p>` : '';
  const search = input.pagePath ? searchForm(input.pagePath, input.title, q) : '';
  const nav = input.pagePath ? pager(input.pagePath, q, !!input.hasOlder) : '';
  const body = `<header><p><a href="${escapeHtml(input.baseUrl)}/">← All channels and sources</a></p><h1>${escapeHtml(input.title)}</h1>${desc}
<h2>Subscribe${q.q ? ' to this search' : ''}</h2>${subscribeList(input.title, input.feedUrls)}${search}</header>
<main>
${items}
</main>
${nav}`;
  return layout({ title: `${q.q ? `${q.q} — ` : ''}${input.title} — wirefeed`, alternates: alternatesFor(input.title, input.feedUrls), body });
}

/** A small HTML error page for the human routes. */
export function renderErrorPage(input: { status: number; message: string; baseUrl: string }): string {
  const body = `<h1>${input.status}</h1><p>${escapeHtml(input.message)}</p><p><a href="${escapeHtml(input.baseUrl)}/">Back to the index</a></p>`;
  return layout({ title: `${input.status} — wirefeed`, alternates: [], body });
}
