// One canonical encoding of a row, the same whichever backend read it, so a table's checksum on
// SQLite and on PostgreSQL can be compared. Each value is encoded by its column's kind, not by
// the JS type the driver happened to return: better-sqlite3 gives integers as bigint (safe
// integers) while pg gives int8 as a string and booleans as true/false; both encode as the
// same decimal. Rows are hashed in primary-key order, columns in name order (ALTER TABLE adds
// columns in a different order on each backend).
import { createHash, type Hash } from 'node:crypto';
import type { ColumnKind, Row } from './endpoint.js';

export class ChecksumError extends Error {}

function integerText(v: unknown): string | undefined {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v).toString();
  return undefined;
}

function realText(v: unknown): string | undefined {
  if (typeof v === 'number') return Object.is(v, -0) ? '0' : String(v);
  if (typeof v === 'bigint') return String(Number(v));
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return String(Number(v));
  return undefined;
}

/** The canonical bytes of one value, length-prefixed so no two rows can run together. */
export function encodeValue(kind: ColumnKind, v: unknown): Buffer {
  if (v === null || v === undefined) return Buffer.from('n');
  let text: string | undefined;
  switch (kind) {
    case 'integer':
      text = integerText(v);
      if (text !== undefined) return Buffer.from(`i${text};`);
      break;
    case 'real':
      text = realText(v);
      if (text !== undefined) return Buffer.from(`r${text};`);
      break;
    case 'text':
      if (typeof v === 'string') {
        const bytes = Buffer.from(v, 'utf8');
        return Buffer.concat([Buffer.from(`t${bytes.length}:`), bytes]);
      }
      break;
    case 'blob':
      if (Buffer.isBuffer(v) || v instanceof Uint8Array) return Buffer.concat([Buffer.from(`b${v.length}:`), v]);
      break;
  }
  throw new ChecksumError(`a ${typeof v} value in a ${kind} column`);
}

export interface TableChecksum {
  add(row: Row): void;
  readonly rows: number;
  /** Hex SHA-256 of every row so far, in order. */
  digest(): string;
}

/**
 * `kinds` are the kinds of the row's columns in row order; `order` lists the row indexes in
 * column-name order (see columnOrder).
 */
export function createTableChecksum(kinds: readonly ColumnKind[], order: readonly number[]): TableChecksum {
  const hash: Hash = createHash('sha256');
  let rows = 0;
  return {
    add(row) {
      for (const i of order) hash.update(encodeValue(kinds[i]!, row[i]));
      hash.update('\n');
      rows++;
    },
    get rows() {
      return rows;
    },
    digest() {
      return hash.copy().digest('hex');
    },
  };
}

/** Indexes of `columns` sorted by name. */
export function columnOrder(columns: readonly string[]): number[] {
  return columns.map((_, i) => i).sort((a, b) => (columns[a]! < columns[b]! ? -1 : columns[a]! > columns[b]! ? 1 : 0));
}
