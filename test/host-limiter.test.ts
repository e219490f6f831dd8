import assert from 'node:assert/strict';
import { createHostLimiter } from '../src/services/host-limiter.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('host limiter', () => {
  it('never exceeds the global and per-host limits, and a full host does not block others', async () => {
    const limiter = createHostLimiter(3, 1);
    const running = new Map<string, number>();
    let peak = 0;
    const peakPerHost = new Map<string, number>();
    const gates: Record<string, ReturnType<typeof deferred>> = {};
    const order: string[] = [];
    const job = (host: string, id: string) =>
      limiter.run(host, async () => {
        order.push(id);
        running.set(host, (running.get(host) ?? 0) + 1);
        peak = Math.max(peak, limiter.active);
        peakPerHost.set(host, Math.max(peakPerHost.get(host) ?? 0, running.get(host)!));
        gates[id] = deferred();
        await gates[id]!.promise;
        running.set(host, running.get(host)! - 1);
      });
    const all = [job('a', 'a1'), job('a', 'a2'), job('a', 'a3'), job('b', 'b1'), job('c', 'c1'), job('d', 'd1')];
    await new Promise((r) => setImmediate(r));
    // a1 runs; a2/a3 wait for host a; b1 and c1 start although they arrived after a2/a3.
    assert.deepEqual(order, ['a1', 'b1', 'c1']);
    gates.a1!.resolve();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, ['a1', 'b1', 'c1', 'a2']);
    for (const id of ['b1', 'c1', 'a2']) gates[id]!.resolve();
    await new Promise((r) => setImmediate(r));
    for (const id of ['a3', 'd1']) gates[id]?.resolve();
    await new Promise((r) => setImmediate(r));
    for (const g of Object.values(gates)) g.resolve();
    await Promise.all(all);
    assert.equal(peak, 3);
    assert.equal(peakPerHost.get('a'), 1);
    assert.equal(limiter.active, 0);
  });

  it('frees the slot when a task fails', async () => {
    const limiter = createHostLimiter(1, 1);
    await assert.rejects(limiter.run('x', async () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(await limiter.run('x', async () => 42), 42);
  });
});
