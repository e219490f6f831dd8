import assert from 'node:assert/strict';
import { createPermits } from '../src/services/permits.js';

describe('permits', () => {
  it('never more than n holders; a release hands the permit to the first waiter; releasing twice frees one', async () => {
    const permits = createPermits(2);
    const a = await permits.acquire();
    const b = await permits.acquire();
    const order: string[] = [];
    const c = permits.acquire().then((r) => (order.push('c'), r));
    const d = permits.acquire().then((r) => (order.push('d'), r));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, []);
    assert.equal(permits.held, 2);
    a();
    a();
    const releaseC = await c;
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, ['c'], 'a second release of the same permit gives nothing away');
    b();
    (await d)();
    releaseC();
    assert.equal(permits.held, 0);
  });
});
