import assert from 'node:assert/strict';
import {
  backoffS,
  intervalAfterSuccess,
  nextFetchAfterError,
  nextFetchAfterSuccess,
  postingIntervalS,
  shouldPause,
} from '../src/services/schedule-policy.js';

const src = { minIntervalS: 300, maxIntervalS: 6 * 3600 };
const hoursAgo = (h: number) => new Date(Date.UTC(2026, 0, 10, 12) - h * 3600_000).toISOString();

describe('schedule policy', () => {
  describe('posting interval', () => {
    const cases: [string, (string | undefined)[], number | undefined][] = [
      ['no dates', [], undefined],
      ['one date', [hoursAgo(1)], undefined],
      ['hourly', [hoursAgo(0), hoursAgo(1), hoursAgo(2), hoursAgo(3)], 3600],
      ['median ignores one long gap', [hoursAgo(0), hoursAgo(1), hoursAgo(2), hoursAgo(50)], 3600],
      ['unsorted and undated items', [hoursAgo(2), undefined, hoursAgo(0), hoursAgo(1)], 3600],
    ];
    for (const [name, dates, want] of cases) it(name, () => assert.equal(postingIntervalS(dates), want));
  });

  describe('interval after success', () => {
    const cases: [string, Parameters<typeof intervalAfterSuccess>[1], number][] = [
      ['no hints → min interval', { itemDates: [] }, 300],
      ['ttl 60 min wins', { ttlMinutes: 60, itemDates: [] }, 3600],
      ['Cache-Control max-age wins', { freshForS: 1800, itemDates: [] }, 1800],
      ['busy feed: half the posting gap', { itemDates: [hoursAgo(0), hoursAgo(1), hoursAgo(2)] }, 1800],
      ['quiet feed clamped to max', { itemDates: [hoursAgo(0), hoursAgo(100), hoursAgo(200)] }, 6 * 3600],
      ['huge ttl clamped to max', { ttlMinutes: 100_000, itemDates: [] }, 6 * 3600],
      ['tiny max-age clamped to min', { freshForS: 5, itemDates: [] }, 300],
    ];
    for (const [name, s, want] of cases) it(name, () => assert.equal(intervalAfterSuccess(src, s), want));

    it('adds at most ±10 % jitter to the next fetch time', () => {
      const now = new Date('2026-01-01T00:00:00Z');
      const lo = Date.parse(nextFetchAfterSuccess(src, { ttlMinutes: 60, itemDates: [] }, now, () => 0)) - now.getTime();
      const hi = Date.parse(nextFetchAfterSuccess(src, { ttlMinutes: 60, itemDates: [] }, now, () => 1)) - now.getTime();
      assert.equal(lo, 3240_000);
      assert.equal(hi, 3960_000);
    });
  });

  describe('errors', () => {
    const cases: [number, number][] = [
      [1, 300],
      [2, 600],
      [3, 1200],
      [6, 9600],
      [10, 24 * 3600],
      [40, 24 * 3600],
    ];
    for (const [n, want] of cases) it(`backoff after ${n} failures is ${want}s`, () => assert.equal(backoffS(src, n), want));

    it('schedules the retry with the backoff', () => {
      const now = new Date('2026-01-01T00:00:00Z');
      assert.equal(nextFetchAfterError(src, 2, now, () => 0.5), '2026-01-01T00:10:00.000Z');
    });

    it('pauses after a long failure streak only', () => {
      assert.equal(shouldPause(19), false);
      assert.equal(shouldPause(20), true);
    });
  });
});
