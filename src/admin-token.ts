// The admin API is never open: without WIREFEED_ADMIN_TOKEN a token is generated on first start
// and kept in the data directory (mode 0600), so it survives restarts and only the service's
// user can read it.
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors.js';

export const ADMIN_TOKEN_FILE = 'admin-token';

export function ensureAdminToken(dataDir: string, configured?: string): { token: string; source: 'env' | 'file' | 'generated'; file?: string } {
  if (configured) return { token: configured, source: 'env' };
  const file = path.join(dataDir, ADMIN_TOKEN_FILE);
  try {
    const token = readFileSync(file, 'utf8').trim();
    if (token.length < 16) throw new ConfigError(`config: ${file} holds no valid admin token (delete it to generate a new one)`);
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return { token, source: 'file', file };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = randomBytes(32).toString('base64url');
  // 'wx': never overwrite a token another process wrote a moment ago.
  writeFileSync(file, token + '\n', { mode: 0o600, flag: 'wx' });
  return { token, source: 'generated', file };
}
