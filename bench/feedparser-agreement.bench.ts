// Agreement with feedparser 6 (issue "read what peers read"): a generated corpus of varied,
// well-formed documents (bench/support/agreement-corpus.ts), or with AGREEMENT_CORPUS=<dir> every
// file of a local directory (an independent corpus kept outside the repository: its files are
// served byte for byte, without a charset), is served on loopback, registered
// and refreshed in a running wirefeed through its admin API, and the stored articles are
// compared field by field with what Debian's python3-feedparser reads from the same bytes:
// acceptance, titles, links, dates. A document agrees on a field when the multiset of values
// over its items is equal (feedparser keeps document order, the API newest first). feedparser is
// given each document's URL and Content-Type as served, so it reads them as it would when fetching.
// Links that differ only where the README says we differ on purpose ("Reading as peers read",
// and the URL policy) count as agreeing, and are counted apart, rule by rule, in the notes beside
// the exact figure. AGREEMENT_CORPUS_LABEL names the corpus in the results (where it came from).
import http from 'node:http';
import { DomUtils, parseDocument } from 'htmlparser2';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import { startServer } from '../src/main.js';
import { feedparserRead, feedparserReadAll, type FeedparserEntry, type FeedparserSummary } from '../test/support/validators.js';
import { buildCorpus } from './support/agreement-corpus.js';
import type { BenchModule, BenchResult } from './types.js';

interface Ours {
  accepted: boolean;
  error?: string;
  items: { title?: string; url?: string; publishedAt?: string; updatedAt?: string }[];
}

const textOf = (html: string | undefined) => (html === undefined ? undefined : DomUtils.textContent(parseDocument(html, { decodeEntities: true })));
const norm = (s: string | undefined | null) => (s ?? '').replace(/\s+/g, ' ').trim();
const second = (iso: string | undefined | null) => (iso ? new Date(Math.floor(Date.parse(iso) / 1000) * 1000).toISOString() : '');
const multiset = (xs: string[]) => JSON.stringify([...xs].sort());

/**
 * The link we publish instead of feedparser's, where a README rule says we read it otherwise:
 * the rule's name and our link, or undefined when no stated rule covers the entry.
 */
function linkByRule(e: FeedparserEntry, version: string): { rule: string; link: string } | undefined {
  const link = e.link ?? '';
  // RSS 1.0 §5.5: an item without <link> is the resource its rdf:about names.
  if (!link && /^rss(10|090)$/.test(version) && e.id) return { rule: 'RSS 1.0 rdf:about is the link', link: e.id };
  // RFC 4287 §4.2.6: an Atom id identifies an entry; feedparser copies it into link.
  if (link && version.startsWith('atom') && link === e.id && !e.links.some((l) => l.href === link)) return { rule: 'an Atom id is not a link', link: '' };
  // The URL policy publishes http(s) links only.
  if (link && !/^https?:/i.test(link)) return { rule: 'URL policy: http(s) only', link: '' };
  // An Atom link written as text: the alternate one wins wherever it stands.
  const alternate = e.links.find((l) => (l.rel ?? 'alternate') === 'alternate' && l.href && l.href !== link);
  if (link && version.startsWith('atom') && alternate) return { rule: 'Atom text links: the alternate wins', link: alternate.href! };
  return undefined;
}

/** Every file of `dir`, in name order, named so the name is also a valid source slug. */
function loadCorpusDir(dir: string): { name: string; contentType: string; body: Buffer }[] {
  return readdirSync(dir)
    .sort()
    .map((file, i) => ({
      name: `c${i}-${file.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`.slice(0, 60),
      contentType: 'application/xml',
      body: readFileSync(path.join(dir, file)),
    }));
}

