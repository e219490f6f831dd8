import assert from 'node:assert/strict';
import { parseOpml } from '../src/ingest/opml.js';
import { exportOpml } from '../src/services/opml.js';
import type { Source } from '../src/model/types.js';

describe('opml', () => {
  it('reads feeds with nested folders as categories, entities decoded, any attribute case', () => {
    const feeds = parseOpml(`<?xml version="1.0"?>
<opml version="2.0"><head><title>subs</title></head><body>
  <outline text="News"><outline text="World &amp; Politics">
    <outline type="rss" text="Wire" XMLURL="https://wire.example/feed" htmlUrl="https://wire.example/"/>
  </outline></outline>
  <outline type="rss" title="Top level" text="ignored" xmlUrl=" https://top.example/rss "/>
</body></opml>`);
    assert.deepEqual(feeds, [
      { url: 'https://wire.example/feed', title: 'Wire', siteUrl: 'https://wire.example/', categories: ['News', 'World & Politics'] },
      { url: 'https://top.example/rss', title: 'Top level', siteUrl: undefined, categories: [] },
    ]);
  });

  it('refuses what is not OPML', () => {
    assert.throws(() => parseOpml('<rss version="2.0"><channel/></rss>'), /opml: not an OPML document/);
  });

  const truncated: [string, string, RegExp][] = [
    ['cut inside the body', '<?xml version="1.0"?><opml version="2.0"><body><outline text="A" xmlUrl="https://a.example/rss"/><outline text="News">', /<outline> is never closed/],
    ['cut before </opml>', '<opml version="2.0"><body><outline xmlUrl="https://a.example/rss"/></body>', /<opml> is never closed/],
  ];
  for (const [name, text, re] of truncated) {
    it(`refuses a truncated file (${name}) instead of importing half of it`, () => {
      assert.throws(() => parseOpml(text), (err: unknown) => err instanceof Error && /^opml: malformed document/.test(err.message) && re.test(err.message));
    });
  }

  it('round-trips its own export', () => {
    const src = (id: number, slug: string, categories: string[]): Source =>
      ({ id, slug, url: `https://example.org/${slug}.xml`, title: `${slug} <&>`, siteUrl: 'https://example.org/', categories }) as Source;
    const text = exportOpml([src(1, 'b', ['World']), src(2, 'a', [])]);
    assert.deepEqual(
      parseOpml(text).map((f) => [f.url, f.title, f.categories]),
      [
        ['https://example.org/a.xml', 'a <&>', []],
        ['https://example.org/b.xml', 'b <&>', ['World']],
      ],
    );
  });
});
