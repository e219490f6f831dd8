// What `wirefeed db copy` needs from each backend: its tables as the catalog describes them,
// rows read in primary-key order from one snapshot, batched inserts in one transaction, and the
// id high-water marks (so ids are never handed out twice after a move). The copy itself
// (services/db-copy.ts) is backend-neutral and talks only to these.

/** How a value is compared across backends (see row-checksum.ts). */
export type ColumnKind = 'integer' | 'real' | 'text' | 'blob';

export interface ColumnInfo {
  name: string;
  kind: ColumnKind;
  /** The value may be left out of an insert (nullable or defaulted). */
  optional: boolean;
}

export interface TableInfo {
  name: string;
  columns: ColumnInfo[];
  /** Primary-key columns in key order: rows are read ordered by them. */
  primaryKey: string[];
  /** Tables this one references by foreign key (copied before it). */
  references: string[];
}

/** A table or column the backend maintains itself: never copied, rebuilt by `rebuildDerived`. */
export interface Skipped {
  table: string;
  column?: string;
  reason: string;
}

export type Row = unknown[];

export interface CopyEndpoint {
  readonly backend: 'sqlite' | 'postgres';
  /** Where it points, safe to print (no password). */
  readonly label: string;
  /** Copyable tables. */
  tables(): Promise<TableInfo[]>;
  /** What tables() leaves out on purpose, with why. */
  skipped(): Promise<Skipped[]>;
  count(table: string): Promise<number>;
  /** Up to `limit` rows after the key `after` (all key columns), in key order, values in `columns` order. */
  readPage(table: TableInfo, columns: readonly string[], after: Row | undefined, limit: number): Promise<Row[]>;
  /** Highest id ever handed out per table (AUTOINCREMENT / identity sequences), beyond max(id). */
  idHighWater(): Promise<Map<string, { column: string; value: bigint }>>;
  close(): Promise<void>;
}

export interface CopySource extends CopyEndpoint {
  /** Starts the read snapshot every later read sees. */
  beginSnapshot(): Promise<void>;
}

export interface CopyTarget extends CopyEndpoint {
  /** Starts the one write transaction the whole copy runs in. */
  begin(): Promise<void>;
  deleteAll(table: string): Promise<void>;
  insert(table: string, columns: readonly string[], rows: readonly Row[]): Promise<void>;
  /**
   * Makes the next id of `table` come after `value` and after every row present; returns the
   * mark now kept, or undefined when the backend keeps none for the table (next id is max + 1).
   */
  setIdHighWater(table: string, column: string, value: bigint): Promise<bigint | undefined>;
  /** Rebuilds the skipped derived data (search index…) from the copied rows. */
  rebuildDerived(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}
