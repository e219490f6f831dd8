// How a source patch maps onto columns. Shared by sources.update and ingest.recordFetch so both
// write fetch state the same way.
import type { LintIssue, SourcePatch } from '../model/types.js';
import type { FetchRecord } from './repos.js';
import { sourceHost } from '../model/source-host.js';

type Encode = (v: unknown) => unknown;

const asIs: Encode = (v) => v;
const asJson: Encode = (v) => JSON.stringify(v);

/** `nullable: false` columns ignore an undefined value instead of clearing the column. */
const COLUMNS: Record<keyof FetchRecord['source'], { column: string; encode: Encode; nullable: boolean }> = {
  url: { column: 'url', encode: asIs, nullable: false },
  slug: { column: 'slug', encode: asIs, nullable: false },
  title: { column: 'title', encode: asIs, nullable: true },
  siteUrl: { column: 'site_url', encode: asIs, nullable: true },
  description: { column: 'description', encode: asIs, nullable: true },
  language: { column: 'language', encode: asIs, nullable: true },
  categories: { column: 'categories', encode: asJson, nullable: false },
  minIntervalS: { column: 'min_interval_s', encode: asIs, nullable: false },
  maxIntervalS: { column: 'max_interval_s', encode: asIs, nullable: false },
  nextFetchAt: { column: 'next_fetch_at', encode: asIs, nullable: false },
  status: { column: 'status', encode: asIs, nullable: false },
  statusReason: { column: 'status_reason', encode: asIs, nullable: true },
  errorCount: { column: 'error_count', encode: asIs, nullable: false },
  lastError: { column: 'last_error', encode: asIs, nullable: true },
  defaultCredit: { column: 'default_credit', encode: asIs, nullable: true },
  defaultRights: { column: 'default_rights', encode: asIs, nullable: true },
  visibility: { column: 'visibility', encode: asIs, nullable: false },
  etag: { column: 'etag', encode: asIs, nullable: true },
  lastModified: { column: 'last_modified', encode: asIs, nullable: true },
  bodyHash: { column: 'body_hash', encode: asIs, nullable: true },
  lastFetchedAt: { column: 'last_fetched_at', encode: asIs, nullable: false },
  lastSuccessAt: { column: 'last_success_at', encode: asIs, nullable: true },
  lint: { column: 'lint', encode: (v) => JSON.stringify((v as LintIssue[] | undefined) ?? []), nullable: false },
};

/**
 * `SET` clause and values for a patch. A key present with `undefined` or `null` clears a
 * nullable column (how a caller says "no last error any more"); absent keys are untouched.
 */
export function sourcePatchToSet(patch: SourcePatch | FetchRecord['source']): { set: string; values: unknown[] } {
  const parts: string[] = [];
  const values: unknown[] = [];
  for (const [key, raw] of Object.entries(patch)) {
    const spec = COLUMNS[key as keyof typeof COLUMNS];
    if (!spec) continue;
    if (raw === undefined || raw === null) {
      if (!spec.nullable) continue;
      parts.push(`${spec.column} = NULL`);
      continue;
    }
    parts.push(`${spec.column} = ?`);
    values.push(spec.encode(raw));
    // The lease politeness key follows the URL (a permanent redirect moves the source).
    if (key === 'url') {
      parts.push('host = ?');
      values.push(sourceHost(raw as string));
    }
  }
  return { set: parts.join(', '), values };
}
