import assert from 'node:assert/strict';
import { parseFeedDate, resolveItemDates } from '../src/ingest/dates.js';

const PARSE: [name: string, input: string, iso: string | undefined][] = [
  ['RFC 1123 GMT', 'Wed, 03 Dec 2025 14:05:00 GMT', '2025-12-03T14:05:00.000Z'],
  ['numeric offset', 'Wed, 03 Dec 2025 16:05:00 +0200', '2025-12-03T14:05:00.000Z'],
  ['offset with colon', 'Wed, 03 Dec 2025 16:05:00 +02:00', '2025-12-03T14:05:00.000Z'],
  ['missing weekday', '03 Dec 2025 14:05:00 GMT', '2025-12-03T14:05:00.000Z'],
  ['wrong weekday is ignored', 'Fri, 03 Dec 2025 14:05:00 GMT', '2025-12-03T14:05:00.000Z'],
  ['single-digit day', 'Wed, 3 Dec 2025 14:05:00 GMT', '2025-12-03T14:05:00.000Z'],
  ['two-digit year', 'Wed, 03 Dec 25 14:05:00 GMT', '2025-12-03T14:05:00.000Z'],
  ['two-digit year in the 1900s', 'Fri, 03 Dec 99 14:05:00 GMT', '1999-12-03T14:05:00.000Z'],
  ['no seconds', 'Wed, 03 Dec 2025 14:05 GMT', '2025-12-03T14:05:00.000Z'],
  ['GMT+2', 'Wed, 03 Dec 2025 16:05:00 GMT+2', '2025-12-03T14:05:00.000Z'],
  ['UT', 'Wed, 03 Dec 2025 14:05:00 UT', '2025-12-03T14:05:00.000Z'],
  ['EST', 'Wed, 03 Dec 2025 09:05:00 EST', '2025-12-03T14:05:00.000Z'],
  ['EDT', 'Wed, 03 Jul 2025 10:05:00 EDT', '2025-07-03T14:05:00.000Z'],
  ['CST', 'Wed, 03 Dec 2025 08:05:00 CST', '2025-12-03T14:05:00.000Z'],
  ['CDT', 'Thu, 03 Jul 2025 09:05:00 CDT', '2025-07-03T14:05:00.000Z'],
  ['MST', 'Wed, 03 Dec 2025 07:05:00 MST', '2025-12-03T14:05:00.000Z'],
  ['MDT', 'Thu, 03 Jul 2025 08:05:00 MDT', '2025-07-03T14:05:00.000Z'],
  ['PST', 'Wed, 03 Dec 2025 06:05:00 PST', '2025-12-03T14:05:00.000Z'],
  ['PDT', 'Thu, 03 Jul 2025 07:05:00 PDT', '2025-07-03T14:05:00.000Z'],
  ['CET', 'Wed, 03 Dec 2025 15:05:00 CET', '2025-12-03T14:05:00.000Z'],
  ['CEST', 'Thu, 03 Jul 2025 16:05:00 CEST', '2025-07-03T14:05:00.000Z'],
  ['BST', 'Thu, 03 Jul 2025 15:05:00 BST', '2025-07-03T14:05:00.000Z'],
  ['IST (India)', 'Wed, 03 Dec 2025 19:35:00 IST', '2025-12-03T14:05:00.000Z'],
  ['JST', 'Wed, 03 Dec 2025 23:05:00 JST', '2025-12-03T14:05:00.000Z'],
  ['AEST', 'Thu, 04 Dec 2025 00:05:00 AEST', '2025-12-03T14:05:00.000Z'],
  ['lowercase month and zone', 'wed, 03 dec 2025 14:05:00 gmt', '2025-12-03T14:05:00.000Z'],
  ['full month name', 'Wednesday, 03 December 2025 14:05:00 GMT', '2025-12-03T14:05:00.000Z'],
  ['Sept abbreviation', '03 Sept 2025 14:05:00 GMT', '2025-09-03T14:05:00.000Z'],
  ['RFC 822 without zone is UTC', 'Wed, 03 Dec 2025 14:05:00', '2025-12-03T14:05:00.000Z'],
  ['RFC 3339 Z', '2025-12-03T14:05:00Z', '2025-12-03T14:05:00.000Z'],
  ['RFC 3339 fraction and offset', '2025-12-03T16:05:00.250+02:00', '2025-12-03T14:05:00.250Z'],
  ['ISO without zone is UTC', '2025-12-03T14:05:00', '2025-12-03T14:05:00.000Z'],
  ['ISO with space separator', '2025-12-03 14:05:00', '2025-12-03T14:05:00.000Z'],
  ['ISO date only', '2025-12-03', '2025-12-03T00:00:00.000Z'],
  ['ISO compact offset', '2025-12-03T16:05:00+0200', '2025-12-03T14:05:00.000Z'],
  ['US style', 'December 3, 2025 2:05 PM GMT', '2025-12-03T14:05:00.000Z'],
  ['Date#toString', 'Wed Dec 03 2025 16:05:00 GMT+0200 (Eastern European Standard Time)', '2025-12-03T14:05:00.000Z'],
  ['surrounding whitespace', '  \n Wed, 03 Dec 2025 14:05:00 GMT \n', '2025-12-03T14:05:00.000Z'],
  ['garbage', 'sometime last week', undefined],
  ['empty', '', undefined],
  ['31 February', '2025-02-31T00:00:00Z', undefined],
  ['bare number', '1733234700', undefined],
];

