// Loading a module of this project on first use, so a heavy dependency (rss-parser,
// htmlparser2, pg, prom-client…) stays out of a process that never needs it. Imports only
// worker-thread.ts (where a sibling module's URL is worked out).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { siblingModuleUrl } from './worker-thread.js';

/**
 * The module at `url` (from siblingModuleUrl: .js built, .ts under tsx), as the same instance a
 * static import gets. Built code is ESM and uses import(). Under tsx's CommonJS mode (mocha
 * requires the .ts tests) an import() would evaluate a second copy of the module and of
 * everything it imports, whose error classes then fail instanceof against the first; there
 * require() is what the static imports used, and it is used when it can load the file (a
 * worker thread under tsx registers only the ESM hooks: its require() cannot).
 */
export async function importLazily<T>(url: URL): Promise<T> {
  if (typeof require === 'function' && require.extensions[path.extname(url.pathname)]) return require(fileURLToPath(url)) as T;
  return (await import(url.href)) as T;
}

/** importLazily of the module `name` beside `moduleUrl` (the caller's import.meta.url), e.g. 'http/metrics'. */
export function importSibling<T>(moduleUrl: string, name: string): Promise<T> {
  return importLazily<T>(siblingModuleUrl(moduleUrl, name));
}
