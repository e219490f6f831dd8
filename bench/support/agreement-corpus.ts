// A corpus of varied, well-formed feed documents for comparing what wirefeed reads with what
// feedparser 6 reads: RSS 0.90/0.91/0.92/1.0/2.0, Atom 0.3/1.0, namespaced variants, Dublin Core
// and DC terms dates, untitled and undated items, entities, xml:base, many date spellings. Every
// document is generated here (no third-party corpus is copied), deterministically.

export interface CorpusDoc {
  name: string;
  contentType: string;
  body: string;
}

const DATES_822 = ['Mon, 05 Jan 2026 10:00:00 GMT', 'Tue, 6 Jan 2026 08:30:00 +0100', 'Wed, 07 Jan 2026 23:59:59 -0500', 'Thu, 08 Jan 26 12:00:00 EST', 'Fri, 09 Jan 2026 07:15 PST', '10 Jan 2026 10:00:00 Z'];
const DATES_3339 = ['2026-01-05T10:00:00Z', '2026-01-06T08:30:00+01:00', '2026-01-07T23:59:59.250-05:00', '2026-01-08T12:00:00Z', '2026-01-09', '2026-01-10T10:00:00+00:00'];
const TITLES = ['Harbour reopens after storm', 'AT&amp;T and &quot;quotes&quot;', 'Caf&#233; culture &#8211; a dash', '<![CDATA[CDATA <title> text]]>', 'Unicode: Zürich – “quoted”', '   padded   title   '];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function rss2(i: number, opts: { dated?: boolean; titled?: boolean; ns?: string; dateEl?: (d: number) => string; root?: (inner: string) => string; version?: string } = {}): string {
  const items = Array.from({ length: 3 }, (_, k) => {
    const n = i * 10 + k;
    const title = opts.titled === false && k !== 0 ? '' : `<title>${TITLES[(i + k) % TITLES.length]}</title>`;
    const date = opts.dated === false ? '' : opts.dateEl ? opts.dateEl(n) : `<pubDate>${DATES_822[(i + k) % DATES_822.length]}</pubDate>`;
    return `<item>${title}<link>https://corpus.example.org/${i}/${k}</link><guid isPermaLink="false">c-${n}</guid><description>Body &lt;b&gt;${n}&lt;/b&gt; text.</description>${date}</item>`;
  }).join('');
  const inner = `<channel><title>Corpus ${i}</title><link>https://corpus.example.org/</link><description>d</description>${items}</channel>`;
  return `<?xml version="1.0" encoding="utf-8"?>\n${opts.root ? opts.root(inner) : `<rss version="${opts.version ?? '2.0'}"${opts.ns ? ` ${opts.ns}` : ''}>${inner}</rss>`}`;
}

function rss1(i: number, opts: { prefix?: string; dateEl?: (n: number) => string; titled?: boolean } = {}): string {
  const p = opts.prefix ? `${opts.prefix}:` : '';
  const ns = opts.prefix ? `xmlns:${opts.prefix}="http://purl.org/rss/1.0/"` : 'xmlns="http://purl.org/rss/1.0/"';
  const items = Array.from({ length: 3 }, (_, k) => {
    const n = i * 10 + k;
    const title = opts.titled === false && k === 2 ? '' : `<${p}title>${TITLES[(i + k) % TITLES.length]}</${p}title>`;
    return `<${p}item rdf:about="https://corpus.example.org/r/${i}/${k}">${title}<${p}link>https://corpus.example.org/r/${i}/${k}</${p}link><${p}description>Text ${n}</${p}description>${opts.dateEl ? opts.dateEl(n) : `<dc:date>${DATES_3339[(i + k) % DATES_3339.length]}</dc:date>`}</${p}item>`;
  }).join('');
  return `<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" ${ns} xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"><${p}channel rdf:about="https://corpus.example.org/r/"><${p}title>RDF ${i}</${p}title><${p}link>https://corpus.example.org/r/</${p}link><${p}description>d</${p}description></${p}channel>${items}</rdf:RDF>`;
}

function rss090(i: number): string {
  const items = Array.from({ length: 2 }, (_, k) => `<item><title>Old ${i}-${k}</title><link>https://corpus.example.org/o/${i}/${k}</link></item>`).join('');
  return `<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/"><channel><title>Old ${i}</title><link>https://corpus.example.org/o/</link><description>d</description></channel>${items}</rdf:RDF>`;
}

function atom10(i: number, opts: { prefix?: string; base?: boolean; titled?: boolean; dated?: 'published' | 'updated' | 'dcterms' } = {}): string {
  const p = opts.prefix ? `${opts.prefix}:` : '';
  const ns = opts.prefix ? `xmlns:${opts.prefix}="http://www.w3.org/2005/Atom"` : 'xmlns="http://www.w3.org/2005/Atom"';
  const entries = Array.from({ length: 3 }, (_, k) => {
    const n = i * 10 + k;
    const d = DATES_3339[(i + k) % DATES_3339.length]!.length === 10 ? '2026-01-09T00:00:00Z' : DATES_3339[(i + k) % DATES_3339.length];
    const title = opts.titled === false && k === 1 ? `<${p}title></${p}title>` : `<${p}title type="${k === 2 ? 'html' : 'text'}">${k === 2 ? esc('<em>Marked</em> up &amp; more') : esc(`Atom entry ${n}`)}</${p}title>`;
    const href = opts.base ? `${n}.html` : `https://corpus.example.org/a/${n}.html`;
    const dates = opts.dated === 'dcterms' ? `<${p}updated>${d}</${p}updated><dcterms:created>${d}</dcterms:created>` : opts.dated === 'updated' ? `<${p}updated>${d}</${p}updated>` : `<${p}published>${d}</${p}published><${p}updated>${d}</${p}updated>`;
    return `<${p}entry><${p}id>urn:corpus:${n}</${p}id>${title}<${p}link rel="alternate" type="text/html" href="${href}"/><${p}link rel="edit" href="https://corpus.example.org/edit/${n}"/>${dates}<${p}content type="html">${esc(`<p>Entry ${n}</p>`)}</${p}content></${p}entry>`;
  }).join('');
  return `<?xml version="1.0" encoding="utf-8"?>\n<${p}feed ${ns} xmlns:dcterms="http://purl.org/dc/terms/"${opts.base ? ' xml:base="https://corpus.example.org/based/"' : ''}><${p}title>Atom ${i}</${p}title><${p}id>urn:corpus:feed:${i}</${p}id><${p}updated>2026-01-10T00:00:00Z</${p}updated><${p}link href="https://corpus.example.org/a/"/><${p}author><${p}name>A</${p}name></${p}author>${entries}</${p}feed>`;
}