describe('parseFeedDate', () => {
  for (const [name, input, iso] of PARSE) {
    it(name, () => assert.equal(parseFeedDate(input)?.toISOString(), iso));
  }
});

describe('resolveItemDates', () => {
  const now = '2026-01-10T12:00:00.000Z';
  const CASES: { name: string; raw: { published?: string; updated?: string; dcDate?: string }; published: string | undefined; updated?: string; findings: string[] }[] = [
    { name: 'published wins', raw: { published: '2026-01-09T00:00:00Z', updated: '2026-01-10T00:00:00Z' }, published: '2026-01-09T00:00:00.000Z', updated: '2026-01-10T00:00:00.000Z', findings: [] },
    { name: 'updated when published is missing', raw: { updated: '2026-01-08T00:00:00Z' }, published: '2026-01-08T00:00:00.000Z', updated: '2026-01-08T00:00:00.000Z', findings: [] },
    { name: 'dc:date after that', raw: { dcDate: '2026-01-07T00:00:00Z' }, published: '2026-01-07T00:00:00.000Z', findings: [] },
    { name: 'nothing when nothing is dated (no date is made up)', raw: {}, published: undefined, findings: ['missing_dates'] },
    { name: 'unparsable falls through and is reported', raw: { published: 'soon', dcDate: '2026-01-07T00:00:00Z' }, published: '2026-01-07T00:00:00.000Z', findings: ['bad_date'] },
    { name: 'within a day ahead is kept', raw: { published: '2026-01-11T06:00:00Z' }, published: '2026-01-11T06:00:00.000Z', findings: [] },
    { name: 'far future is clamped to now', raw: { published: '2027-01-01T00:00:00Z' }, published: now, findings: ['future_date'] },
  ];
  for (const c of CASES) {
    it(c.name, () => {
      const r = resolveItemDates(c.raw, now);
      assert.equal(r.publishedAt, c.published);
      assert.equal(r.updatedAt, c.updated);
      assert.deepEqual(r.findings, c.findings);
    });
  }

  it('keeps the stated dates apart from fallbacks (hash input)', () => {
    assert.deepEqual(resolveItemDates({}, now).stated, {});
    assert.deepEqual(resolveItemDates({ published: '2027-01-01T00:00:00Z' }, now).stated, { published: '2027-01-01T00:00:00.000Z' });
  });
});
