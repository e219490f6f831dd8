// The fast lane's key check (PartnerService.authenticateCached): answered at once from the key
// snapshot, never as a promise, and never from a snapshot older than the partners version, so
// a revoked or rotated key or a deactivated account is never served from memory: in this
// service the change is seen by the very next check; made through another handle on the same
// database (another process, the CLI), the check says the snapshot is out of date (undefined)
// and `authenticate` reloads it. Two connections to one SQLite file stand for two processes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPartnerService, type AuthOutcome, type PartnerService } from '../src/services/partners.js';
import { openSqliteStorage } from '../src/storage/sqlite/open.js';
import type { Storage } from '../src/storage/repos.js';

const NOW = '2025-01-01T00:00:00.000Z';

/** Another connection's commit shows within storage/sqlite/open.ts DATA_VERSION_TTL_MS (1 ms). */
const seenByOthers = () => new Promise((resolve) => setTimeout(resolve, 5));

/** The outcome's kind, after checking it came at once (a promise would be an object without `kind`). */
function kindOf(outcome: AuthOutcome | undefined): string | undefined {
  assert.ok(!(outcome instanceof Promise), 'authenticateCached answers at once');
  return outcome?.kind;
}

describe('partners: the cached key check', () => {
  let dir: string;
  let storage: Storage;
  let other: Storage;
  let server: PartnerService;
  let cli: PartnerService;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-auth-cached-'));
    const file = path.join(dir, 'wirefeed.db');
    storage = openSqliteStorage({ path: file });
    await storage.channels.create({ slug: 'premium', title: 'Premium', visibility: 'partners', now: NOW });
    other = openSqliteStorage({ path: file });
    server = createPartnerService({ storage });
    cli = createPartnerService({ storage: other });
  });

  afterEach(async () => {
    await server.close();
    await cli.close();
    storage.close();
    other.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers anonymous, invalid and partner at once', async () => {
    await server.create({ slug: 'p1', name: 'P1', channels: ['premium'] });
    const { key } = await server.createKey('p1');
    assert.equal(kindOf(server.authenticateCached(undefined)), 'anonymous');
    assert.equal(kindOf(server.authenticateCached('not-a-key')), 'invalid');
    assert.equal(kindOf(server.authenticateCached(`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`)), 'invalid', 'one character off');
    const ok = server.authenticateCached(key);
    assert.equal(kindOf(ok), 'partner');
    assert.equal(ok?.kind === 'partner' && ok.partner.slug, 'p1');
  });

  it('a key revoked or rotated in this service is refused by the very next check', async () => {
    await server.create({ slug: 'p1', name: 'P1', channels: ['premium'] });
    const first = await server.createKey('p1');
    assert.equal(kindOf(server.authenticateCached(first.key)), 'partner');
    const second = await server.createKey('p1');
    assert.equal(kindOf(server.authenticateCached(second.key)), 'partner', 'the new key works at once');
    assert.equal(kindOf(server.authenticateCached(first.key)), 'partner', 'the old one until it is revoked');
    await server.revokeKey('p1', first.keyId);
    assert.equal(kindOf(server.authenticateCached(first.key)), 'invalid');
    assert.equal(kindOf(server.authenticateCached(second.key)), 'partner');
    await server.update('p1', { active: false });
    assert.equal(kindOf(server.authenticateCached(second.key)), 'inactive');
    await server.remove('p1');
    assert.equal(kindOf(server.authenticateCached(second.key)), 'invalid');
  });

  it('a key revoked through another handle on the database is never answered from the old snapshot', async () => {
    await cli.create({ slug: 'p1', name: 'P1', channels: ['premium'] });
    const { key, keyId } = await cli.createKey('p1');
    assert.equal(kindOf(server.authenticateCached(key)), undefined, 'no snapshot yet: the caller takes authenticate');
    assert.equal((await server.authenticate(key)).kind, 'partner');
    assert.equal(kindOf(server.authenticateCached(key)), 'partner');
    await cli.revokeKey('p1', keyId);
    await seenByOthers();
    assert.equal(kindOf(server.authenticateCached(key)), undefined, 'the snapshot is out of date');
    assert.equal((await server.authenticate(key)).kind, 'invalid');
    assert.equal(kindOf(server.authenticateCached(key)), 'invalid');
  });

  it('a partner deactivated through another handle is refused once the snapshot is reloaded', async () => {
    await cli.create({ slug: 'p1', name: 'P1', channels: ['premium'] });
    const { key } = await cli.createKey('p1');
    assert.equal((await server.authenticate(key)).kind, 'partner');
    await cli.update('p1', { active: false });
    await seenByOthers();
    assert.equal(kindOf(server.authenticateCached(key)), undefined);
    assert.equal((await server.authenticate(key)).kind, 'inactive');
    assert.equal(kindOf(server.authenticateCached(key)), 'inactive');
  });
});
