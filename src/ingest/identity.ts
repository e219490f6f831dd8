// Article identity and change detection (DESIGN.md §3): guid when present and unique in the
// document, else link, else a hash of title + content. Same key + different content hash is
// an update, never a duplicate.
import { hash } from 'node:crypto';
import type { IdentityKind } from '../model/types.js';
import type { LintCollector } from './lint.js';

export interface IdentityCandidate {
  guid?: string;
  url?: string;
  title: string;
  contentHtml?: string;
}

export interface Identity {
  key: string;
  kind: IdentityKind;
}

export function sha256Hex(s: string): string {
  // One-shot crypto.hash (Node ≥ 20.12): the same digest of the UTF-8 bytes without a Hash object.
  return hash('sha256', s, 'hex');
}

/** The fallback key: what the reader sees, so a re-fetch of the same text maps to the same row. */
export function titleContentHash(title: string, contentHtml: string | undefined): string {
  return sha256Hex(`${title}\n${contentHtml ?? ''}`);
}

/**
 * Assigns one key per item, in document order. The first item with a given guid (or link)
 * keeps it unchanged, so an article already stored under that key is not re-keyed; later
 * repeats are disambiguated with their link or content hash instead of collapsing into one.
 */
export function assignIdentities(items: readonly IdentityCandidate[], lint: LintCollector): Identity[] {
  const used = new Set<string>();
  const unique = (base: string): string => {
    let key = base;
    for (let n = 2; used.has(key); n++) key = `${base}#${n}`;
    used.add(key);
    return key;
  };
  let missing = 0;
  let duplicates = 0;
  const out = items.map((item): Identity => {
    const guid = item.guid?.trim();
    const url = item.url?.trim();
    if (guid) {
      if (!used.has(guid)) return { key: unique(guid), kind: 'guid' };
      duplicates++;
      const suffix = url && !used.has(`${guid}#${url}`) && url !== guid ? url : titleContentHash(item.title, item.contentHtml);
      return { key: unique(`${guid}#${suffix}`), kind: 'guid' };
    }
    missing++;
    if (url && !used.has(url)) return { key: unique(url), kind: 'link' };
    return { key: unique(titleContentHash(item.title, item.contentHtml)), kind: 'hash' };
  });
  if (missing > 0) lint.add('missing_guids', 'items without a guid/id: identified by link or content hash', missing);
  if (duplicates > 0) lint.add('duplicate_guids', 'a guid/id appears more than once in the document; repeats were disambiguated', duplicates);
  return out;
}

/** JSON with object keys sorted at every level and undefined members left out. */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  // Plain loops and string appends: this runs over every stored item on every fetch, and the
  // entries/filter/sort/map/join version spent most of its time building throwaway arrays.
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const v: unknown = value[i];
      out += v === undefined ? 'null' : canonicalJson(v);
    }
    return out + ']';
  }
  const record = value as Record<string, unknown>;
  // The default sort orders by UTF-16 code units, as the `<` comparison did.
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = record[k];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${canonicalJson(v)}`;
    first = false;
  }
  return out + '}';
}

/** sha256 over the canonical JSON of the stored fields: stable across runs and key order. */
export function contentHash(fields: Record<string, unknown>): string {
  return sha256Hex(canonicalJson(fields));
}
