// Source lint: findings about a feed that do not stop ingestion but tell an operator why
// the output may differ from what the publisher intended. Issues are deduplicated by code;
// per-item findings carry a count.
import type { LintIssue } from '../model/types.js';

export type LintCode =
  | 'missing_guids'
  | 'duplicate_guids'
  | 'bad_date'
  | 'missing_dates'
  | 'future_date'
  | 'charset_mislabeled'
  | 'control_characters'
  | 'relative_links'
  | 'html_in_title'
  | 'no_items'
  | 'missing_title'
  | 'unknown_version'
  | 'bad_url'
  | 'unsafe_url'
  | 'namespace_prefixes'
  | 'dtd_entities'
  | 'oversized_content';

export interface LintCollector {
  /** Records one finding; repeated codes add to the count and keep the first message. */
  add(code: LintCode, message: string, count?: number): void;
  /** Merges issues gathered elsewhere (decode, parse) into this collector. */
  merge(issues: readonly LintIssue[]): void;
  issues(): LintIssue[];
}

export function createLintCollector(): LintCollector {
  const byCode = new Map<string, LintIssue>();
  const add = (code: string, message: string, count = 1): void => {
    const prev = byCode.get(code);
    if (prev) prev.count = (prev.count ?? 1) + count;
    else byCode.set(code, { code, message, count });
  };
  return {
    add,
    merge(issues) {
      for (const i of issues) add(i.code, i.message, i.count ?? 1);
    },
    issues() {
      return [...byCode.values()].map((i) => ({ ...i }));
    },
  };
}
