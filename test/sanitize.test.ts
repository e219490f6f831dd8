import assert from 'node:assert/strict';
import { createHtmlSanitizer } from '../src/ingest/sanitize.js';
import { htmlToText, sanitizedHtmlToText } from '../src/ingest/html-text.js';
import { collapseWhitespace, truncateText } from '../src/ingest/plain-text.js';

const sanitizeHtml = (html: string, base: string): string => createHtmlSanitizer().sanitize(html, base);

const BASE = 'https://news.example.org/section/feed.xml';

/** Attacks: the output must not match `bad` (and must match `keep` when given). */
const ATTACKS: { name: string; html: string; bad: RegExp; keep?: RegExp }[] = [
  { name: 'script element', html: '<p>a</p><script>alert(1)</script>', bad: /script|alert/i, keep: /<p>a<\/p>/ },
  { name: 'script hidden in uppercase', html: '<SCRIPT SRC=//evil.example/x.js></SCRIPT>', bad: /script|evil/i },
  { name: 'style element', html: '<style>body{display:none}</style><p>x</p>', bad: /style|display/i },
  { name: 'style attribute (CSS expression)', html: '<p style="width:expression(alert(1))">x</p>', bad: /style|expression/i, keep: /<p>x<\/p>/ },
  { name: 'onerror handler', html: '<img src="a.jpg" onerror="alert(1)">', bad: /onerror|alert/i, keep: /<img src="https:\/\/news\.example\.org\/section\/a\.jpg"/ },
  { name: 'onclick on a link', html: '<a href="/x" onclick="steal()">x</a>', bad: /onclick|steal/i },
  { name: 'javascript: href', html: '<a href="javascript:alert(1)">x</a>', bad: /javascript/i, keep: />x<\/a>/ },
  { name: 'javascript: with entities and tab', html: '<a href="jav&#x09;ascript&#58;alert(1)">x</a>', bad: /javascript|alert/i },
  { name: 'vbscript: href', html: '<a href="vbscript:msgbox(1)">x</a>', bad: /vbscript/i },
  { name: 'data: href', html: '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', bad: /data:/i },
  { name: 'data: image src', html: '<img src="data:image/png;base64,AAAA">', bad: /data:|<img/i },
  { name: 'data: in srcset', html: '<img src="/a.jpg" srcset="data:image/png;base64,AA 1x, /b.jpg 2x">', bad: /data:/i, keep: /srcset="https:\/\/news\.example\.org\/b\.jpg 2x"/ },
  { name: 'iframe from unknown host', html: '<iframe src="https://evil.example/"></iframe>', bad: /iframe|evil/i },
  { name: 'object and embed', html: '<object data="x.swf"><embed src="x.swf"></object>', bad: /object|embed|swf/i },
  { name: 'form and inputs', html: '<form action="https://evil.example/"><input name="pw"><button>Go</button></form>', bad: /form|input|button|evil/i },
  { name: 'meta refresh', html: '<meta http-equiv="refresh" content="0;url=https://evil.example/">', bad: /meta|refresh|evil/i },
  { name: 'base element', html: '<base href="https://evil.example/"><a href="x">x</a>', bad: /<base|evil/i, keep: /href="https:\/\/news\.example\.org\/section\/x"/ },
  { name: 'link element', html: '<link rel="stylesheet" href="https://evil.example/x.css">', bad: /link|evil/i },
  { name: 'svg with script', html: '<svg><script>alert(1)</script></svg>', bad: /svg|script|alert/i },
  { name: 'feedburner tracking pixel', html: '<p>x</p><img src="http://feeds.feedburner.com/~r/demo/~4/abc" height="1" width="1">', bad: /feedburner|<img/i },
  { name: '1×1 pixel anywhere', html: '<img src="https://stats.example.net/p.gif" width="1" height="1">', bad: /<img/i },
  { name: 'WordPress stats pixel', html: '<img src="https://pixel.wp.com/b.gif?x=1" alt="">', bad: /<img/i },
  { name: 'protocol-relative stays https-only after resolving', html: '<img src="//cdn.example.org/a.jpg">', bad: /src="\/\//, keep: /src="https:\/\/cdn\.example\.org\/a\.jpg"/ },
  { name: 'target attribute', html: '<a href="/x" target="_blank">x</a>', bad: /target/i, keep: /rel="noopener noreferrer"/ },
  { name: 'uppercase JAVASCRIPT: href', html: '<a href="JAVASCRIPT:alert(1)">x</a>', bad: /javascript|alert/i, keep: />x<\/a>/ },
  { name: 'javascript: with a raw tab', html: '<a href="java\tscript:alert(1)">x</a>', bad: /script|alert/i },
  { name: 'javascript: with a raw newline', html: '<img src="java\nscript:alert(1)">', bad: /script|alert|<img/i },
  { name: 'javascript: behind leading space and control character', html: '<a href=" \u0001javascript:alert(1)">x</a>', bad: /javascript|alert/i },
  { name: 'javascript: in srcset', html: '<img src="/a.jpg" srcset="javascript:alert(1) 2x">', bad: /javascript|alert|srcset/i },
  { name: 'data: src of an image that looks canonical after the scheme', html: '<img src="data://x.org/a.png">', bad: /data:|<img/i },
];

/** Keeps: the output must equal `out`. */
const KEEPS: { name: string; html: string; out: string }[] = [
  { name: 'paragraphs and inline markup', html: '<p>A <em>b</em> <strong>c</strong> <code>d</code></p>', out: '<p>A <em>b</em> <strong>c</strong> <code>d</code></p>' },
  { name: 'relative link made absolute, rel added', html: '<a href="../other/page.html" title="t">x</a>', out: '<a href="https://news.example.org/other/page.html" title="t" rel="noopener noreferrer">x</a>' },
  { name: 'fragment links stay in the article', html: '<a href="#note-1">1</a>', out: '<a href="#note-1" rel="noopener noreferrer">1</a>' },
  { name: 'mailto links', html: '<a href="mailto:desk@example.org">mail</a>', out: '<a href="mailto:desk@example.org" rel="noopener noreferrer">mail</a>' },
  {
    name: 'figure with image attributes',
    html: '<figure><img src="/i/a.jpg" srcset="/i/a.jpg 1x, /i/a2.jpg 2x" sizes="100vw" alt="Alt" title="T" width="600" height="400" class="x"><figcaption>Cap</figcaption></figure>',
    out: '<figure><img src="https://news.example.org/i/a.jpg" srcset="https://news.example.org/i/a.jpg 1x, https://news.example.org/i/a2.jpg 2x" sizes="100vw" alt="Alt" title="T" width="600" height="400" /><figcaption>Cap</figcaption></figure>',
  },
  { name: 'lazy-load data-src promoted over a placeholder', html: '<img src="data:image/gif;base64,R0lGOD" data-src="/real.jpg" alt="r">', out: '<img src="https://news.example.org/real.jpg" alt="r" />' },
  { name: 'lazy-load data-lazy-src and data-srcset', html: '<img data-lazy-src="real.jpg" data-srcset="real.jpg 1x, real2.jpg 2x">', out: '<img src="https://news.example.org/section/real.jpg" srcset="https://news.example.org/section/real.jpg 1x, https://news.example.org/section/real2.jpg 2x" />' },
  {
    name: 'YouTube iframe is sandboxed',
    html: '<iframe src="https://www.youtube-nocookie.com/embed/abc" width="560" height="315" allow="autoplay" allowfullscreen></iframe>',
    out: '<iframe src="https://www.youtube-nocookie.com/embed/abc" width="560" height="315" allowfullscreen sandbox="allow-scripts allow-same-origin allow-presentation"></iframe>',
  },
  { name: 'Vimeo iframe sandbox cannot be loosened', html: '<iframe src="https://player.vimeo.com/video/1" sandbox="allow-top-navigation allow-forms"></iframe>', out: '<iframe src="https://player.vimeo.com/video/1" sandbox="allow-scripts allow-same-origin allow-presentation"></iframe>' },
  { name: 'video with poster and source', html: '<video controls poster="p.jpg"><source src="v.mp4" type="video/mp4"></video>', out: '<video controls poster="https://news.example.org/section/p.jpg"><source src="https://news.example.org/section/v.mp4" type="video/mp4" /></video>' },
  { name: 'table', html: '<table><caption>c</caption><thead><tr><th scope="col">h</th></tr></thead><tbody><tr><td colspan="2">d</td></tr></tbody></table>', out: '<table><caption>c</caption><thead><tr><th scope="col">h</th></tr></thead><tbody><tr><td colspan="2">d</td></tr></tbody></table>' },
  { name: 'blockquote, lists, time, details', html: '<blockquote cite="/src">q</blockquote><ul><li>a</li></ul><time datetime="2026-01-01">Jan</time><details><summary>s</summary>d</details>', out: '<blockquote cite="https://news.example.org/src">q</blockquote><ul><li>a</li></ul><time datetime="2026-01-01">Jan</time><details><summary>s</summary>d</details>' },
  { name: 'curly quotes and entities survive', html: '<p>‘a’ “b” – &amp; &lt;</p>', out: '<p>‘a’ “b” – &amp; &lt;</p>' },
];

describe('sanitizeHtml', () => {
  describe('attacks', () => {
    for (const c of ATTACKS) {
      it(c.name, () => {
        const out = sanitizeHtml(c.html, BASE);
        assert.doesNotMatch(out, c.bad);
        if (c.keep) assert.match(out, c.keep);
      });
    }
  });
  describe('keeps', () => {
    for (const c of KEEPS) {
      it(c.name, () => assert.equal(sanitizeHtml(c.html, BASE), c.out));
    }
  });
  it('text without markup comes out as the full sanitizer gives it', () => {
    const texts = [
      '  plain words, "double" and \'single\' quotes  ',
      'line one\r\nline two\ttabbed\u00a0nbsp',
      'ünïcödé “curly” — dash, emoji 📰, CJK 新闻',
      'a = b; c / d; 100% (e) [f] {g} #h @i ~j `k` |l|',
      'controls \u0001\u0002 and \u0000 nul',
      '\uFEFFbom and lone \uD800 surrogate',
      'looks like a tag but is not: a < b',
      'a > b',
      'AT&T, &amp; and &#8211;',
      '   ',
    ];
    for (const t of texts) {
      // Between two tags the text takes sanitize-html's full path, untrimmed.
      const full = sanitizeHtml(`<br>${t}<br>`, BASE).slice('<br />'.length, -'<br />'.length);
      assert.equal(sanitizeHtml(t, BASE), full.trim(), JSON.stringify(t));
    }
  });
});

describe('text helpers', () => {
  const TEXT: [string, string, string][] = [
    ['tags stripped, blocks spaced', '<p>One</p><p>Two<br>Three</p>', 'One Two Three'],
    ['entities decoded', 'AT&amp;T &ldquo;q&rdquo; &#8211; &#x2019;', 'AT&T “q” – ’'],
    ['script bodies dropped', 'a<script>var x = 1;</script>b', 'ab'],
    ['literal &lt; survives', '&amp;lt;tag&amp;gt;', '&lt;tag&gt;'],
    ['nbsp and newlines collapse', 'a&nbsp;&nbsp;b\n\n c', 'a b c'],
    ['plain text with > passes unchanged', 'a > b', 'a > b'],
    ['plain text whitespace collapses', ' a\u00a0\u2028b\t c ', 'a b c'],
  ];
  for (const [name, html, text] of TEXT) it(`htmlToText: ${name}`, () => assert.equal(htmlToText(html), text));

  // The fast path reads only sanitizeHtml's output; on that it must equal a full re-parse.
  const SANITIZED_TEXT: [string, string][] = [
    ['escapes and quotes', '<p>AT&amp;T &lt;b&gt; "q" &amp;lt; &nbsp;x&#169; a && b</p>'],
    ['attributes with > and &', '<a href="/x?a=1&b=2" title="a>b &quot;c&quot;">link</a> after'],
    ['blocks, lists, tables, figures', '<div>x<br>y<hr/>z</div><ul><li>1</li><li>2</li></ul><table><tr><td>a</td><td>b</td></tr></table><figure><img src="/i.jpg"><figcaption>Cap</figcaption></figure>'],
    ['dropped elements', 'a<script>bad()</script>b<textarea>t</textarea><svg><text>s</text></svg><!-- c -->d'],
    ['iframe embed', '<iframe src="https://www.youtube.com/embed/x">inner</iframe>tail'],
  ];
  for (const [name, html] of SANITIZED_TEXT) {
    it(`sanitizedHtmlToText equals htmlToText on sanitized HTML: ${name}`, () => {
      const clean = sanitizeHtml(html, BASE);
      assert.equal(sanitizedHtmlToText(clean), htmlToText(clean));
    });
  }

  it('collapseWhitespace turns every run into one space and trims', () => {
    assert.equal(collapseWhitespace(' a  b\tc\nd\u00a0e\u2028f\u2029g \r\n h '), 'a b c d e f g h');
    assert.equal(collapseWhitespace('one two'), 'one two');
    assert.equal(collapseWhitespace('\u00a0'), '');
  });

  it('truncateText cuts at a sentence or word boundary and never returns empty', () => {
    assert.equal(truncateText('First sentence here. Second sentence is long.', 30), 'First sentence here.');
    assert.equal(truncateText('word '.repeat(20), 22), 'word word word word…');
    assert.equal(truncateText('x'.repeat(50), 10), 'xxxxxxxxx…');
    assert.equal(truncateText('short', 10), 'short');
  });
});
