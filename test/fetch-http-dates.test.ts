import assert from 'node:assert/strict';
import { freshnessSeconds, parseCacheControl, parseHttpDate, parseRetryAfter, retryAfterUntil } from '../src/ingest/http-dates.js';

const NOW = new Date('2025-01-15T12:00:00.000Z');

describe('fetch: http-dates', () => {
  describe('parseHttpDate (RFC 9110 §5.6.7)', () => {
    const cases: [string, string | undefined, string | undefined][] = [
      ['IMF-fixdate', 'Sun, 06 Nov 1994 08:49:37 GMT', '1994-11-06T08:49:37.000Z'],
      ['IMF-fixdate with surrounding space', '  Wed, 15 Jan 2025 12:30:00 GMT ', '2025-01-15T12:30:00.000Z'],
      ['RFC 850', 'Sunday, 06-Nov-94 08:49:37 GMT', '1994-11-06T08:49:37.000Z'],
      ['RFC 850, two-digit year in this century', 'Monday, 10-Mar-25 01:02:03 GMT', '2025-03-10T01:02:03.000Z'],
      ['RFC 850, a year over 50 years ahead is the past century', 'Friday, 01-Jan-99 00:00:00 GMT', '1999-01-01T00:00:00.000Z'],
      ['asctime (GMT, not local time)', 'Sun Nov  6 08:49:37 1994', '1994-11-06T08:49:37.000Z'],
      ['asctime with a two-digit day', 'Sat Nov 26 18:04:05 2022', '2022-11-26T18:04:05.000Z'],
      ['leap second clamped', 'Wed, 31 Dec 2025 23:59:60 GMT', '2025-12-31T23:59:59.000Z'],
      ['ISO 8601 is not an HTTP-date', '2025-01-15T12:00:00Z', undefined],
      ['non-GMT zone', 'Wed, 15 Jan 2025 12:00:00 +0100', undefined],
      ['31 February', 'Mon, 31 Feb 2025 00:00:00 GMT', undefined],
      ['hour 24', 'Wed, 15 Jan 2025 24:00:00 GMT', undefined],
      ['unknown month', 'Wed, 15 Foo 2025 12:00:00 GMT', undefined],
      ['garbage', 'soon', undefined],
      ['empty', '', undefined],
      ['absent', undefined, undefined],
    ];
    for (const [name, value, want] of cases) {
      it(name, () => assert.equal(parseHttpDate(value, NOW)?.toISOString(), want));
    }
  });

  describe('parseRetryAfter / retryAfterUntil (RFC 9110 §10.2.3)', () => {
    const at = (s: number) => new Date(NOW.getTime() + s * 1000).toISOString();
    const parsed: [string, string | undefined, string | undefined][] = [
      ['delta-seconds', '120', at(120)],
      ['zero seconds', '0', at(0)],
      ['HTTP-date', 'Wed, 15 Jan 2025 13:00:00 GMT', at(3600)],
      ['negative seconds are invalid', '-5', undefined],
      ['fractional seconds are invalid', '1.5', undefined],
      ['garbage', 'tomorrow', undefined],
      ['absent', undefined, undefined],
    ];
    for (const [name, value, want] of parsed) {
      it(`parses ${name}`, () => assert.equal(parseRetryAfter(value, NOW)?.toISOString(), want));
    }

    const clamped: [string, string | undefined, number][] = [
      ['in range', '300', 300],
      ['below the 60 s floor', '1', 60],
      ['a date in the past', 'Wed, 15 Jan 2025 11:00:00 GMT', 60],
      ['above the 24 h ceiling', '172800', 86_400],
      ['a date a week ahead', 'Wed, 22 Jan 2025 12:00:00 GMT', 86_400],
      ['absent: 10 min', undefined, 600],
      ['invalid: 10 min', 'later', 600],
    ];
    for (const [name, value, seconds] of clamped) {
      it(`clamps ${name}`, () => assert.equal(retryAfterUntil(value, NOW).toISOString(), at(seconds)));
    }
  });

  describe('parseCacheControl', () => {
    it('reads directives case-insensitively, unquotes values, keeps the first duplicate', () => {
      const cc = parseCacheControl('Public, MAX-AGE=60, max-age=999, private="set-cookie", ,no-transform');
      assert.deepEqual([...cc], [
        ['public', ''],
        ['max-age', '60'],
        ['private', 'set-cookie'],
        ['no-transform', ''],
      ]);
    });
  });

  describe('freshnessSeconds (RFC 9111 §4.2)', () => {
    const cases: { name: string; h: Parameters<typeof freshnessSeconds>[0]; want: number | undefined }[] = [
      { name: 'max-age', h: { cacheControl: 'max-age=600' }, want: 600 },
      { name: 'quoted max-age', h: { cacheControl: 'max-age="600"' }, want: 600 },
      { name: 'invalid max-age falls back to Expires', h: { cacheControl: 'max-age=ten', expires: 'Wed, 15 Jan 2025 12:10:00 GMT', date: 'Wed, 15 Jan 2025 12:00:00 GMT' }, want: 600 },
      { name: 'Age is subtracted', h: { cacheControl: 'max-age=600', age: '60' }, want: 540 },
      { name: 'never negative', h: { cacheControl: 'max-age=60', age: '600' }, want: 0 },
      { name: 's-maxage alone says nothing for us', h: { cacheControl: 's-maxage=600' }, want: undefined },
      { name: 'no-cache', h: { cacheControl: 'no-cache' }, want: 0 },
      { name: 'no-store beats max-age', h: { cacheControl: 'max-age=600, no-store' }, want: 0 },
      { name: 'Expires − Date', h: { expires: 'Wed, 15 Jan 2025 13:00:00 GMT', date: 'Wed, 15 Jan 2025 12:30:00 GMT' }, want: 1800 },
      { name: 'Expires − now without Date', h: { expires: 'Wed, 15 Jan 2025 12:05:00 GMT' }, want: 300 },
      { name: 'Expires in the past', h: { expires: 'Wed, 15 Jan 2025 11:00:00 GMT', date: 'Wed, 15 Jan 2025 12:00:00 GMT' }, want: 0 },
      { name: 'invalid Expires means already expired', h: { expires: '-1' }, want: 0 },
      { name: 'nothing', h: {}, want: undefined },
    ];
    for (const c of cases) {
      it(c.name, () => assert.equal(freshnessSeconds(c.h, NOW), c.want));
    }
  });
});