function atom03(i: number): string {
  const entries = Array.from({ length: 2 }, (_, k) => {
    const n = i * 10 + k;
    return `<entry><title>Atom 0.3 ${n}</title><link rel="alternate" type="text/html" href="https://corpus.example.org/z/${n}"/><id>tag:corpus.example.org,2026:${n}</id><issued>2026-01-0${(k % 8) + 1}T10:00:00Z</issued><modified>2026-01-0${(k % 8) + 2}T10:00:00Z</modified><content type="text/html" mode="escaped">${esc('<p>x</p>')}</content></entry>`;
  }).join('');
  return `<?xml version="1.0"?>\n<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Atom03 ${i}</title><link rel="alternate" type="text/html" href="https://corpus.example.org/z/"/><modified>2026-01-10T00:00:00Z</modified><author><name>A</name></author>${entries}</feed>`;
}

const RSS_T = 'application/rss+xml';
const ATOM_T = 'application/atom+xml';
const RDF_T = 'application/rdf+xml';

export function buildCorpus(): CorpusDoc[] {
  const docs: CorpusDoc[] = [];
  const add = (name: string, contentType: string, body: string) => docs.push({ name, contentType, body });
  for (let i = 0; i < 12; i++) {
    add(`rss2-${i}`, RSS_T, rss2(i));
    add(`rss2-untitled-${i}`, RSS_T, rss2(i, { titled: false }));
    add(`rss2-undated-${i}`, RSS_T, rss2(i, { dated: false }));
    add(`rss2-dcdate-${i}`, RSS_T, rss2(i, { ns: 'xmlns:dc="http://purl.org/dc/elements/1.1/"', dateEl: (n) => `<dc:date>${DATES_3339[n % DATES_3339.length]}</dc:date>` }));
    add(`rss2-dcterms-${i}`, RSS_T, rss2(i, { ns: 'xmlns:dcterms="http://purl.org/dc/terms/"', dateEl: (n) => [`<dcterms:issued>`, `<dcterms:created>`, `<dcterms:modified>`][n % 3] + `${DATES_3339[n % DATES_3339.length]}</dcterms:${['issued', 'created', 'modified'][n % 3]}>` }));
    add(`rss2-dct-prefix-${i}`, RSS_T, rss2(i, { ns: 'xmlns:dct="http://purl.org/dc/terms/"', dateEl: (n) => `<dct:issued>${DATES_3339[n % DATES_3339.length]}</dct:issued>` }));
    add(`rss092-${i}`, RSS_T, rss2(i, { version: '0.92' }));
    add(`rss091-${i}`, RSS_T, rss2(i, { version: '0.91', dated: false }));
    add(`rss2-userland-ns-${i}`, RSS_T, rss2(i, { ns: 'xmlns="http://backend.userland.com/rss2"' }));
    add(`rss2-foreign-root-${i}`, RSS_T, rss2(i, { root: (inner) => `<x:wrapper xmlns:x="http://example.com/unknown-${i}">${inner}</x:wrapper>` }));
    add(`rss2-dtd-entities-${i}`, RSS_T, rss2(i).replace('<?xml version="1.0" encoding="utf-8"?>\n', `<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE rss [<!ENTITY corp "Corpus &amp; Co">]>\n`).replace(`<title>Corpus ${i}</title>`, `<title>&corp; ${i}</title>`).replace('<description>Body', '<description>&corp; body'));
    add(`rss1-${i}`, RDF_T, rss1(i));
    add(`rss1-prefixed-${i}`, RDF_T, rss1(i, { prefix: 'rss' }));
    add(`rss1-dcterms-${i}`, RDF_T, rss1(i, { dateEl: (n) => `<dcterms:issued>${DATES_3339[n % DATES_3339.length]}</dcterms:issued>` }));
    add(`rss1-untitled-${i}`, RDF_T, rss1(i, { titled: false }));
    add(`rss090-${i}`, RDF_T, rss090(i));
    add(`atom10-${i}`, ATOM_T, atom10(i));
    add(`atom10-prefixed-${i}`, ATOM_T, atom10(i, { prefix: 'atom' }));
    add(`atom10-xmlbase-${i}`, ATOM_T, atom10(i, { base: true }));
    add(`atom10-updated-only-${i}`, ATOM_T, atom10(i, { dated: 'updated' }));
    add(`atom10-dcterms-${i}`, ATOM_T, atom10(i, { dated: 'dcterms' }));
    add(`atom10-empty-title-${i}`, ATOM_T, atom10(i, { titled: false }));
    add(`atom03-${i}`, ATOM_T, atom03(i));
  }
  return docs;
}
