// The one URL policy (src/ingest/urls.ts): unit tables for the policy itself, then a table of
// hostile spellings put into every URL field of every input format, processed for real and
// rendered in all three outputs, asserting on every URL the outputs carry.
import assert from 'node:assert/strict';
import { createUrlPolicy, isUriString, MAX_URL_CHARS, toUriString } from '../src/ingest/urls.js';
import type { FeedFormat } from '../src/model/types.js';
import { readers, type ReadFeed } from './fixtures/publish/read-back.js';
import { ingestAndRender, OUTPUT_FORMATS } from './support/pipeline.js';
import { feedparserReadAll, jingAtom, skipIfMissing, validateJsonFeed11, xmllintOk } from './support/validators.js';

const BASE = 'https://news.example.org/section/feed.xml';

describe('URL resolution (urls.ts resolve: exactly what the WHATWG parser gives)', () => {
  const policy = createUrlPolicy();
  const absoluteUrl = policy.resolve;
  const resolveWithoutParsing = policy.resolveWithoutParsing;
  // [value, base, expected]: the fast path must give exactly what the WHATWG parser gives.
  const CASES: [string, string | undefined, string | undefined][] = [
    ['https://cdn.example.org/i/a.jpg?w=2&h=1#top', BASE, 'https://cdn.example.org/i/a.jpg?w=2&h=1#top'],
    ['/story/1-2', BASE, 'https://news.example.org/story/1-2'],
    ['/story/1-2', 'https://u:p@h.example.org:8443/a/b?q#f', 'https://u:p@h.example.org:8443/story/1-2'],
    ['a.jpg', BASE, 'https://news.example.org/section/a.jpg'],
    ['../x.png', BASE, 'https://news.example.org/x.png'],
    ['//cdn.example.org/z.jpg', BASE, 'https://cdn.example.org/z.jpg'],
    ['HTTPS://Example.COM/A', BASE, 'https://example.com/A'],
    ['http://x.org', BASE, 'http://x.org/'],
    ['http://x.org:80/p', BASE, 'http://x.org/p'],
    ['https://x.org/a/../b', BASE, 'https://x.org/b'],
    ['https://x.org/a/%2e%2E/b', BASE, 'https://x.org/b'],
    ['/a/./b/..', BASE, 'https://news.example.org/a/'],
    ['https://x.org/a b', BASE, 'https://x.org/a%20b'],
    ["https://x.org/p?q='1'", BASE, 'https://x.org/p?q=%271%27'],
    ['https://bücher.de/', BASE, 'https://xn--bcher-kva.de/'],
    ['http://0x7f.1/', BASE, 'http://127.0.0.1/'],
    ['/a\\b', BASE, 'https://news.example.org/a/b'],
    ['javascript:alert(1)', BASE, 'javascript:alert(1)'],
    ['JavaScript:alert(1)', BASE, 'javascript:alert(1)'],
    ['java\tscript:alert(1)', BASE, 'javascript:alert(1)'],
    ['https://x.org/p', 'not a url', undefined],
    ['/p', 'mailto:desk@example.org', undefined],
    ['https://x.org/p', undefined, 'https://x.org/p'],
  ];
  it('a blank value resolves to nothing (not to the base)', () => assert.equal(absoluteUrl('  ', BASE), undefined));
  for (const [value, base, expected] of CASES) {
    it(`${JSON.stringify(value)} against ${base ?? 'no base'}`, () => {
      assert.equal(absoluteUrl(value, base), expected);
      let parsed: string | undefined;
      try {
        parsed = base ? new URL(value.trim(), base).href : new URL(value.trim()).href;
      } catch {
        parsed = undefined;
      }
      assert.equal(absoluteUrl(value, base), parsed);
    });
  }

  it('takes the fast path only for canonical http(s) URLs and root-relative paths', () => {
    assert.equal(resolveWithoutParsing('https://x.org/a', BASE), 'https://x.org/a');
    assert.equal(resolveWithoutParsing('/a?b=1', BASE), 'https://news.example.org/a?b=1');
    for (const v of ['a.jpg', '//x.org/a', 'HTTPS://x.org/a', 'https://X.org/a', 'https://x.org', 'https://x.org:443/a', 'https://1.2.3.4/a', 'https://xn--bcher-kva.de/', 'https://x.org/a/../b', '/a/%2e/b', 'https://x.org/a b', 'javascript:alert(1)', 'java\tscript:x', 'data:,x', '#x']) {
      assert.equal(resolveWithoutParsing(v, BASE), undefined, v);
    }
  });

  it('agrees with the WHATWG parser on generated URLs', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const parts = ['x.org', 'a', 'B', '1', '.', '..', '/', '//', '\\', '?', '#', '%', '%2e', '%41', ':', '443', '@', '-', '~', "'", '"', ' ', '\t', 'ü', '^', '|', '`', '{', '<', '[', 'xn--', 'javascript:', '&', '='];
    const bases = [BASE, 'http://x.org', 'https://u:p@h.example:8443/a/b?q#f', 'not a url', undefined];
    let fast = 0;
    for (let i = 0; i < 20000; i++) {
      let v = rnd() < 0.5 ? (rnd() < 0.5 ? 'https://x.org/' : 'http://a-b.c1.io/') : '/';
      for (let j = 0, n = 1 + Math.floor(rnd() * 8); j < n; j++) v += parts[Math.floor(rnd() * parts.length)];
      v = v.trim();
      const base = bases[Math.floor(rnd() * bases.length)];
      const got = resolveWithoutParsing(v, base);
      if (got === undefined) continue;
      fast++;
      let parsed: string | undefined;
      try {
        parsed = base ? new URL(v, base).href : new URL(v).href;
      } catch {
        parsed = undefined;
      }
      assert.equal(got, parsed, JSON.stringify({ v, base }));
    }
    assert.ok(fast > 1000, `fast path taken ${fast} times`);
  });
});


