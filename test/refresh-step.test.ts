// The refresh step as a pure function: (source, fetch result, process result, now) →
// (fetch record, next fetch time, WebSub links). Random is fixed at 0.5 (no jitter), so
// every schedule is exact.
import assert from 'node:assert/strict';
import { FetchError, ParseError } from '../src/errors.js';
import type { FetchResult } from '../src/ingest/types.js';
import type { NormalizedFeed, Source } from '../src/model/types.js';
import { bodyHashOf, refreshStep, type FetchStepResult, type RefreshStep } from '../src/services/refresh-step.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const NOW_ISO = NOW.toISOString();
const START = '2026-06-01T11:59:59.000Z';
const at = (s: number) => new Date(NOW.getTime() + s * 1000).toISOString();

const SOURCE: Source = {
  id: 7,
  slug: 'wire',
  url: 'https://news.example.org/feed.xml',
  categories: [],
  minIntervalS: 300,
  maxIntervalS: 6 * 3600,
  nextFetchAt: START,
  errorCount: 2,
  status: 'active',
  visibility: 'public',
  lint: [],
  createdAt: '2026-01-01T00:00:00.000Z',
};

const BODY = Buffer.from('<rss/>');
const common = { finalUrl: SOURCE.url, redirects: [], status: 200, ms: 5 };
const modified = (extra: Partial<Extract<FetchResult, { kind: 'modified' }>> = {}): FetchResult => ({ kind: 'modified', body: BODY, ...common, ...extra });
const FEED: NormalizedFeed = {
  meta: { title: 'Wire', siteUrl: 'https://news.example.org/', language: 'en', ttlMinutes: 60, hub: 'https://hub.example.org/', format: 'rss2' },
  items: [{ identityKey: 'k1', identityKind: 'guid', title: 'A', contentHash: 'h', publishedAt: '2026-06-01T10:00:00.000Z' } as never],
  lint: [{ code: 'no_items', message: 'm' }],
  states: [],
};

function step(result: FetchStepResult, source: Partial<Source> = {}, pushed = false): RefreshStep {
  return refreshStep({ source: { ...SOURCE, ...source }, startedAt: START, pushed, result, now: NOW, random: () => 0.5 });
}

interface Row {
  name: string;
  run: () => RefreshStep;
  outcome: string;
  nextFetchAt: string | undefined;
  /** Members the record's source patch must have (undefined: must be absent or undefined). */
  patch: Record<string, unknown>;
  warnings: string[];
  record?: Record<string, unknown>;
  links?: Record<string, unknown>;
}

