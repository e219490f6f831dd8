// The hand-written sanitizer (src/ingest/sanitize.ts) against sanitize-html with the same
// policy (test/support/sanitize-html-reference.ts): the outputs must be identical, for every
// HTML body and text in the test fixtures, a table of attacks, and seeded random markup built
// from the same pieces. The text-only reading (htmlTextContent) is held to sanitize-html's
// text-only mode the same way.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFeedDocument } from '../src/ingest/parse.js';
import { ALLOWED_ATTRIBUTES, EMPTY_VALUE_ATTRIBUTES } from '../src/ingest/sanitize-policy.js';
import { createHtmlSanitizer, htmlTextContent } from '../src/ingest/sanitize.js';
import { createUrlPolicy } from '../src/ingest/urls.js';
import { prng } from './support/prng.js';
import { NON_BOOLEAN_ATTRIBUTES, referenceSanitize, referenceTextContent } from './support/sanitize-html-reference.js';

const BASES = ['https://news.example.org/section/feed.xml', 'http://blog.example.com/2026/01/post/', 'https://example.net'];

function assertSame(html: string): void {
  for (const base of BASES) {
    const ours = createHtmlSanitizer(createUrlPolicy()).sanitize(html, base);
    const reference = referenceSanitize(html, base, createUrlPolicy());
    assert.equal(ours, reference, `sanitize ${JSON.stringify(html)} against ${base}`);
  }
  assert.equal(htmlTextContent(html), referenceTextContent(html), `text content of ${JSON.stringify(html)}`);
}

/** Every string in a parsed document or JSON value (bodies, summaries, titles, attributes). */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) strings(v, out);
  return out;
}

