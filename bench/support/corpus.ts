// Generated feed documents for the benchmarks: RSS 2.0 (some with Media RSS), Atom 1.0,
// JSON Feed 1.1 and RSS 1.0, HTML bodies with images and figures, some encoded windows-1252.
// Deterministic for a given seed; returned as bytes, as a fetch would hand them over.
import iconv from 'iconv-lite';
import { prng } from './stats.js';

export type FeedFormat = 'rss2' | 'rss2-media' | 'atom' | 'json' | 'rss1';
export const FORMATS: FeedFormat[] = ['rss2', 'rss2-media', 'atom', 'json', 'rss1'];

export interface FeedSpec {
  /** Distinguishes feeds (URLs, ids). */
  key: string;
  format: FeedFormat;
  items: number;
  /** Items' version: a different version changes every item's text (an update). */
  version?: number;
  /** First item number (items are numbered newest first from here down). */
  firstItem?: number;
  windows1252?: boolean;
  /** Paragraphs per body (default 3). */
  paragraphs?: number;
  seed?: number;
  siteUrl?: string;
}

export interface GeneratedFeed {
  bytes: Buffer;
  contentType: string;
  items: number;
  format: FeedFormat;
}

const WORDS = (
  'climate summit election market harbour energy football science health budget court storm museum railway vaccine ' +
  'satellite festival drought merger strike ceasefire glacier startup orchestra tariff wildfire parliament telescope harvest protest'
).split(' ');
const ACCENTED = ['café', 'naïve', 'résumé', 'Zürich', 'São Paulo', 'Málaga', '“quoted”', 'it’s', '— dash —', '€5'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function body(rnd: () => number, n: number, site: string, paragraphs: number, accents: boolean): string {
  const w = () => WORDS[Math.floor(rnd() * WORDS.length)]!;
  const sentence = () => {
    const len = 8 + Math.floor(rnd() * 14);
    const out: string[] = [];
    for (let i = 0; i < len; i++) out.push(accents && rnd() < 0.05 ? ACCENTED[Math.floor(rnd() * ACCENTED.length)]! : w());
    return out.join(' ');
  };
  const parts: string[] = [];
  parts.push(`<figure class="lead"><img src="${site}/img/${n}-lead.jpg" alt="${w()} ${w()}" width="1200" height="800" loading="lazy" style="max-width:100%"><figcaption>${sentence()} <span class="credit">Photo: Staff</span></figcaption></figure>`);
  for (let p = 0; p < paragraphs; p++) {
    parts.push(`<p>${sentence()}. <a href="/story/${n}-${p}" class="inline" onclick="track()">${w()} ${w()}</a> ${sentence()}, <em>${w()}</em> <strong>${w()}</strong>.</p>`);
    if (p === 1 && rnd() < 0.5) parts.push(`<blockquote><p>${sentence()}</p></blockquote>`);
    if (p === 1 && rnd() < 0.3) parts.push(`<ul><li>${sentence()}</li><li>${sentence()}</li></ul>`);
  }
  if (rnd() < 0.3) parts.push(`<p><img src="https://pixel.wp.com/g.gif?blog=${n}" width="1" height="1"></p>`);
  if (rnd() < 0.2) parts.push('<script>alert(1)</script>');
  return parts.join('\n');
}

/** One feed document as bytes. */
export function generateFeed(spec: FeedSpec): GeneratedFeed {
  const rnd = prng((spec.seed ?? 1) * 7919 + spec.key.length * 31 + [...spec.key].reduce((a, c) => a + c.charCodeAt(0), 0));
  const site = spec.siteUrl ?? `https://${spec.key}.example.com`;
  const version = spec.version ?? 1;
  const first = spec.firstItem ?? spec.items;
  const paragraphs = spec.paragraphs ?? 3;
  const accents = !!spec.windows1252 || rnd() < 0.3;
  const base = Date.UTC(2025, 4, 1);
  const items = Array.from({ length: spec.items }, (_, i) => {
    const n = first - i;
    const w = () => WORDS[Math.floor(rnd() * WORDS.length)]!;
    return {
      n,
      id: `${site}/story/${n}`,
      title: `${w()} ${w()} ${w()} ${accents ? ACCENTED[n % ACCENTED.length] : ''} (${n}) v${version}`,
      summary: `${w()} and ${w()} in brief, item ${n}.`,
      html: body(rnd, n, site, paragraphs, accents) + (version > 1 ? `<p>Updated, version ${version}.</p>` : ''),
      date: new Date(base + n * 600_000),
      cat: w(),
      author: `Reporter ${n % 13}`,
    };
  });
  const title = `Feed ${spec.key}`;
  let text: string;
  let contentType: string;
  switch (spec.format) {
    case 'json': {
      contentType = 'application/feed+json';
      text = JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1',
        title,
        home_page_url: site,
        feed_url: `${site}/feed.json`,
        items: items.map((it) => ({
          id: it.id,
          url: it.id,
          title: it.title,
          summary: it.summary,
          content_html: it.html,
          date_published: it.date.toISOString(),
          authors: [{ name: it.author }],
          tags: [it.cat],
          image: `${site}/img/${it.n}-lead.jpg`,
        })),
      });
      break;
    }
    case 'atom': {
      contentType = 'application/atom+xml';
      text =
        `<?xml version="1.0" encoding="${spec.windows1252 ? 'windows-1252' : 'utf-8'}"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n<title>${esc(title)}</title><id>${site}/</id><link href="${site}/"/><updated>${items[0]?.date.toISOString() ?? new Date(base).toISOString()}</updated>\n` +
        items
          .map(
            (it) =>
              `<entry><id>${it.id}</id><title>${esc(it.title)}</title><link href="${it.id}"/><published>${it.date.toISOString()}</published><updated>${it.date.toISOString()}</updated><author><name>${it.author}</name></author><author><name>Desk</name></author><category term="${it.cat}"/><summary>${esc(it.summary)}</summary><content type="html">${esc(it.html)}</content></entry>`,
          )
          .join('\n') +
        '\n</feed>\n';
      break;
    }
    case 'rss1': {
      contentType = 'application/rdf+xml';
      text =
        `<?xml version="1.0" encoding="${spec.windows1252 ? 'windows-1252' : 'utf-8'}"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">\n<channel rdf:about="${site}/"><title>${esc(title)}</title><link>${site}/</link><description>RSS 1.0 feed</description><items><rdf:Seq>${items.map((it) => `<rdf:li rdf:resource="${it.id}"/>`).join('')}</rdf:Seq></items></channel>\n` +
        items
          .map(
            (it) =>
              `<item rdf:about="${it.id}"><title>${esc(it.title)}</title><link>${it.id}</link><description>${esc(it.summary)}</description><content:encoded>${esc(it.html)}</content:encoded><dc:date>${it.date.toISOString()}</dc:date><dc:creator>${it.author}</dc:creator><dc:subject>${it.cat}</dc:subject></item>`,
          )
          .join('\n') +
        '\n</rdf:RDF>\n';
      break;
    }
    default: {
      const media = spec.format === 'rss2-media';
      contentType = 'application/rss+xml';
      text =
        `<?xml version="1.0" encoding="${spec.windows1252 ? 'windows-1252' : 'utf-8'}"?>\n<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"${media ? ' xmlns:media="http://search.yahoo.com/mrss/"' : ''}>\n<channel><title>${esc(title)}</title><link>${site}/</link><description>Generated feed</description><language>en</language><ttl>15</ttl>\n` +
        items
          .map(
            (it) =>
              `<item><title>${esc(it.title)}</title><link>${it.id}</link><guid isPermaLink="true">${it.id}</guid><pubDate>${it.date.toUTCString()}</pubDate><dc:creator>${it.author}</dc:creator><category>${it.cat}</category><description>${esc(it.summary)}</description><content:encoded><![CDATA[${it.html}]]></content:encoded>` +
              (media
                ? `<media:content url="${site}/img/${it.n}-lead.jpg" medium="image" type="image/jpeg" width="1200" height="800"><media:title>${esc(it.title)}</media:title><media:description>Caption for ${it.n}</media:description><media:credit role="photographer">Staff Photographer</media:credit><media:copyright>© Example</media:copyright></media:content>`
                : `<enclosure url="${site}/img/${it.n}-lead.jpg" type="image/jpeg" length="123456"/>`) +
              '</item>',
          )
          .join('\n') +
        '\n</channel></rss>\n';
    }
  }
  const bytes = spec.windows1252 && spec.format !== 'json' ? iconv.encode(text, 'windows-1252') : Buffer.from(text, 'utf8');
  return { bytes, contentType: spec.windows1252 && spec.format !== 'json' ? `${contentType}; charset=windows-1252` : `${contentType}; charset=utf-8`, items: spec.items, format: spec.format };
}

