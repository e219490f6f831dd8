// Reusable output checks backed by real tools: xmllint, jing (RELAX NG compact), Python's
// feedparser and ajv with the JSON Feed 1.1 schema. Each reports `missing` when its tool is
// absent so callers can `this.skip()` with the reason instead of passing vacuously.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Check = { status: 'ok' } | { status: 'invalid'; message: string } | { status: 'missing'; message: string };

/** The RFC 4287 Atom schema (test/fixtures/schemas/atom.rnc). */
export const ATOM_RNC_PATH = fileURLToPath(new URL('../fixtures/schemas/atom.rnc', import.meta.url));
const PYTHON = '/usr/bin/python3';

function toolMissing(cmd: string): boolean {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status !== 0;
}

/** Mocha helper: skip the current test, naming the missing tool in its title, when a check could not run. */
export function skipIfMissing(ctx: Mocha.Context, check: { status: string; message?: string }): void {
  if (check.status !== 'missing') return;
  if (ctx.test !== undefined) ctx.test.title += ` (skipped: ${check.message ?? 'tool missing'})`;
  ctx.skip();
}

/** Well-formedness by `xmllint --noout` (reads stdin). */
export function xmllintOk(xml: string): Check {
  if (toolMissing('xmllint')) return { status: 'missing', message: 'xmllint not installed (Debian libxml2-utils)' };
  const r = spawnSync('xmllint', ['--noout', '--huge', '-'], { input: xml, encoding: 'utf8', maxBuffer: 64 << 20 });
  return r.status === 0 ? { status: 'ok' } : { status: 'invalid', message: r.stderr.slice(0, 2000) };
}