const FIXTURES = ['ingest', 'wire'].map((d) => path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', d));

async function fixtureBodies(): Promise<string[]> {
  const bodies: string[] = [];
  for (const dir of FIXTURES) {
    for (const name of readdirSync(dir).filter((f) => /\.(xml|rdf|json|html|txt)$/.test(f))) {
      const text = readFileSync(path.join(dir, name), 'utf8');
      bodies.push(text);
      if (name.endsWith('.json')) {
        try {
          bodies.push(...strings(JSON.parse(text)));
        } catch {
          // not JSON after all: the text itself is already in the list
        }
      } else if (!name.endsWith('.html') && !name.endsWith('.txt')) {
        try {
          bodies.push(...strings(await parseFeedDocument(text)));
        } catch {
          // a fixture that does not parse (malformed.xml): its text is already in the list
        }
      }
    }
  }
  return [...new Set(bodies)];
}

const SCHEME_SPELLINGS = [
  'javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', '\u0001javascript:alert(1)',
  'java\tscript:alert(1)', 'java\nscript:alert(1)', 'java&#x09;script:alert(1)', 'jav&#x0A;ascript:alert(1)',
  'javascript&#58;alert(1)', '&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:alert(1)', 'javascript&colon;alert(1)',
  'java<!-- x -->script:alert(1)', 'vbscript:msgbox(1)', 'VBScript:msgbox(1)', 'livescript:x', 'data:text/html;base64,PHNjcmlwdD4=',
  'DATA:image/png;base64,AAAA', ' data:image/svg+xml,<svg onload=alert(1)>', 'data://x.org/a.png', '//evil.example/x.js',
  '\\\\evil.example/x', '/\\evil.example/x', 'https:evil.example', 'http://evil.example/a b', 'file:///etc/passwd',
  'mailto:desk@example.org', 'MAILTO:desk@example.org', '#note-1', ' #frag', '', ' ', '?q=1', 'a.jpg', '../x/y.png',
  'https://www.youtube.com/embed/x', 'https://YOUTUBE.com/embed/x', 'https://www.youtube.com.evil.example/', 'https://user@player.vimeo.com/1',
  'http://[::1]/x', 'https://xn--n3h.example/', 'https://example.com/%zz', 'https://example.com/\u00e9',
];

const ATTACKS = [
  '<p>a</p><script>alert(1)</script>', '<SCRIPT SRC=//evil.example/x.js></SCRIPT>', '<script>document.write("<p>x</p>")</script>after',
  '<style>body{display:none}</style><p>x</p>', '<p style="width:expression(alert(1))">x</p>', '<img src="a.jpg" onerror="alert(1)">',
  '<a href="/x" onclick="steal()" ONMOUSEOVER="x()">x</a>', '<body onload=alert(1)>b</body>', '<iframe src="https://evil.example/"></iframe>',
  '<iframe src="https://www.youtube.com/embed/x" srcdoc="<script>alert(1)</script>" sandbox="allow-top-navigation">i</iframe>',
  '<iframe src=javascript:alert(1)>', '<iframe>unclosed', '<object data="x.swf"><embed src="x.swf"></object>', '<applet code=x>a</applet>t',
  '<form action="https://evil.example/"><input name="pw"><button>Go</button><select><option>o</option></select><textarea>t</textarea></form>',
  '<form><form><p>nested</p></form></form>', '<meta http-equiv="refresh" content="0;url=https://evil.example/">', '<base href="https://evil.example/"><a href="x">x</a>',
  '<link rel="stylesheet" href="https://evil.example/x.css">', '<svg><script>alert(1)</script><a xlink:href="javascript:alert(1)">x</a></svg>after',
  '<svg><foreignObject><p>x</p></foreignObject></svg>y', '<math><mi xlink:href="javascript:alert(1)">x</mi></math>z', '<svg/onload=alert(1)>',
  '<img src="http://feeds.feedburner.com/~r/demo/~4/abc" height="1" width="1">', '<img src="https://stats.example.net/p.gif" width=" 1 " height="0">',
  '<img src="https://pixel.wp.com/b.gif?x=1" alt="">', '<img src="//cdn.example.org/a.jpg">', '<a href="/x" target="_blank">x</a>',
  '<img src="/a.jpg" srcset="data:image/png;base64,AA 1x, /b.jpg 2x">', '<img src="/a.jpg" srcset="javascript:alert(1) 2x">',
  '<img srcset="/a.jpg 1x, /b.jpg 2.0x, /c.jpg 300w, /d.jpg 1.5x 2x, /e.jpg 2X, /f,g.jpg 3x, , /h.jpg">', '<source srcset="/a.webp" type="image/webp">',
  '<picture><source srcset="x.avif 1x"><img src="y.jpg"></picture>', '<img data-src="/real.jpg" src="/spacer.gif">', '<img data-lazy-srcset="/a.jpg 1x" data-original="/o.jpg">',
  '<p>unclosed <b>bold <i>italic', '</p></b>stray end tags</i>', '<p><div>block in p</div></p>', '<table><tr><td>a<td>b</table>', '<li>a<li>b',
  '<!-- comment --><p>x</p><!-- <script>alert(1)</script> -->', '<!--> <p>odd comment</p>', '<![CDATA[<script>alert(1)</script>]]>after',
  '<?xml version="1.0"?><p>pi</p>', '<!DOCTYPE html><p>doc</p>', '&lt;script&gt;alert(1)&lt;/script&gt;', '&amp;lt;b&amp;gt;', '&nbsp;&copy;&#169;&#xA9;&bogus; &#0; &#x110000;',
  'AT&T & a&&b &amp &lt', '<p title="a &quot;b&quot; \'c\' <d> &amp;">t</p>', '<a href="/x?a=1&b=2&amp;c=3" title=\'x"y\'>q</a>', '<p lang="en" dir="rtl" LANG="fr">x</p>',
  '<video controls poster="p.jpg" autoplay><source src="v.mp4" type="video/mp4"><track src="c.vtt" kind="captions" default></video>', '<audio src="" controls="">a</audio>',
  '<details open><summary>s</summary>d</details>', '<ol reversed start="" type="a"><li value="3">x</li></ol>', '<td colspan="" rowspan="2">t</td>',
  '<xmp><script>alert(1)</script></xmp>', '<noscript><img src=x onerror=alert(1)></noscript>', '<template><script>alert(1)</script></template>t',
  '<title><p>x</p></title>after title', '<head><title>h</title></head><p>b</p>', '<plaintext><b>p', '<noembed><script>alert(1)</script></noembed>',
  '<a href="a"><a href="b">nested links</a></a>', '<a\nhref="/x"\tTITLE="t">x</a>', '<img src="/a.jpg" alt>', '<img/src="/a.jpg"/alt="x">', '<p<b>x</b>',
  '<a href="https://a.example/" rel="nofollow" rel="x">dup</a>', '<a href=https://a.example/?x=<b>y</b>>z</a>', '<img src="/a.jpg"width="1"height="1">',
  '<blockquote cite="javascript:alert(1)">q</blockquote>', '<q cite="//evil.example/">q</q>', '<time datetime="2026-01-01T00:00Z">t</time>', '<col span="2"><colgroup span="">',
  '<br/><br /><br></br><hr>x', '<wbr>w', '<img>', '<img src>', '<iframe src="https://www.youtube.com/embed/x"></iframe>',
  '<div><span><em><strong><code><pre><sub><sup><small><mark><abbr title="t"><cite><u><s>deep</s></u></cite></abbr></mark></small></sup></sub></pre></code></strong></em></span></div>',
  '\u0000null\u0000 <p>\u0000</p>', '\uFEFFbom <p>\uD800 lone surrogate</p>', ' \n <p>  padded  </p> \n ', 'plain text only', '',
];

function schemeCases(): string[] {
  const out: string[] = [];
  for (const u of SCHEME_SPELLINGS) {
    const q = u.replace(/"/g, '&quot;');
    out.push(`<a href="${q}">a</a>`, `<img src="${q}">`, `<img src="/ok.jpg" srcset="${q} 2x">`, `<video poster="${q}" src="${q}"></video>`);
    out.push(`<blockquote cite="${q}">b</blockquote>`, `<iframe src="${q}"></iframe>`, `<source src="${q}">`, `<a href='${u.replace(/'/g, '&#39;')}'>s</a>`, `<a href=${u.replace(/[\s>]/g, '')}>u</a>`);
  }
  return out;
}

const PIECES = [
  '<p>', '</p>', '<a href="/x">', '<a href="javascript:x">', '</a>', '<img src="/i.jpg">', '<img src="data:x">', '<img width=1 height=1 src="/p.gif">', '<br>', '<div class="c">',
  '</div>', '<script>', '</script>', '<style>', '</style>', '<svg>', '</svg>', '<b>', '</b>', '<iframe src="https://player.vimeo.com/v">', '</iframe>', '<table>', '<td>', '</tr>',
  '<!--', '-->', '<![CDATA[', ']]>', '&amp;', '&lt;', '&', '<', '>', '"', "'", 'text ', ' ', '\n', 'é', '<li>', '<ul>', '</ul>', '<source srcset="/a.jpg 2x">', '<noscript>',
  '</noscript>', '<title>', '</title>', '<textarea>', '</textarea>', '<option>', '<math>', '</math>', '<video controls>', '</video>', '<img data-src="/l.jpg" src="/blank.gif">',
  '<span lang="x" onclick="y">', '</span>', '<form>', '</form>', '<x-custom a=b>', '</x-custom>', '<h1>', '</h2>', '<img src="https://pixel.wp.com/x">', '<q cite="/c">',
];

function randomCases(seed: number, n: number): string[] {
  const rnd = prng(seed);
  return Array.from({ length: n }, () => {
    let s = '';
    const len = 1 + Math.floor(rnd() * 24);
    for (let i = 0; i < len; i++) s += PIECES[Math.floor(rnd() * PIECES.length)];
    return s;
  });
}

describe('sanitizer: hand-written against sanitize-html (differential)', () => {
  it('every HTML body, text and document in the test fixtures', async () => {
    const bodies = await fixtureBodies();
    assert.ok(bodies.length > 100, `only ${bodies.length} fixture strings`);
    for (const b of bodies) assertSame(b);
  });
  it('a table of attacks and broken markup', () => {
    for (const html of ATTACKS) assertSame(html);
  });
  it('URLs in every spelling, in every URL attribute', () => {
    for (const html of schemeCases()) assertSame(html);
  });
  it('3,000 seeded random fragments', () => {
    for (const html of randomCases(20261208, 3000)) assertSame(html);
  });
  it('an empty allowed attribute is dropped exactly when sanitize-html calls it non-boolean', () => {
    const allowed = new Set(Object.values(ALLOWED_ATTRIBUTES).flat());
    for (const name of allowed) {
      const keptEmpty = EMPTY_VALUE_ATTRIBUTES.includes(name);
      assert.equal(keptEmpty, name === 'alt' || !NON_BOOLEAN_ATTRIBUTES.includes(name), name);
    }
  });
});
