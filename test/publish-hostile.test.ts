// Hostile text: control characters, "]]>", markup characters in attributes, emoji, RTL text,
// a 1 MB body. Every format must stay well-formed and valid and carry the text back intact
// (minus the characters XML 1.0 forbids, which are removed everywhere).
import assert from 'node:assert/strict';
import type { FeedFormat } from '../src/model/types.js';
import { renderers } from '../src/publish/index.js';
import { articleId } from '../src/publish/ids.js';
import { stripXmlForbidden as stripForbidden } from '../src/xml-chars.js';
import { HOSTILE, forFormat, hostileArticle, hostileDocument } from './fixtures/publish/documents.js';
import { readers } from './fixtures/publish/read-back.js';
import { jingAtom, skipIfMissing, validateJsonFeed11, xmllintOk } from './support/validators.js';

const FORMATS: FeedFormat[] = ['rss', 'atom', 'json'];
const ONE_MB = 1 << 20;

describe('publish: hostile text', () => {
  const a = hostileArticle(ONE_MB);
  const outputs = Object.fromEntries(
    FORMATS.map((f) => [f, renderers[f](forFormat(hostileDocument(ONE_MB), f))]),
  ) as Record<FeedFormat, string>;

  it('removes exactly the characters XML 1.0 forbids (and lone surrogates) from every output', () => {
    for (const f of FORMATS) {
      assert.doesNotMatch(outputs[f], /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/, f);
      assert.equal(outputs[f].isWellFormed(), true, `${f} has lone surrogates`);
      // DEL (U+007F) is allowed by XML 1.0 and kept.
      assert.match(outputs[f], /\u007F/, f);
    }
  });

  it('never writes CDATA sections, so "]]>" cannot close one', () => {
    for (const f of ['rss', 'atom'] as const) {
      assert.doesNotMatch(outputs[f], /<!\[CDATA\[/);
      assert.doesNotMatch(outputs[f], /\]\]>/);
    }
  });

  for (const f of ['rss', 'atom'] as const) {
    it(`${f} is well-formed (xmllint)`, function () {
      const check = xmllintOk(outputs[f]);
      skipIfMissing(this, check);
      assert.deepEqual(check, { status: 'ok' });
    });
  }

  it('atom is valid against atom.rnc (jing)', function () {
    this.timeout(30_000);
    const check = jingAtom(outputs.atom);
    skipIfMissing(this, check);
    assert.deepEqual(check, { status: 'ok' });
  });

  it('json is valid JSON Feed 1.1', function () {
    const check = validateJsonFeed11(JSON.parse(outputs.json));
    skipIfMissing(this, check);
    assert.deepEqual(check, { status: 'ok' });
  });

  for (const f of FORMATS) {
    it(`${f} reads back every hostile field intact`, () => {
      const feed = readers[f](outputs[f]);
      const item = feed.items[0];
      assert.ok(item !== undefined);
      const clean = stripForbidden;
      assert.equal(feed.title, clean(`${HOSTILE.markup} ${HOSTILE.controls}`));
      assert.equal(feed.description, HOSTILE.cdata);
      // The guid holds spaces and quotes, so it is not an IRI: every format uses the scoped urn.
      assert.equal(item.id, articleId(a));
      assert.match(item.id ?? '', /^urn:wirefeed:hostile:tag%3Ahostile\.example/);
      assert.equal(item.url, a.url);
      assert.equal(item.title, clean(a.title as string));
      assert.equal(item.summary, clean(a.summary as string));
      assert.equal(item.contentHtml, clean(a.contentHtml as string));
      assert.ok((item.contentHtml ?? '').length > ONE_MB);
      assert.deepEqual(
        item.authors.map((p) => p.name),
        a.authors.map((p) => clean(p.name)),
      );
      assert.equal(item.categories[0]?.term, clean(a.categories[0]?.term as string));
      assert.equal(item.categories[0]?.scheme, a.categories[0]?.scheme);
      assert.equal(item.rights, clean(a.rights as string));
      const asset = item.assets[0];
      const src = a.assets[0];
      assert.ok(asset !== undefined && src !== undefined);
      assert.equal(asset.url, src.url);
      assert.equal(asset.title, src.title);
      assert.equal(asset.caption, clean(src.caption as string));
      assert.equal(asset.credit, src.credit);
      assert.equal(asset.creditRole, src.creditRole);
      assert.equal(item.source.title, a.source.title);
      assert.equal(item.source.feedUrl, a.source.feedUrl);
    });
  }
});
