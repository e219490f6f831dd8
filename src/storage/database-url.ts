// The database a URL names (WIREFEED_DATABASE_URL, `wirefeed db copy --from/--to`): the one
// place that knows the schemes. `sqlite:<path>` (`sqlite::memory:` for a throwaway database)
// or `postgres://…` / `postgresql://…` (libpq connection URIs, PostgreSQL docs §34.1.1).
export type BackendName = 'sqlite' | 'postgres';

/** Scheme (with its colon, lower case) → backend. */
const SCHEMES: Readonly<Record<string, BackendName>> = {
  'sqlite:': 'sqlite',
  'postgres:': 'postgres',
  'postgresql:': 'postgres',
};

export const DATABASE_URL_FORMS = 'sqlite:<path>, postgres://… or postgresql://…';

/** The backend a URL selects, or undefined for an unknown scheme. */
export function backendOf(url: string): BackendName | undefined {
  const m = /^([a-z][a-z0-9+.-]*:)/i.exec(url.trim());
  return m ? SCHEMES[m[1]!.toLowerCase()] : undefined;
}

/** The file of a `sqlite:` URL: `sqlite:data/wirefeed.db`, `sqlite:///srv/wf.db`, `sqlite::memory:`. */
export function sqlitePathOf(url: string): string {
  const rest = url.trim().slice('sqlite:'.length);
  return rest.startsWith('//') ? rest.slice(2) : rest;
}

/** The URL of a SQLite file, so every backend is opened the same way. */
export function sqliteUrl(file: string): string {
  return `sqlite:${file}`;
}

/**
 * The URL with any password replaced by "***", for logs and messages. A URL that does not
 * parse is shown as its scheme only: it could hold a password in a form we do not recognize.
 */
export function redactDatabaseUrl(url: string): string {
  if (backendOf(url) === 'sqlite') return url;
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const key of [...u.searchParams.keys()]) if (/pass/i.test(key)) u.searchParams.set(key, '***');
    return u.toString();
  } catch {
    const m = /^([a-z][a-z0-9+.-]*:)/i.exec(url.trim());
    return m ? `${m[1]}//***` : '***';
  }
}