/** Validates one or more Atom documents against test/fixtures/schemas/atom.rnc in one JVM start. */
export function jingAtom(xml: string | readonly string[]): Check {
  if (toolMissing('jing')) return { status: 'missing', message: 'jing not installed (Debian jing)' };
  if (!existsSync(ATOM_RNC_PATH)) return { status: 'missing', message: `schema not found at ${ATOM_RNC_PATH}` };
  const docs = typeof xml === 'string' ? [xml] : xml;
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-jing-'));
  try {
    const files = docs.map((d, i) => {
      const f = join(dir, `doc-${i}.atom.xml`);
      writeFileSync(f, d);
      return f;
    });
    const r = spawnSync('jing', ['-c', ATOM_RNC_PATH, ...files], { encoding: 'utf8', maxBuffer: 64 << 20 });
    return r.status === 0 ? { status: 'ok' } : { status: 'invalid', message: (r.stdout + r.stderr).slice(0, 4000) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface FeedparserPerson {
  name?: string;
  email?: string;
  href?: string;
}

export interface FeedparserEntry {
  id?: string;
  title?: string;
  link?: string;
  links: { rel?: string; href?: string; type?: string; length?: string; title?: string }[];
  published?: string;
  updated?: string;
  /** dcterms:created (feedparser keeps it apart from published/updated). */
  created?: string;
  authors: FeedparserPerson[];
  tags: { term?: string; scheme?: string; label?: string }[];
  summary?: string;
  content: string[];
  enclosures: { href?: string; type?: string; length?: string }[];
  media_content: Record<string, string>[];
  media_credit: Record<string, string>[];
  media_thumbnail: Record<string, string>[];
  rights?: string;
  language?: string;
}

export interface FeedparserSummary {
  bozo: number;
  bozo_exception?: string;
  version: string;
  feed: { title?: string; link?: string; subtitle?: string; language?: string; updated?: string; id?: string; links: { rel?: string; href?: string }[] };
  entries: FeedparserEntry[];
}

const FEEDPARSER_SCRIPT = String.raw`
import sys, json, calendar, datetime
import feedparser
import base64
def iso(t):
    if not t: return None
    return datetime.datetime.fromtimestamp(calendar.timegm(t), datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
def links(ls):
    return [{k: l.get(k) for k in ('rel', 'href', 'type', 'length', 'title') if l.get(k) is not None} for l in ls or []]
def people(ps):
    return [{k: p.get(k) for k in ('name', 'email', 'href') if p.get(k) is not None} for p in ps or []]
def summarize(d):
  entries = []
  for e in d.entries:
      entries.append({
          'id': e.get('id'), 'title': e.get('title'), 'link': e.get('link'), 'links': links(e.get('links')),
          'published': iso(e.get('published_parsed')), 'updated': iso(e.get('updated_parsed')), 'created': iso(e.get('created_parsed')),
          'authors': people(e.get('authors')),
          'tags': [{k: t.get(k) for k in ('term', 'scheme', 'label') if t.get(k) is not None} for t in e.get('tags') or []],
          'summary': e.get('summary'), 'content': [c.get('value') for c in e.get('content') or []],
          'enclosures': [{k: x.get(k) for k in ('href', 'type', 'length') if x.get(k) is not None} for x in e.get('enclosures') or []],
          'media_content': [dict(m) for m in e.get('media_content') or []],
          'media_credit': [dict(m) for m in e.get('media_credit') or []],
          'media_thumbnail': [dict(m) for m in e.get('media_thumbnail') or []],
          'rights': e.get('rights'), 'language': e.get('language'),
      })
  f = d.feed
  out = {
      'bozo': int(d.bozo), 'bozo_exception': str(d.get('bozo_exception')) if d.bozo else None, 'version': d.version,
      'feed': {'title': f.get('title'), 'link': f.get('link'), 'subtitle': f.get('subtitle'), 'language': f.get('language'),
               'updated': iso(f.get('updated_parsed')), 'id': f.get('id'), 'links': links(f.get('links'))},
      'entries': entries,
  }
  return out
def read(x):
    # Served documents come with the headers they were served with (URL, media type), as when feedparser fetches.
    data = base64.b64decode(x['b'])
    return feedparser.parse(data, response_headers={'content-location': x['u'], 'content-type': x['t']}) if x.get('u') else feedparser.parse(data)
docs = json.loads(sys.stdin.buffer.read())
sys.stdout.buffer.write(json.dumps([summarize(read(x)) for x in docs], ensure_ascii=False).encode('utf-8'))
`;

/** How a document was served over HTTP. */
export interface Served {
  url: string;
  contentType: string;
}

type FeedparserResult<T> = { status: 'ok'; summary: T } | Exclude<Check, { status: 'ok' }>;

/**
 * Reads feeds with Python's feedparser (the Debian one: the pyenv python3 on PATH lacks it),
 * all in one interpreter start. Debian's feedparser 6.0 has no JSON Feed reader: XML only.
 * `served[i]`, when given, is how document i was served: its URL (relative links resolve against
 * it) and Content-Type.
 */
export function feedparserReadAll(docs: readonly (string | Buffer)[], served?: readonly (Served | undefined)[]): FeedparserResult<FeedparserSummary[]> {
  if (!existsSync(PYTHON)) return { status: 'missing', message: `${PYTHON} not found` };
  const probe = spawnSync(PYTHON, ['-c', 'import feedparser'], { encoding: 'utf8' });
  if (probe.status !== 0) return { status: 'missing', message: 'python3-feedparser not installed for /usr/bin/python3' };
  const input = JSON.stringify(docs.map((d, i) => ({ b: Buffer.from(d).toString('base64'), u: served?.[i]?.url ?? null, t: served?.[i]?.contentType ?? null })));
  const r = spawnSync(PYTHON, ['-c', FEEDPARSER_SCRIPT], { input, maxBuffer: 256 << 20 });
  if (r.status !== 0) return { status: 'invalid', message: r.stderr.toString('utf8').slice(0, 2000) };
  return { status: 'ok', summary: JSON.parse(r.stdout.toString('utf8')) as FeedparserSummary[] };
}

export function feedparserRead(bytes: string | Buffer, served?: Served): FeedparserResult<FeedparserSummary> {
  const r = feedparserReadAll([bytes], [served]);
  return r.status === 'ok' ? { status: 'ok', summary: r.summary[0] as FeedparserSummary } : r;
}

type Validate = ((data: unknown) => boolean) & { errors?: unknown };
const require = createRequire(import.meta.url);
let compiled: Validate | undefined;

function jsonFeedValidator(): Validate | undefined {
  if (compiled !== undefined) return compiled;
  try {
    const ajvModule = require('ajv') as { default: new (o: object) => { compile(s: object): Validate } };
    const addFormats = (require('ajv-formats') as { default: (ajv: unknown) => void }).default;
    const schema = require('jsonfeed-schema/schema-v1.1.json') as object;
    const ajv = new ajvModule.default({ allErrors: true, strict: false });
    addFormats(ajv);
    compiled = ajv.compile(schema);
    return compiled;
  } catch {
    return undefined;
  }
}

/**
 * JSON Feed 1.1: the jsonfeed-schema 1.1 schema plus the rules it does not encode: the 1.1
 * version string, `authors` arrays (the 1.0 `author` object is deprecated), unique item ids,
 * and extension members (keys starting with "_") that are objects.
 */
export function validateJsonFeed11(obj: unknown): Check {
  const validate = jsonFeedValidator();
  if (validate === undefined) return { status: 'missing', message: 'ajv, ajv-formats or jsonfeed-schema not installed' };
  const problems: string[] = [];
  if (!validate(obj)) problems.push(JSON.stringify(validate.errors));
  const feed = obj as { version?: unknown; author?: unknown; items?: Record<string, unknown>[] };
  if (feed.version !== 'https://jsonfeed.org/version/1.1') problems.push(`version is ${String(feed.version)}`);
  if (feed.author !== undefined) problems.push('feed uses 1.0 "author" instead of "authors"');
  const ids = new Set<unknown>();
  const checkExtensions = (where: string, o: Record<string, unknown>): void => {
    for (const [k, v] of Object.entries(o)) {
      if (k.startsWith('_') && (typeof v !== 'object' || v === null || Array.isArray(v))) problems.push(`${where}.${k} is not an object`);
    }
  };
  checkExtensions('feed', feed as Record<string, unknown>);
  for (const [i, item] of (feed.items ?? []).entries()) {
    if (item.author !== undefined) problems.push(`items[${i}] uses 1.0 "author"`);
    if (ids.has(item.id)) problems.push(`items[${i}].id ${String(item.id)} is not unique`);
    ids.add(item.id);
    checkExtensions(`items[${i}]`, item);
    for (const [j, a] of ((item.attachments as Record<string, unknown>[] | undefined) ?? []).entries()) {
      checkExtensions(`items[${i}].attachments[${j}]`, a);
    }
    for (const [j, a] of ((item.authors as Record<string, unknown>[] | undefined) ?? []).entries()) {
      checkExtensions(`items[${i}].authors[${j}]`, a);
    }
  }
  return problems.length === 0 ? { status: 'ok' } : { status: 'invalid', message: problems.join('\n') };
}
