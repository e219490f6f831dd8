// Opens the two ends of a copy by locator, one opener per backend.
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { StorageError, ValidationError } from '../../errors.js';
import { openPostgresCopyEndpoint } from '../postgres/copy-endpoint.js';
import { openSqliteCopyEndpoint } from '../sqlite/copy-endpoint.js';
import type { CopySource, CopyTarget } from './endpoint.js';
import { parseLocator, type Locator } from './locator.js';

interface Opener {
  source(l: Locator): Promise<CopySource>;
  target(l: Locator): Promise<CopyTarget>;
}

const sqlitePath = (l: Locator) => (l.backend === 'sqlite' ? l.path : '');

const OPENERS: Record<Locator['backend'], Opener | undefined> = {
  sqlite: {
    source: async (l) => openSqliteCopyEndpoint(sqlitePath(l), 'source'),
    target: async (l) => openSqliteCopyEndpoint(sqlitePath(l), 'target'),
  },
  postgres: {
    source: async (l) => openPostgresCopyEndpoint({ url: l.backend === 'postgres' ? l.url : '' }),
    target: async (l) => openPostgresCopyEndpoint({ url: l.backend === 'postgres' ? l.url : '' }),
  },
};

function sameFile(a: string, b: string): boolean {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  return real(a) === real(b);
}

export async function openCopyEnds(from: string, to: string): Promise<{ source: CopySource; target: CopyTarget }> {
  const f = parseLocator(from, '--from');
  const t = parseLocator(to, '--to');
  if ((f.backend === 'sqlite' && t.backend === 'sqlite' && sameFile(f.path, t.path)) || (f.backend === 'postgres' && t.backend === 'postgres' && f.url === t.url)) {
    throw new ValidationError('invalid_argument', 'db copy: --from and --to are the same database');
  }
  const fo = OPENERS[f.backend];
  const to_ = OPENERS[t.backend];
  if (!fo || !to_) throw new StorageError(`db copy: this build has no ${!fo ? f.backend : t.backend} backend`);
  const source = await fo.source(f);
  try {
    return { source, target: await to_.target(t) };
  } catch (err) {
    await source.close();
    throw err;
  }
}
