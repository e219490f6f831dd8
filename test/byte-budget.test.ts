import assert from 'node:assert/strict';
import { createByteBudget } from '../src/ingest/byte-budget.js';

/** Settles pending promise reactions, so "still waiting" can be asserted without a timer. */
const settle = () => new Promise((r) => setImmediate(r));

/** A grow() call and whether it has been granted yet. */
function track(p: Promise<void>): { granted: boolean; failed?: unknown } {
  const t: { granted: boolean; failed?: unknown } = { granted: false };
  p.then(
    () => (t.granted = true),
    (err: unknown) => (t.failed = err),
  );
  return t;
}

describe('byte budget: a semaphore on body bytes', () => {
  it('grants what fits at once and counts it as held', async () => {
    const b = createByteBudget(100);
    const a = b.lease();
    const c = b.lease();
    await a.grow(60);
    await c.grow(40);
    assert.equal(b.held, 100);
    assert.equal(a.bytes, 60);
  });

  it('makes a younger lease wait until an older one releases, then grants it', async () => {
    const b = createByteBudget(100);
    const old = b.lease();
    const young = b.lease();
    await old.grow(80);
    const t = track(young.grow(30));
    await settle();
    assert.equal(t.granted, false);
    assert.equal(b.waiting, 1);
    assert.equal(b.held, 80);
    old.release();
    await settle();
    assert.equal(t.granted, true);
    assert.equal(b.held, 30);
  });

  it('lets the oldest live lease past the limit, so partial holders cannot deadlock', async () => {
    // Two readers each hold half; both want more. Without the rule neither could proceed.
    const b = createByteBudget(100);
    const first = b.lease();
    const second = b.lease();
    await first.grow(50);
    await second.grow(50);
    const tSecond = track(second.grow(10));
    const tFirst = track(first.grow(10));
    await settle();
    assert.deepEqual([tFirst.granted, tSecond.granted], [true, false]);
    assert.equal(b.held, 110); // over by at most what the oldest reads
    first.release();
    await settle();
    assert.equal(tSecond.granted, true, 'the second is now the oldest');
    assert.equal(b.held, 60);
  });

  it('gives back every byte of a lease once, however often release is called', async () => {
    const b = createByteBudget(100);
    const a = b.lease();
    await a.grow(70);
    a.release();
    a.release();
    assert.equal(b.held, 0);
    await assert.rejects(a.grow(1), /already released/);
  });

  it('drops a waiter whose signal aborts, with the signal reason, and holds nothing for it', async () => {
    const b = createByteBudget(100);
    const old = b.lease();
    await old.grow(100);
    const ac = new AbortController();
    const young = b.lease();
    const t = track(young.grow(10, ac.signal));
    ac.abort(new Error('deadline'));
    await settle();
    assert.match(String(t.failed), /deadline/);
    assert.equal(b.waiting, 0);
    assert.equal(b.held, 100);
  });

  it('fails the pending grow of a lease released while it waits', async () => {
    const b = createByteBudget(10);
    const old = b.lease();
    await old.grow(10);
    const young = b.lease();
    const t = track(young.grow(5));
    young.release();
    await settle();
    assert.match(String(t.failed), /released while waiting/);
    assert.equal(b.held, 10);
  });

  it('room() waits for space without holding any, and never passes the limit for anyone', async () => {
    const b = createByteBudget(100);
    const a = b.lease();
    await a.grow(90);
    const t = track(b.room(20));
    await settle();
    assert.equal(t.granted, false);
    assert.equal(b.held, 90);
    a.release();
    await settle();
    assert.equal(t.granted, true);
    assert.equal(b.held, 0);
  });
});