describe('URL policy: check (links and contacts)', () => {
  const LONG = `https://x.example/${'a'.repeat(MAX_URL_CHARS)}`;
  // [name, value, purpose, expected url or the reason it is refused]
  const CASES: [string, string, 'link' | 'contact', string][] = [
    ['canonical https kept as is', 'https://x.example/a?b=1#c', 'link', 'https://x.example/a?b=1#c'],
    ['relative resolved against the base', '../img/a.jpg', 'link', 'https://news.example.org/img/a.jpg'],
    ['protocol-relative takes the base scheme', '//cdn.example.org/z.jpg', 'link', 'https://cdn.example.org/z.jpg'],
    ['scheme and host case folded', 'HTTPS://Example.COM/A', 'link', 'https://example.com/A'],
    ['javascript: dropped', 'javascript:alert(1)', 'link', 'unsafe_url'],
    ['mixed-case javascript: dropped', 'JaVaScRiPt:alert(1)', 'link', 'unsafe_url'],
    ['leading whitespace and controls before the scheme', ' \u0001 javascript:alert(1)', 'link', 'unsafe_url'],
    ['tab inside the scheme', 'java\tscript:alert(1)', 'link', 'unsafe_url'],
    ['newline inside the scheme', 'java\nscript:alert(1)', 'link', 'unsafe_url'],
    ['vbscript: dropped', 'vbscript:msgbox(1)', 'link', 'unsafe_url'],
    ['data: dropped', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==', 'link', 'unsafe_url'],
    ['file: dropped', 'file:///etc/passwd', 'link', 'unsafe_url'],
    ['mailto: is no link', 'mailto:desk@example.org', 'link', 'unsafe_url'],
    ['mailto: is a contact', 'mailto:desk@example.org', 'contact', 'mailto:desk@example.org'],
    ['javascript: is no contact either', 'javascript:alert(1)', 'contact', 'unsafe_url'],
    ['IDN host to punycode, path UTF-8 encoded', 'https://bücher.example/ä b', 'link', 'https://xn--bcher-kva.example/%C3%A4%20b'],
    ['characters WHATWG leaves in a path are encoded', 'https://x.example/a|b^c', 'link', 'https://x.example/a%7Cb%5Ec'],
    ['characters WHATWG leaves in a query are encoded', 'https://x.example/?q={a}|\\`', 'link', 'https://x.example/?q=%7Ba%7D%7C%5C%60'],
    ['angle brackets and quotes', 'https://x.example/<script>"x"', 'link', 'https://x.example/%3Cscript%3E%22x%22'],
    ['a % that starts no escape', 'https://x.example/100%zz', 'link', 'https://x.example/100%25zz'],
    ['unparsable host', 'http://[::1/x', 'link', 'bad_url'],
    ['over-long', LONG, 'link', 'bad_url'],
  ];
  const policy = createUrlPolicy();
  for (const [name, value, purpose, expected] of CASES) {
    it(name, () => {
      const v = policy.check(value, BASE, purpose);
      assert.ok(v, 'a verdict');
      if (expected === 'unsafe_url' || expected === 'bad_url') assert.deepEqual(v, { ok: false, reason: expected });
      else {
        assert.deepEqual(v, { ok: true, url: expected });
        assert.ok(isUriString(expected));
      }
    });
  }
  it('a blank value has no verdict (nothing to report)', () => assert.equal(policy.check('  \n', BASE), undefined));
  it('a base the parser rejects resolves nothing relative', () => assert.deepEqual(policy.check('/a', 'not a url'), { ok: false, reason: 'bad_url' }));
});

describe('URL policy: identifier (category scheme / domain)', () => {
  const CASES: [string, string, string][] = [
    ['http scheme URL kept', 'http://x.example/cats', 'http://x.example/cats'],
    ['angle brackets encoded (W3C InvalidUriChar)', 'http://x.example/<cat>', 'http://x.example/%3Ccat%3E'],
    ['tag: identifier kept', 'tag:example.org,2025:cats', 'tag:example.org,2025:cats'],
    ['urn: identifier kept', 'urn:isbn:0451450523', 'urn:isbn:0451450523'],
    ["a publisher's own scheme kept", 'demo-wire:sections', 'demo-wire:sections'],
    ['file: dropped', 'FILE:///etc/passwd', 'unsafe_url'],
    ['vbscript: dropped', 'vbscript:msgbox(1)', 'unsafe_url'],
    ['bare taxonomy name kept, not resolved', 'dmoz', 'dmoz'],
    ['bare name with spaces and brackets encoded', 'Sports & <News>', 'Sports%20&%20%3CNews%3E'],
    ['javascript: dropped', 'javascript:alert(1)', 'unsafe_url'],
    ['tab-split javascript: dropped', 'java\tscript:alert(1)', 'unsafe_url'],
    ['space-split scheme is no bare name', 'java script:alert(1)', 'unsafe_url'],
    ['data: dropped', 'data:,x', 'unsafe_url'],
  ];
  const policy = createUrlPolicy();
  for (const [name, value, expected] of CASES) {
    it(name, () => {
      const v = policy.identifier(value);
      assert.deepEqual(v, expected === 'unsafe_url' ? { ok: false, reason: expected } : { ok: true, url: expected });
    });
  }
  it('toUriString leaves a valid URI alone and encodes the rest as UTF-8', () => {
    assert.equal(toUriString('https://x.example/a%20b?c=d#e'), 'https://x.example/a%20b?c=d#e');
    assert.equal(toUriString('a b\u00e9\ud83d\ude00'), 'a%20b%C3%A9%F0%9F%98%80');
    assert.equal(toUriString('lone\ud800surrogate'), 'lonesurrogate');
  });
});

// ---- every URL field × every input format × every output format ----

interface Spelling {
  name: string;
  /** The value as the source means it. */
  value: string;
  /** How XML inputs spell it (default: escaped, with tab/newline as character references). */
  xml?: string;
  /** Expected output of a link field (undefined = dropped). */
  link: string | undefined;
  /** Expected output of an author URL, where mailto: is allowed (default: link). */
  contact?: string | undefined;
  /** Expected output of a category scheme (default: link). */
  scheme?: string | undefined;
}

const LONG_URL = `https://x.example/${'a'.repeat(MAX_URL_CHARS)}`;
const SPELLINGS: Spelling[] = [
  { name: 'javascript:', value: 'javascript:alert(1)', link: undefined },
  { name: 'JaVaScRiPt: in mixed case', value: 'JaVaScRiPt:alert(1)', link: undefined },
  { name: 'leading whitespace', value: '   javascript:alert(1)', link: undefined },
  { name: 'tab inside the scheme', value: 'java\tscript:alert(1)', link: undefined },
  { name: 'newline inside the scheme', value: 'java\nscript:alert(1)', link: undefined },
  { name: 'character reference inside the scheme', value: 'javascript:alert(1)', xml: 'jav&#x61;script&#58;alert(1)', link: undefined },
  { name: 'vbscript:', value: 'VBScript:MsgBox(1)', link: undefined },
  { name: 'data:', value: 'data:text/html;base64,PHNjcmlwdD4=', link: undefined },
  { name: 'mailto: (a contact only)', value: 'mailto:desk@example.org', link: undefined, contact: 'mailto:desk@example.org', scheme: 'mailto:desk@example.org' },
  { name: 'protocol-relative', value: '//cdn.example.org/p.jpg', link: 'https://cdn.example.org/p.jpg', scheme: '//cdn.example.org/p.jpg' },
  { name: 'relative', value: 'story/p.jpg', link: 'https://news.example.org/section/story/p.jpg', scheme: 'story/p.jpg' },
  { name: 'IDN host and non-ASCII path', value: 'https://bücher.example/fotos/ä.jpg', link: 'https://xn--bcher-kva.example/fotos/%C3%A4.jpg' },
  { name: 'IRI-forbidden characters', value: 'https://x.example/a b<c>|d^e{f}.jpg', link: 'https://x.example/a%20b%3Cc%3E%7Cd%5Ee%7Bf%7D.jpg' },
  { name: 'over-long', value: LONG_URL, link: undefined },
  { name: 'plain https', value: 'https://x.example/p.jpg', link: 'https://x.example/p.jpg' },
];

function xmlSpelling(s: Spelling): string {
  if (s.xml !== undefined) return s.xml;
  return s.value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}

type InputFormat = 'rss2' | 'rss1' | 'atom10' | 'json';
/** Which fields each input format can carry (the outputs are checked for exactly these). */
const FIELDS: Record<InputFormat, { siteUrl: boolean; author: boolean; scheme: boolean; thumbnail: boolean }> = {
  rss2: { siteUrl: true, author: false, scheme: true, thumbnail: true },
  rss1: { siteUrl: true, author: false, scheme: false, thumbnail: true },
  atom10: { siteUrl: true, author: true, scheme: true, thumbnail: true },
  json: { siteUrl: true, author: true, scheme: false, thumbnail: false },
};

function inputDocument(format: InputFormat, s: Spelling): string {
  const u = xmlSpelling(s);
  const media = `<media:content url="${u}" type="image/jpeg" medium="image"><media:thumbnail url="${u}"/></media:content>`;
  switch (format) {
    case 'rss2':
      return `<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>T</title><link>${u}</link><description>d</description>
<item><title>Item</title><guid isPermaLink="false">g1</guid><link>${u}</link><category domain="${u}">c</category>
<enclosure url="${u}" length="10" type="image/jpeg"/>${media}<pubDate>Mon, 05 Jan 2026 10:00:00 GMT</pubDate></item></channel></rss>`;
    case 'rss1':
      return `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">
<channel rdf:about="https://news.example.org/"><title>T</title><link>${u}</link><description>d</description></channel>
<item rdf:about="${u}"><title>Item</title><link>${u}</link>${media}<dc:date>2026-01-05T10:00:00Z</dc:date></item></rdf:RDF>`;
    case 'atom10':
      return `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/"><title>T</title><id>urn:x:feed</id><updated>2026-01-05T10:00:00Z</updated><link rel="alternate" href="${u}"/>
<entry><id>urn:x:1</id><title>Item</title><updated>2026-01-05T10:00:00Z</updated><link rel="alternate" href="${u}"/><link rel="enclosure" type="image/jpeg" length="10" href="${u}"/>
<author><name>A</name><uri>${u}</uri></author><category term="c" scheme="${u}"/>${media}</entry></feed>`;
    case 'json':
      return JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1',
        title: 'T',
        home_page_url: s.value,
        items: [{ id: 'g1', title: 'Item', url: s.value, image: s.value, content_text: 'x', date_published: '2026-01-05T10:00:00Z', authors: [{ name: 'A', url: s.value }], attachments: [{ url: s.value, mime_type: 'image/jpeg', size_in_bytes: 10 }] }],
      });
  }
}

