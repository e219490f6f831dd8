// storage/open.ts: the backend comes from the database URL's scheme; a backend this build
// lacks is an error that says so, never a silent fallback to another one.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StorageError } from '../src/errors.js';
import { backendOf, redactDatabaseUrl, sqlitePathOf } from '../src/storage/database-url.js';
import { openStorage } from '../src/storage/open.js';

describe('storage: opening by database URL', () => {
  it('names the backend by scheme, case-insensitively', () => {
    assert.equal(backendOf('sqlite:data/wirefeed.db'), 'sqlite');
    assert.equal(backendOf('postgres://db/wf'), 'postgres');
    assert.equal(backendOf('PostgreSQL://db/wf'), 'postgres');
    assert.equal(backendOf('mysql://db/wf'), undefined);
    assert.equal(backendOf('data/wirefeed.db'), undefined);
    assert.equal(sqlitePathOf('sqlite:data/wirefeed.db'), 'data/wirefeed.db');
    assert.equal(sqlitePathOf('sqlite:///srv/wf.db'), '/srv/wf.db');
    assert.equal(sqlitePathOf('sqlite::memory:'), ':memory:');
  });

  it('redacts passwords, in the user info and in the query', () => {
    assert.equal(redactDatabaseUrl('postgres://wf:s3cret@db:5432/wirefeed'), 'postgres://wf:***@db:5432/wirefeed');
    assert.equal(redactDatabaseUrl('postgresql://db/wirefeed?user=wf&password=s3cret'), 'postgresql://db/wirefeed?user=wf&password=***');
    assert.equal(redactDatabaseUrl('postgres://db/wirefeed'), 'postgres://db/wirefeed');
    assert.ok(!redactDatabaseUrl('postgres://wf:s3cret@[bad').includes('s3cret'));
  });

  it('opens SQLite for a sqlite: URL', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-open-'));
    try {
      const s = await openStorage({ url: `sqlite:${path.join(dir, 'nested', 'wf.db')}` });
      try {
        assert.equal(s.backend, 'sqlite');
        assert.equal(typeof (await s.dataVersion()), 'number');
        assert.ok((await s.files()).databaseBytes > 0);
      } finally {
        await s.close();
        await s.close(); // idempotent
      }
      await assert.rejects(s.dataVersion(), 'a closed storage rejects instead of answering from memory');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a backend the build lacks with an error saying so, without the password', async () => {
    const sqliteOnly = { sqlite: () => Promise.reject(new Error('not this one')) };
    await assert.rejects(openStorage({ url: 'postgres://wf:s3cret@127.0.0.1:5432/test' }, sqliteOnly), (err: unknown) => {
      assert.ok(err instanceof StorageError);
      assert.equal(err.code, 'backend_unavailable');
      assert.match(err.message, /^storage: this build of wirefeed has no PostgreSQL backend \(postgres:\/\/wf:\*\*\*@127\.0\.0\.1:5432\/test\)$/);
      return true;
    });
  });

  it('refuses an unknown scheme, and never shows the password', async () => {
    await assert.rejects(openStorage({ url: 'mysql://wf:s3cret@db/wf' }), (err: unknown) => {
      assert.ok(err instanceof StorageError);
      assert.equal(err.code, 'invalid_database_url');
      assert.ok(!err.message.includes('s3cret'), err.message);
      return true;
    });
  });
});