/** A corpus of `count` varied feeds (10–50 items; one in eight windows-1252). */
export function generateCorpus(count: number, seed = 1): (GeneratedFeed & { key: string })[] {
  const rnd = prng(seed);
  return Array.from({ length: count }, (_, i) => {
    const format = FORMATS[i % FORMATS.length]!;
    const key = `feed${i}`;
    const items = 10 + Math.floor(rnd() * 41);
    return { key, ...generateFeed({ key, format, items, windows1252: format !== 'json' && i % 8 === 3, seed }) };
  });
}

const ITEM_SPAN = /<(item|entry)\b[\s\S]*?<\/\1>/g;

/**
 * The same feeds fetched again with every `changedEvery`-th item updated (its text marked
 * version 2) and the rest byte-identical: the realistic re-fetch of a feed that moved a little.
 */
export function generateRefetchCorpus(count: number, seed = 1, changedEvery = 10): { first: (GeneratedFeed & { key: string })[]; again: (GeneratedFeed & { key: string })[] } {
  const first = generateCorpus(count, seed);
  const again = first.map((f) => {
    const spec = { key: f.key, format: f.format, items: f.items, windows1252: f.contentType.includes('windows-1252'), seed };
    const v2 = generateFeed({ ...spec, version: 2 });
    const decode = (b: Buffer) => (spec.windows1252 ? iconv.decode(b, 'windows-1252') : b.toString('utf8'));
    let text: string;
    if (f.format === 'json') {
      const a = JSON.parse(decode(f.bytes)) as { items: unknown[] };
      const b = JSON.parse(decode(v2.bytes)) as { items: unknown[] };
      text = JSON.stringify({ ...a, items: a.items.map((it, i) => (i % changedEvery === 0 ? b.items[i] : it)) });
    } else {
      const changed = [...decode(v2.bytes).matchAll(ITEM_SPAN)].map((m) => m[0]);
      let i = 0;
      text = decode(f.bytes).replace(ITEM_SPAN, (whole) => (i++ % changedEvery === 0 ? changed[i - 1]! : whole));
    }
    const bytes = spec.windows1252 ? iconv.encode(text, 'windows-1252') : Buffer.from(text, 'utf8');
    return { ...f, bytes };
  });
  return { first, again };
}