/** Every URL a reader can take from an output item, by field. */
function outputUrls(feed: ReadFeed): Record<string, (string | undefined)[]> {
  const item = feed.items[0]!;
  return {
    link: [item.url],
    asset: [...item.assets.map((a) => a.url), ...item.enclosureUrls],
    thumbnail: item.assets.map((a) => a.thumbnailUrl),
    image: [item.image],
    author: item.authors.map((a) => a.url),
    scheme: item.categories.map((c) => c.scheme),
    siteUrl: [item.source.siteUrl],
  };
}

describe('URL policy on every URL field: hostile spellings × input formats × output formats', function () {
  this.timeout(60_000);
  const rendered: { label: string; format: FeedFormat; text: string }[] = [];

  for (const format of ['rss2', 'rss1', 'atom10', 'json'] as InputFormat[]) {
    const fields = FIELDS[format];
    for (const s of SPELLINGS) {
      it(`${format}: ${s.name}`, async () => {
        const { feed, texts } = await ingestAndRender(inputDocument(format, s), BASE);
        assert.equal(feed.items.length, 1);
        const lintCodes = feed.lint.map((l) => l.code);
        const contact = 'contact' in s ? s.contact : s.link;
        const scheme = 'scheme' in s ? s.scheme : s.link;
        const anyDropped = s.link === undefined || (fields.author && contact === undefined) || (fields.scheme && scheme === undefined);
        assert.equal(lintCodes.includes('unsafe_url') || lintCodes.includes('bad_url'), anyDropped, `lint: ${JSON.stringify(feed.lint)}`);
        for (const out of OUTPUT_FORMATS) {
          const text = texts[out];
          rendered.push({ label: `${format}/${s.name}`, format: out, text });
          const urls = outputUrls(readers[out](text));
          // Nothing but http(s) (mailto for authors; identifiers for category schemes) reaches any
          // output, and all of it is a valid URI.
          for (const [field, list] of Object.entries(urls)) {
            for (const u of list) {
              if (u === undefined) continue;
              assert.ok(/^https?:\/\//.test(u) || (field === 'author' && u.startsWith('mailto:')) || (field === 'scheme' && !/^(?:javascript|vbscript|data|file):/i.test(u)), `${out} ${field}: ${u}`);
              assert.ok(isUriString(u), `${out} ${field} is not a valid URI: ${u}`);
            }
          }
          const present = (list: (string | undefined)[]) => list.filter((u): u is string => u !== undefined);
          // Each field carries exactly the expected value (or nothing when the policy dropped it).
          assert.deepEqual(present(urls.link!), s.link === undefined ? [] : [s.link], `${out} link`);
          if (s.link === undefined) assert.deepEqual(present(urls.asset!), [], `${out} assets`);
          else assert.ok(present(urls.asset!).every((u) => u === s.link) && present(urls.asset!).length > 0, `${out} assets ${JSON.stringify(urls.asset)}`);
          if (fields.thumbnail && out !== 'json') assert.deepEqual(present(urls.thumbnail!), s.link === undefined ? [] : [s.link], `${out} thumbnail`);
          if (out === 'json') assert.deepEqual(present(urls.image!), s.link === undefined ? [] : [s.link], 'json image');
          // RSS has no place for an author's URL (dc:creator is a name).
          if (fields.author && out !== 'rss') assert.deepEqual(present(urls.author!), contact === undefined ? [] : [contact], `${out} author url`);
          if (fields.scheme) assert.deepEqual(present(urls.scheme!), scheme === undefined ? [] : [scheme], `${out} category scheme`);
          // The source's site link is not written in RSS (its <source> names the feed URL).
          if (fields.siteUrl && out !== 'rss') assert.deepEqual(present(urls.siteUrl!), s.link === undefined ? [] : [s.link], `${out} site link`);
        }
      });
    }
  }

  it('every rendered output is valid: xmllint, the Atom schema, feedparser bozo 0, JSON Feed 1.1', function () {
    assert.ok(rendered.length > 0);
    const xml = rendered.filter((r) => r.format !== 'json');
    for (const r of xml) {
      const c = xmllintOk(r.text);
      skipIfMissing(this, c);
      assert.equal(c.status, 'ok', `${r.label} ${r.format}: ${'message' in c ? c.message : ''}`);
    }
    const atom = jingAtom(rendered.filter((r) => r.format === 'atom').map((r) => r.text));
    skipIfMissing(this, atom);
    assert.equal(atom.status, 'ok', 'message' in atom ? atom.message : '');
    const fp = feedparserReadAll(xml.map((r) => r.text));
    skipIfMissing(this, fp);
    assert.equal(fp.status, 'ok');
    if (fp.status === 'ok') fp.summary.forEach((f, i) => assert.equal(f.bozo, 0, `${xml[i]!.label} ${xml[i]!.format}: ${f.bozo_exception}`));
    for (const r of rendered.filter((r) => r.format === 'json')) {
      const c = validateJsonFeed11(JSON.parse(r.text));
      assert.equal(c.status, 'ok', `${r.label}: ${'message' in c ? c.message : ''}`);
    }
  });
});