export const run: BenchModule = async ({ log }) => {
  const external = process.env.AGREEMENT_CORPUS;
  const corpus = external ? loadCorpusDir(external) : buildCorpus();
  const what = external ? `documents of an independent corpus (${process.env.AGREEMENT_CORPUS_LABEL ?? path.basename(external)})` : 'generated well-formed documents';
  const servedType = (doc: { contentType: string }) => (external ? doc.contentType : `${doc.contentType}; charset=utf-8`);
  const server = http.createServer((req, res) => {
    const doc = corpus.find((d) => `/${d.name}` === req.url);
    if (!doc) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': servedType(doc) }).end(doc.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-agreement-'));
  const app = await startServer(
    loadConfig({ PORT: '0', HOST: '127.0.0.1', WIREFEED_DATA_DIR: dir, WIREFEED_DEMO: '0', WIREFEED_SCHEDULE: '0 0 1 1 *', WIREFEED_PRIVATE_NETWORK_ALLOWLIST: `127.0.0.1:${port}` }),
    silentLogger(),
  );
  const headers = { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' };
  const ours = new Map<string, Ours>();
  try {
    for (const doc of corpus) {
      const created = await fetch(`${app.url}/api/sources`, { method: 'POST', headers, body: JSON.stringify({ url: `http://127.0.0.1:${port}/${doc.name}`, slug: doc.name }) });
      const { id } = (await created.json()) as { id: number };
      const refreshed = (await (await fetch(`${app.url}/api/sources/${id}/refresh`, { method: "POST", headers })).json()) as { outcome: string; log?: { error?: string } };
      const list = (await (await fetch(`${app.url}/api/articles?source=${id}&limit=500`, { headers })).json()) as { articles: Ours['items'] };
      ours.set(doc.name, { accepted: refreshed.outcome === 'modified', error: refreshed.log?.error, items: list.articles });
    }
  } finally {
    await app.stop();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }

  const served = (doc: (typeof corpus)[number]) => ({ url: `http://127.0.0.1:${port}/${doc.name}`, contentType: servedType(doc) });
  const fp = feedparserReadAll(corpus.map((d) => d.body), corpus.map(served));
  if (fp.status === 'missing') throw new Error(`feedparser: ${fp.message}`);
  // One document feedparser itself crashes on (6.0.10 on a DTD entity with a backslash) fails the
  // whole batch: then each is read on its own, and those it cannot read at all are left out.
  const summaries: (FeedparserSummary | undefined)[] =
    fp.status === 'ok' ? fp.summary : corpus.map((d) => { const one = feedparserRead(d.body, served(d)); return one.status === 'ok' ? one.summary : undefined; });
  const unreadable = corpus.filter((_, i) => summaries[i] === undefined).map((d) => d.name);
  if (unreadable.length) log(`left out, feedparser crashes on them: ${unreadable.join(', ')}`);
  const tally = { acceptance: 0, titles: 0, links: 0, dates: 0 };
  let both = 0;
  let compared = 0;
  let ruledLinks = 0;
  const misses: Record<keyof typeof tally, string[]> = { acceptance: [], titles: [], links: [], dates: [] };
  const byRule = new Map<string, number>();
  corpus.forEach((doc, i) => {
    const theirs = summaries[i];
    if (!theirs) return;
    compared++;
    const mine = ours.get(doc.name)!;
    const theyAccept = theirs.bozo === 0 || theirs.entries.length > 0;
    if (theyAccept === mine.accepted) tally.acceptance++;
    else misses.acceptance.push(`${doc.name} (ours ${mine.accepted ? 'accepted' : `refused: ${mine.error}`}, feedparser ${theyAccept ? 'accepted' : theirs.bozo_exception})`);
    if (!(theyAccept && mine.accepted)) return;
    both++;
    const fields: [keyof typeof tally, string[], string[]][] = [
      // feedparser keeps a title's markup when the source marked it as HTML; wirefeed stores
      // titles as plain text (DESIGN §3), so the text of both is compared.
      ['titles', mine.items.map((a) => norm(a.title)), theirs.entries.map((e) => norm(textOf(e.title)))],
      ['links', mine.items.map((a) => a.url ?? ''), theirs.entries.map((e) => e.link ?? '')],
      ['dates', mine.items.map((a) => second(a.publishedAt ?? a.updatedAt)), theirs.entries.map((e) => second(e.published ?? e.updated ?? e.created))],
    ];
    for (const [field, a, b] of fields) {
      if (multiset(a) === multiset(b)) tally[field]++;
      else misses[field].push(`${doc.name}: ours ${multiset(a)} feedparser ${multiset(b)}`);
    }
    const ourLinks = multiset(fields[1]![1]);
    if (ourLinks !== multiset(fields[1]![2])) {
      const ruled = theirs.entries.map((e) => linkByRule(e, theirs.version));
      if (ruled.some(Boolean) && ourLinks === multiset(theirs.entries.map((e, j) => ruled[j]?.link ?? e.link ?? ''))) {
        for (const r of new Set(ruled.filter((x) => x !== undefined).map((x) => x.rule))) byRule.set(r, (byRule.get(r) ?? 0) + 1);
        misses.links.pop();
        ruledLinks++;
      }
    }
  });
  // Agreement does not depend on load; it is noted because the machine is shared.
  const load = `load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min)`;
  const results: BenchResult[] = [];
  if (unreadable.length) log(`compared ${compared} of ${corpus.length} documents served`);
  for (const field of Object.keys(tally) as (keyof typeof tally)[]) {
    const total = field === 'acceptance' ? compared : both;
    const ruled = field === 'links' ? ruledLinks : 0;
    const share = (tally[field] + ruled) / total;
    const rules = [...byRule].map(([r, n]) => `${r}: ${n}`).join(', ');
    const exact = ruled ? `; exactly equal ${tally[field]}/${total} = ${((tally[field] / total) * 100).toFixed(1)} %, by a README rule ${ruled} (${rules})` : '';
    log(`${field}: ${tally[field] + ruled}/${total} = ${(share * 100).toFixed(1)} %${exact}`);
    for (const m of misses[field].slice(0, external ? 100 : 5)) log(`  differs: ${m.slice(0, 300)}`);
    results.push({
      name: `agreement with feedparser 6: ${field} (${compared} ${what})`,
      subject: { name: 'documents agreeing', value: Math.round(share * 1000) / 10, unit: '%' },
      target: '≥ 97 %',
      pass: share >= 0.97,
      notes: `${tally[field] + ruled}/${total}${exact}; ${load}${unreadable.length ? `; ${unreadable.length} of ${corpus.length} served left out (feedparser crashes on them)` : ''}${misses[field].length ? `; first difference: ${misses[field][0]!.slice(0, 160)}` : ''}`,
    });
  }
  return results;
};
