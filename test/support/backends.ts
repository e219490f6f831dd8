// Runs a suite once per storage backend: SQLite always, PostgreSQL when
// WIREFEED_TEST_DATABASE_URL names a server (CI sets it). Each test's storage is fresh: an
// in-memory SQLite database, or a PostgreSQL schema with a random name created before the test
// and dropped after it, so tests never see each other's rows and leave nothing behind.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { BackendName } from '../../src/storage/database-url.js';
import { openStorage } from '../../src/storage/open.js';
import type { Storage } from '../../src/storage/repos.js';

const PG_URL = process.env.WIREFEED_TEST_DATABASE_URL || undefined;

export const PG_SKIP_LINE =
  'PostgreSQL tests skipped: set WIREFEED_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run them';

// Once per run, whatever the number of suites: this module is evaluated once and the hook sits
// on mocha's root suite.
if (!PG_URL) before(() => console.log(PG_SKIP_LINE));

export interface BackendUnderTest {
  readonly name: BackendName;
  /** A fresh, empty storage; closed (and its PostgreSQL schema dropped) after the test. */
  open(): Promise<Storage>;
}

/** One statement on its own connection (the harness never shares the backend's pool). */
async function pgExec(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * `describe(title [backend])` for each backend; the PostgreSQL one is skipped (reported as
 * skipped tests) without WIREFEED_TEST_DATABASE_URL.
 */
export function describeBackends(title: string, body: (this: Mocha.Suite, backend: BackendUnderTest) => void): void {
  for (const name of ['sqlite', 'postgres'] as const) {
    const run = name === 'postgres' && !PG_URL ? describe.skip : describe;
    run(`${title} [${name}]`, function () {
      const opened: { storage: Storage; schema?: string }[] = [];
      body.call(this, {
        name,
        async open() {
          if (name === 'sqlite') {
            const storage = await openStorage({ url: 'sqlite::memory:' });
            opened.push({ storage });
            return storage;
          }
          const schema = `wf_test_${randomBytes(6).toString('hex')}`;
          await pgExec(PG_URL!, `CREATE SCHEMA "${schema}"`);
          try {
            const storage = await openStorage({ url: PG_URL!, schema, poolSize: 4, instanceId: 'test' });
            opened.push({ storage, schema });
            return storage;
          } catch (err) {
            await pgExec(PG_URL!, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
            throw err;
          }
        },
      });
      // After the suite's own afterEach hooks (mocha runs a suite's hooks in the order they are
      // added): a server stopped there may still flush to its storage.
      afterEach(async () => {
        for (const { storage, schema } of opened.splice(0)) {
          try {
            await storage.close();
          } finally {
            if (schema) await pgExec(PG_URL!, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          }
        }
      });
    });
  }
}
