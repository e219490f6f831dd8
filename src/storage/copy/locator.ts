// The databases `wirefeed db copy` accepts: the URL forms of database-url.ts, except a
// throwaway in-memory SQLite (nothing to copy from or keep). Errors show URLs redacted.
import { ValidationError } from '../../errors.js';
import { backendOf, DATABASE_URL_FORMS, redactDatabaseUrl, sqlitePathOf } from '../database-url.js';

export type Locator = { backend: 'sqlite'; path: string } | { backend: 'postgres'; url: string };

export function parseLocator(text: string, flag: string): Locator {
  const backend = backendOf(text);
  if (backend === 'postgres') {
    try {
      new URL(text);
    } catch {
      throw new ValidationError('invalid_argument', `${flag}: not a valid URL: ${redactDatabaseUrl(text)}`);
    }
    return { backend, url: text };
  }
  if (backend === 'sqlite') {
    const p = sqlitePathOf(text);
    if (!p || p === ':memory:') throw new ValidationError('invalid_argument', `${flag}: give a database file, e.g. sqlite:data/wirefeed.db`);
    return { backend, path: p };
  }
  throw new ValidationError('invalid_argument', `${flag}: expected ${DATABASE_URL_FORMS}, got ${redactDatabaseUrl(text)}`);
}
