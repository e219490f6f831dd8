// The database names `wirefeed db copy` accepts: `sqlite:<path>` or a postgres:// (postgresql://)
// URL. Only the redacted form is ever printed or put in an error: a URL's password, and a
// `password=` query parameter, become ***.
import { ValidationError } from '../../errors.js';

export type Locator = { backend: 'sqlite'; path: string } | { backend: 'postgres'; url: string };

export function parseLocator(text: string, flag: string): Locator {
  if (/^postgres(ql)?:\/\//i.test(text)) {
    try {
      new URL(text);
    } catch {
      throw new ValidationError('invalid_argument', `${flag}: not a valid URL: ${redactLocator(text)}`);
    }
    return { backend: 'postgres', url: text };
  }
  if (text.startsWith('sqlite:')) {
    const p = text.slice('sqlite:'.length);
    if (!p || p === ':memory:') throw new ValidationError('invalid_argument', `${flag}: give a database file, e.g. sqlite:data/wirefeed.db`);
    return { backend: 'sqlite', path: p };
  }
  throw new ValidationError('invalid_argument', `${flag}: expected sqlite:<path> or postgres://…, got ${redactLocator(text)}`);
}

export function redactLocator(text: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return text;
  try {
    const u = new URL(text);
    if (u.password) u.password = '***';
    for (const k of [...u.searchParams.keys()]) if (/pass/i.test(k)) u.searchParams.set(k, '***');
    return u.toString().replace(/%2A%2A%2A/g, '***');
  } catch {
    // Unparsable: drop anything that could be user:password@.
    return text.replace(/\/\/[^@/]*@/, '//***@');
  }
}
