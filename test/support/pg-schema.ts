// A fresh PostgreSQL schema per test, dropped afterwards. Suites using it skip (with one line
// saying how to run them) when WIREFEED_TEST_DATABASE_URL is not set.
import { randomBytes } from 'node:crypto';
import { execOnce } from '../../src/storage/postgres/pool.js';

export const PG_TEST_URL: string | undefined = process.env.WIREFEED_TEST_DATABASE_URL || undefined;

export const PG_SKIP_NOTE = 'PostgreSQL tests skipped: set WIREFEED_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run them';

/** `describe` when PostgreSQL is configured, otherwise a skipped suite that says why. */
export function describePg(title: string, fn: (this: Mocha.Suite) => void): void {
  if (PG_TEST_URL) describe(title, fn);
  else describe(`${title} (${PG_SKIP_NOTE})`, () => it.skip('needs WIREFEED_TEST_DATABASE_URL'));
}

export function freshSchemaName(): string {
  return `wft_${randomBytes(6).toString('hex')}`;
}

/** One statement on its own connection to the test server (never a storage's pool). */
export async function pgExec(sql: string): Promise<void> {
  await execOnce({ url: PG_TEST_URL! }, sql);
}

/** The test server's URL with `schema` as the session's search_path (libpq `options`), as a deployment names its schema. */
export function schemaUrl(schema: string): string {
  return `${PG_TEST_URL!}${PG_TEST_URL!.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-csearch_path=${schema}`)}`;
}

export async function dropSchema(schema: string): Promise<void> {
  await pgExec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
}
