// Runs a suite once per storage backend: SQLite always, PostgreSQL when
// WIREFEED_TEST_DATABASE_URL names a server (CI sets it). Each test's storage is fresh: an
// in-memory SQLite database, or a PostgreSQL schema with a random name created before the test
// and dropped after it, so tests never see each other's rows and leave nothing behind.
import { randomBytes } from 'node:crypto';
import type { BackendName } from '../../src/storage/database-url.js';
import { openStorage } from '../../src/storage/open.js';
import type { Storage } from '../../src/storage/repos.js';
import { PG_SKIP_NOTE, PG_TEST_URL as PG_URL, pgExec, schemaUrl } from './pg-schema.js';

// Once per run, whatever the number of suites: this module is evaluated once and the hook sits
// on mocha's root suite.
if (!PG_URL) before(() => console.log(PG_SKIP_NOTE));

export interface Lifetime {
  /** Kept until the end of the suite (for a `before` hook) instead of the end of the test. */
  suite?: boolean;
}

/** A fresh database for other processes (a server or CLI started by the test) to open. */
export interface TestDatabase {
  /**
   * Environment naming it: for PostgreSQL WIREFEED_DATABASE_URL with the schema as the session's
   * search_path (libpq `options`); for SQLite nothing, the process's data directory holds it.
   */
  env: Record<string, string>;
  /** PostgreSQL: the schema (openStorage's `schema`); the URL is the test server's. */
  schema?: string;
}

export interface BackendUnderTest {
  readonly name: BackendName;
  /** A fresh, empty storage; closed (and its PostgreSQL schema dropped) after the test or suite. */
  open(lifetime?: Lifetime): Promise<Storage>;
  /** A fresh, empty database for processes to open; dropped after the test or suite. */
  database(lifetime?: Lifetime): Promise<TestDatabase>;
  /** A storage on a database from database() (PostgreSQL only: SQLite files are the test's). */
  openOn(db: TestDatabase): Promise<Storage>;
}

type Held = { storage: Storage; schema?: undefined } | { schema: string; storage?: undefined };

/** Closes the storages, then drops the schemas, all of them even when one fails. */
async function release(held: Held[]): Promise<void> {
  const all = held.splice(0);
  const errors: unknown[] = [];
  for (const h of all) if (h.storage) await h.storage.close().catch((err: unknown) => errors.push(err));
  for (const h of all) if (h.schema) await pgExec(`DROP SCHEMA IF EXISTS "${h.schema}" CASCADE`).catch((err: unknown) => errors.push(err));
  if (errors.length) throw errors[0];
}

/**
 * `describe(title [backend])` for each backend; the PostgreSQL one is skipped (reported as
 * skipped tests) without WIREFEED_TEST_DATABASE_URL.
 */
export function describeBackends(title: string, body: (this: Mocha.Suite, backend: BackendUnderTest) => void): void {
  for (const name of ['sqlite', 'postgres'] as const) {
    const run = name === 'postgres' && !PG_URL ? describe.skip : describe;
    run(`${title} [${name}]`, function () {
      // What to close or drop after each test, and after the suite. Storages are closed before
      // schemas are dropped (a storage is listed before the schema it was opened on).
      const perTest: Held[] = [];
      const perSuite: Held[] = [];
      const hold = (lifetime: Lifetime | undefined, h: Held) => (lifetime?.suite ? perSuite : perTest).push(h);
      const openOn = async (schema: string) => openStorage({ url: PG_URL!, schema, poolSize: 4, instanceId: 'test' });
      const newSchema = async (lifetime: Lifetime | undefined): Promise<string> => {
        const schema = `wf_test_${randomBytes(6).toString('hex')}`;
        await pgExec(`CREATE SCHEMA "${schema}"`);
        hold(lifetime, { schema });
        return schema;
      };
      body.call(this, {
        name,
        async open(lifetime) {
          if (name === 'sqlite') {
            const storage = await openStorage({ url: 'sqlite::memory:' });
            hold(lifetime, { storage });
            return storage;
          }
          const schema = await newSchema(lifetime);
          const storage = await openOn(schema);
          hold(lifetime, { storage });
          return storage;
        },
        async database(lifetime): Promise<TestDatabase> {
          if (name === 'sqlite') return { env: {} };
          const schema = await newSchema(lifetime);
          const url = schemaUrl(schema);
          return { env: { WIREFEED_DATABASE_URL: url }, schema };
        },
        async openOn(db) {
          if (!db.schema) throw new Error('openOn: SQLite test databases are files the test opens itself');
          const storage = await openOn(db.schema);
          hold(undefined, { storage });
          return storage;
        },
      });
      // After the suite's own afterEach/after hooks (mocha runs a suite's hooks in the order they
      // are added): a server stopped there may still flush to its storage.
      afterEach(() => release(perTest));
      after(() => release(perSuite));
    });
  }
}