const rows: Row[] = [
  {
    name: '200, new body: modified, feed facts fill gaps, scheduled by the ttl',
    run: () => step({ kind: 'fetched', res: modified({ etag: '"v2"', link: '<https://hub2.example.org/>; rel="hub"' }), bodyHash: bodyHashOf(BODY), feed: FEED }),
    outcome: 'modified',
    nextFetchAt: at(3600),
    patch: { etag: '"v2"', lastModified: null, bodyHash: bodyHashOf(BODY), lastFetchedAt: NOW_ISO, lastSuccessAt: NOW_ISO, errorCount: 0, lastError: undefined, title: 'Wire', siteUrl: 'https://news.example.org/', language: 'en', lint: FEED.lint },
    warnings: ['lint no_items: m'],
    record: { httpStatus: 200, bytes: BODY.length, items: FEED.items, states: [], finalUrl: undefined, now: NOW_ISO },
    links: { hub: 'https://hub2.example.org/', self: undefined },
  },
  {
    name: '200, new body, operator-set title kept; same site URL not rewritten',
    run: () => step({ kind: 'fetched', res: modified(), bodyHash: 'x', feed: FEED }, { title: 'Mine', siteUrl: 'https://news.example.org/' }),
    outcome: 'modified',
    nextFetchAt: at(3600),
    patch: { title: undefined, siteUrl: undefined, bodyHash: 'x' },
    warnings: ['lint no_items: m'],
    links: { hub: 'https://hub.example.org/', self: undefined },
  },
  {
    name: '200, body unchanged: not-modified without processing, validators cleared when absent',
    run: () => step({ kind: 'fetched', res: modified({ freshForS: 900 }), bodyHash: 'same' }, { bodyHash: 'same', etag: '"old"' }),
    outcome: 'not-modified',
    nextFetchAt: at(900),
    patch: { etag: null, lastModified: null, errorCount: 0, lastError: undefined, lastFetchedAt: NOW_ISO, bodyHash: undefined, lastSuccessAt: undefined },
    warnings: ['body unchanged since the last fetch (the server sent no validator that matched)'],
    record: { bytes: BODY.length },
  },
  {
    name: '304: validators kept unless the server sent new ones; min interval',
    run: () => step({ kind: 'fetched', res: { kind: 'not-modified', ...common, status: 304, lastModified: 'Mon, 01 Jun 2026 10:00:00 GMT' } }),
    outcome: 'not-modified',
    nextFetchAt: at(300),
    patch: { lastModified: 'Mon, 01 Jun 2026 10:00:00 GMT', etag: undefined, errorCount: 0 },
    warnings: [],
    record: { httpStatus: 304, bytes: undefined },
  },
  {
    name: '304 after permanent and temporary redirects: moved, with both warnings',
    run: () =>
      step({
        kind: 'fetched',
        res: { kind: 'not-modified', ...common, status: 304, finalUrl: 'https://new.example.org/f', permanentUrl: 'https://new.example.org/f', redirects: [{ status: 301, from: SOURCE.url, to: 'https://mid.example.org/' }, { status: 302, from: 'https://mid.example.org/', to: 'https://new.example.org/f' }] } as FetchResult,
      }),
    outcome: 'not-modified',
    nextFetchAt: at(300),
    patch: { url: 'https://new.example.org/f' },
    warnings: ['moved permanently to https://new.example.org/f', 'temporary redirect 302 to https://new.example.org/f'],
    record: { finalUrl: 'https://new.example.org/f' },
  },
  {
    name: '410: gone, no next fetch',
    run: () => step({ kind: 'fetched', res: { kind: 'gone', ...common, status: 410 } }),
    outcome: 'gone',
    nextFetchAt: undefined,
    patch: { status: 'gone', statusReason: `HTTP 410 Gone at ${NOW_ISO}`, lastFetchedAt: NOW_ISO },
    warnings: [],
    record: { error: 'HTTP 410 Gone: the publisher removed this feed; no more fetches' },
  },
  {
    name: '429: retry when the server said',
    run: () => step({ kind: 'fetched', res: { kind: 'retry-later', ...common, status: 429, until: at(120) } }),
    outcome: 'retry-later',
    nextFetchAt: at(120),
    patch: { nextFetchAt: at(120) },
    warnings: [],
    record: { error: `HTTP 429: server asked to retry after ${at(120)}` },
  },
  {
    name: 'fetch error: counted, backed off min·2^(n-1)',
    run: () => step({ kind: 'failed', error: new FetchError('HTTP 500', { httpStatus: 500 }) }),
    outcome: 'error',
    nextFetchAt: at(300 * 4),
    patch: { errorCount: 3, lastError: 'HTTP 500', status: undefined },
    warnings: [],
    record: { httpStatus: 500, error: 'HTTP 500', now: NOW_ISO },
  },
  {
    name: 'the 20th failure in a row pauses the source',
    run: () => step({ kind: 'failed', error: new Error('boom') }, { errorCount: 19 }),
    outcome: 'error',
    nextFetchAt: at(24 * 3600),
    patch: { errorCount: 20, status: 'paused', statusReason: 'paused after 20 consecutive failures; last: boom' },
    warnings: [],
    record: { httpStatus: undefined },
  },
  {
    name: 'a processing error keeps the fetch warnings; a pushed document says so first',
    run: () => step({ kind: 'failed', error: new ParseError('parse: not a feed'), res: { ...modified(), permanentUrl: 'https://new.example.org/f' } }, {}, true),
    outcome: 'error',
    nextFetchAt: at(1200),
    patch: { errorCount: 3, lastError: 'parse: not a feed' },
    warnings: ['pushed by the WebSub hub (no fetch)', 'moved permanently to https://new.example.org/f'],
  },
];

describe('refreshStep: (source, fetch result, process result, now) → (record, schedule)', () => {
  for (const r of rows) {
    it(r.name, () => {
      const s = r.run();
      assert.equal(s.record.outcome, r.outcome);
      assert.equal(s.nextFetchAt, r.nextFetchAt);
      if (r.outcome !== 'gone') assert.equal(s.record.source.nextFetchAt, r.nextFetchAt);
      assert.equal(s.record.sourceId, SOURCE.id);
      assert.equal(s.record.startedAt, START);
      assert.equal(s.record.source.lastFetchedAt, NOW_ISO);
      for (const [k, v] of Object.entries(r.patch)) assert.deepEqual((s.record.source as Record<string, unknown>)[k], v, `source.${k}`);
      assert.deepEqual(s.record.warnings, r.warnings);
      for (const [k, v] of Object.entries(r.record ?? {})) assert.deepEqual((s.record as unknown as Record<string, unknown>)[k], v, k);
      assert.deepEqual(s.links, r.links ?? {});
    });
  }

  it('is pure: the same input gives the same step, and the source is not changed', () => {
    const source = { ...SOURCE };
    const input = { source, startedAt: START, pushed: false, result: { kind: 'fetched', res: modified(), bodyHash: 'h', feed: FEED } as FetchStepResult, now: NOW, random: () => 0.5 };
    assert.deepEqual(refreshStep(input), refreshStep(input));
    assert.deepEqual(source, SOURCE);
  });
});
