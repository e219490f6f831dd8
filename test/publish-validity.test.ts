// Every output, parsed back by real readers and checked by real validators: xmllint, jing
// against test/fixtures/schemas/atom.rnc, rss-parser, Python feedparser, ajv with JSON Feed 1.1.
import assert from 'node:assert/strict';
import Parser from 'rss-parser';
import type { Article } from '../src/model/types.js';
import { renderAtom, renderJsonFeed, renderRss } from '../src/publish/index.js';
import { displayTitle, effectivePublished, effectiveUpdated } from '../src/publish/field-values.js';
import { stripXmlForbidden as stripForbidden } from '../src/xml-chars.js';
import type { FeedDocument } from '../src/publish/types.js';
import { documentCases, forFormat, hostileDocument } from './fixtures/publish/documents.js';
import {
  type FeedparserSummary,
  feedparserReadAll,
  jingAtom,
  skipIfMissing,
  validateJsonFeed11,
  xmllintOk,
} from './support/validators.js';

const cases: { name: string; doc: FeedDocument; hostile?: boolean }[] = [
  ...documentCases(),
  { name: 'hostile text', doc: hostileDocument(), hostile: true },
  { name: 'hostile text with a 1 MB body', doc: hostileDocument(1 << 20), hostile: true },
];

const rendered = cases.map(({ name, doc, hostile }) => ({
  name,
  doc,
  hostile: hostile === true,
  rss: renderRss(forFormat(doc, 'rss')),
  atom: renderAtom(forFormat(doc, 'atom')),
  json: renderJsonFeed(forFormat(doc, 'json')),
}));

function secondsIso(iso: string): string;
function secondsIso(iso: string | undefined): string | undefined;
function secondsIso(iso: string | undefined): string | undefined {
  if (iso === undefined) return undefined;
  return new Date(Math.floor(Date.parse(iso) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Unique author names in order: feedparser lists an RSS author twice (author + dc:creator). */
function names(people: { name?: string }[]): string[] {
  return [...new Set(people.map((p) => p.name ?? ''))];
}

describe('publish: outputs pass real parsers and validators', () => {
  describe('xmllint --noout (well-formed XML)', () => {
    for (const r of rendered) {
      for (const format of ['rss', 'atom'] as const) {
        it(`${r.name} as ${format}`, function () {
          const check = xmllintOk(r[format]);
          skipIfMissing(this, check);
          assert.deepEqual(check, { status: 'ok' });
        });
      }
    }
  });

  it('every Atom output is valid against the RFC 4287 schema (jing)', function () {
    this.timeout(60_000);
    const check = jingAtom(rendered.map((r) => r.atom));
    skipIfMissing(this, check);
    assert.deepEqual(check, { status: 'ok' });
  });

  describe('rss-parser reads RSS and Atom', () => {
    for (const r of rendered) {
      for (const format of ['rss', 'atom'] as const) {
        it(`${r.name} as ${format}`, async () => {
          const parsed = await new Parser().parseString(r[format]);
          assert.equal(parsed.title, stripForbidden(r.doc.title));
          assert.equal(parsed.items.length, r.doc.items.length);
          r.doc.items.forEach((a, i) => {
            assert.equal(parsed.items[i]?.title, format === 'rss' && a.title === undefined ? undefined : stripForbidden(format === 'rss' ? (a.title as string) : displayTitle(a)));
            assert.equal(parsed.items[i]?.link, a.url);
            // rss-parser reads Atom's `updated` when there is no `published` (an undated item).
            const published = secondsIso(format === 'atom' ? (effectivePublished(a) ?? effectiveUpdated(a)) : effectivePublished(a));
            assert.equal(parsed.items[i]?.isoDate, published === undefined ? undefined : new Date(published).toISOString());
          });
        });
      }
    }
  });

  describe('JSON.parse + JSON Feed 1.1 schema and rules (ajv)', () => {
    for (const r of rendered) {
      it(r.name, function () {
        const check = validateJsonFeed11(JSON.parse(r.json));
        skipIfMissing(this, check);
        assert.deepEqual(check, { status: 'ok' });
      });
    }
  });

  describe('feedparser (Python) reads RSS and Atom with bozo == 0 and the same facts', () => {
    let summaries: FeedparserSummary[] | undefined;
    let missing: { status: 'missing' | 'invalid'; message: string } | undefined;
    before(function () {
      this.timeout(60_000);
      const result = feedparserReadAll(rendered.flatMap((r) => [r.rss, r.atom]));
      if (result.status === 'ok') summaries = result.summary;
      else missing = result;
    });

    rendered.forEach((r, index) => {
      (['rss', 'atom'] as const).forEach((format, f) => {
        it(`${r.name} as ${format}`, function () {
          if (missing !== undefined) skipIfMissing(this, missing);
          assert.equal(missing, undefined, missing?.message);
          const s = summaries?.[index * 2 + f] as FeedparserSummary;
          assert.equal(s.bozo, 0, s.bozo_exception);
          assert.equal(s.version, format === 'rss' ? 'rss20' : 'atom10');
          assert.equal(s.entries.length, r.doc.items.length);
          r.doc.items.forEach((a: Article, i) => {
            const e = s.entries[i];
            assert.ok(e !== undefined);
            // An untitled item has no title in RSS; Atom derives one (displayTitle).
            const title = format === 'rss' ? a.title : displayTitle(a);
            // feedparser sniffs markup in plain-text titles; hostile titles are compared by the other readers.
            if (!r.hostile) assert.equal(e.title, title);
            if (a.url !== undefined) assert.equal(e.link, a.url);
            assert.equal(e.published ?? undefined, secondsIso(effectivePublished(a)));
            // feedparser splits the RSS "email (Name)" form on its own heuristics when names hold markup.
            if (a.authors.length > 0 && !(r.hostile && format === 'rss')) assert.deepEqual(names(e.authors), a.authors.map((p) => stripForbidden(p.name)));
          });
        });
      });
    });
  });
});
