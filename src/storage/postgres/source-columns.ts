// Source patches as a PostgreSQL SET clause: the same column mapping as SQLite's
// (sqlite/source-columns.ts), with numbered parameters.
import type { SourcePatch } from '../../model/types.js';
import type { FetchRecord } from '../repos.js';
import { sourcePatchToSet } from '../source-columns.js';
import type { SqlParam } from './context.js';

/** `SET` clause whose parameters start at $first, and their values. Empty `set`: nothing to write. */
export function sourceSet(patch: SourcePatch | FetchRecord['source'], first: number): { set: string; values: SqlParam[] } {
  const { set, values } = sourcePatchToSet(patch);
  let n = first;
  // The clause holds only `column = ?` and `column = NULL` parts: every `?` is a parameter.
  return { set: set.replace(/\?/g, () => `$${n++}`), values: values as SqlParam[] };
}
