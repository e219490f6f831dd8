// The hand-written sanitizer (src/ingest/sanitize.ts) against sanitize-html with the same
// policy (test/support/sanitize-html-reference.ts, what ingest ran before) on the HTML bodies
// of the ingest bench's corpus, one thread, CPU time. Both outputs are compared body by body
// first: a body where they differ fails the figure.
import { createHtmlSanitizer } from '../src/ingest/sanitize.js';
import { createUrlPolicy } from '../src/ingest/urls.js';
import { referenceSanitize } from '../test/support/sanitize-html-reference.js';
import { generateCorpus } from './support/corpus.js';
import { round } from './support/stats.js';
import type { BenchModule } from './types.js';

/** The HTML bodies of the corpus feeds, as the sanitizer receives them (CDATA, escaped content, JSON content_html). */
function corpusBodies(count: number): string[] {
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  const bodies: string[] = [];
  for (const f of generateCorpus(count, 7)) {
    if (f.format === 'json') {
      for (const it of (JSON.parse(f.bytes.toString('utf8')) as { items: { content_html: string }[] }).items) bodies.push(it.content_html);
      continue;
    }
    const text = f.bytes.toString('latin1');
    for (const m of text.matchAll(/<!\[CDATA\[([\s\S]*?)\]\]>/g)) bodies.push(m[1]!);
    for (const m of text.matchAll(/<content(?::encoded)?[^>]*>([^<]*)<\/content/g)) bodies.push(unescape(m[1]!));
  }
  return bodies;
}

function cpuMs(fn: () => void): number {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

export const run: BenchModule = async ({ quick, log }) => {
  const bodies = corpusBodies(quick ? 60 : 300);
  const base = 'https://bench.example.com/feed';
  const ours = createHtmlSanitizer(createUrlPolicy());
  const refUrls = createUrlPolicy();
  const differing = bodies.filter((b) => ours.sanitize(b, base) !== referenceSanitize(b, base, refUrls)).length;
  log(`${bodies.length} bodies, ${differing} outputs differ`);
  const rounds = quick ? 3 : 5;
  let oursMs = 0;
  let refMs = 0;
  for (let r = 0; r < rounds; r++) {
    refMs += cpuMs(() => bodies.forEach((b) => referenceSanitize(b, base, refUrls)));
    oursMs += cpuMs(() => bodies.forEach((b) => ours.sanitize(b, base)));
  }
  const n = bodies.length * rounds;
  const oursRate = (n * 1000) / oursMs;
  const refRate = (n * 1000) / refMs;
  log(`hand-written ${(oursMs * 1000 / n).toFixed(1)} µs/body, sanitize-html ${(refMs * 1000 / n).toFixed(1)} µs/body`);
  return [
    {
      name: 'sanitize feed HTML bodies, one thread (CPU time)',
      subject: { name: 'hand-written sanitizer on htmlparser2 (sanitize.ts)', value: Math.round(oursRate), unit: 'bodies/s' },
      baseline: { name: 'sanitize-html 2.17 with the same policy', value: Math.round(refRate), unit: 'bodies/s' },
      ratio: round(oursRate / refRate),
      target: '≥ 2, identical output',
      pass: differing === 0 && oursRate / refRate >= 2,
      notes: `${bodies.length} bodies of the ingest corpus (figures, links with handlers, tracking pixels, scripts) × ${rounds} rounds; ${differing} outputs differ; the URL policy's work (resolving every href/src) is in both`,
    },
  ];
};
