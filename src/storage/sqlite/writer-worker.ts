// Writer-thread entry (see writer-thread.ts): its own connection on the database file, running
// recordFetch with the same ingest-repo code as the main connection, one request at a time.
import { workerData } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import { StorageError, serializeError } from '../../errors.js';
import type { ArticleInput } from '../../model/types.js';
import { isLeasedRecord, type IngestRepo, type LeaseRepo } from '../repos.js';
import { openSqliteConnection } from './connection.js';
import { createSqliteContext } from './context.js';
import { createIngestRepo } from './ingest-repo.js';
import { createLeaseRepo } from './lease-repo.js';
import type { BatchMember, LeaseCall, WriterOutcome, WriterReply, WriterRequest, WriterWorkerData } from './writer-thread.js';

/**
 * Serves one writer thread's port. The connection and the record being received are this
 * call's state, not the module's.
 */
function serveWriter({ file, port, signal }: WriterWorkerData): void {
  let db: BetterSqlite3.Database | undefined;
  let ingest: IngestRepo | undefined;
  let leases: LeaseRepo | undefined;
  /** Items of the record being received in chunks (one record at a time). */
  let staged: { id: number; items: ArticleInput[] } | undefined;

  /** Opened on the first request, inside its try: a file that cannot be opened fails that request, not the thread. */
  function repos(): { ingest: IngestRepo; leases: LeaseRepo } {
    if (!ingest || !leases) {
      db = openSqliteConnection(file);
      const ctx = createSqliteContext(db);
      ingest = createIngestRepo(ctx);
      leases = createLeaseRepo(ctx);
    }
    return { ingest, leases };
  }

  /** Posts, then bumps the shared counter: a main thread blocked in close() wakes and drains the port. */
  function reply(msg: WriterReply): void {
    port.postMessage(msg);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  }

  /** One lease write; like recordFetch, all its work is done synchronously (one transaction). */
  function leaseWrite(call: LeaseCall): Promise<unknown> {
    const repo = repos().leases;
    return call.op === 'claimDue' ? repo.claimDue(...call.args) : call.op === 'renewLeases' ? repo.renewLeases(...call.args) : repo.releaseLeases(...call.args);
  }

  /**
   * A batch's writes in one transaction, one savepoint each (each write's own transaction,
   * nested): a write that fails rolls back alone and answers with its error, the others are
   * committed together. The writes do all their work synchronously; their promises only carry
   * the outcomes out of the transaction.
   */
  async function recordBatch(members: BatchMember[]): Promise<WriterOutcome[]> {
    const runs: Promise<unknown>[] = [];
    try {
      const repo = repos().ingest;
      const conn = db!;
      conn
        .transaction(() => {
          for (const m of members) {
            // After some errors (disk full, I/O) SQLite rolls the whole transaction back: the
            // writes before were undone too, so the batch fails as a whole.
            if (!conn.inTransaction) throw new StorageError('storage: the batch transaction was rolled back');
            const run: Promise<unknown> = 'call' in m ? leaseWrite(m.call) : isLeasedRecord(m.rec) ? repo.recordFetch(m.rec) : repo.recordFetch(m.rec);
            run.catch(() => undefined); // read below, after the commit
            runs.push(run);
          }
        })
        .immediate();
    } catch (err) {
      const error = serializeError(err, 'storage_failed');
      return members.map(() => ({ ok: false, error }));
    }
    return (await Promise.allSettled(runs)).map((r) => (r.status === 'fulfilled' ? { ok: true, result: r.value } : { ok: false, error: serializeError(r.reason, 'storage_failed') }));
  }

  port.on('message', (req: WriterRequest) => {
    if (req.type === 'close') {
      try {
        db?.close();
      } finally {
        reply({ type: 'closed' });
        port.close(); // nothing else keeps the thread alive: it exits
      }
      return;
    }
    if (req.type === 'items') {
      if (staged?.id !== req.id) staged = { id: req.id, items: [] };
      for (const item of req.items) staged.items.push(item);
      return;
    }
    if (req.type === 'record-batch') {
      void recordBatch(req.members).then((outcomes) => reply({ type: 'done-batch', id: req.id, outcomes }));
      return;
    }
    if (req.type === 'lease') {
      const { call } = req;
      void (async () => {
        try {
          const result = await leaseWrite(call);
          reply({ type: 'done', id: req.id, ok: true, result });
        } catch (err) {
          reply({ type: 'done', id: req.id, ok: false, error: serializeError(err, 'storage_failed') });
        }
      })();
      return;
    }
    const items = req.staged && staged?.id === req.id ? staged.items : undefined;
    staged = undefined;
    // recordFetch does all its work synchronously (one better-sqlite3 transaction); the await only
    // unwraps the result, so requests cannot interleave.
    void (async () => {
      try {
        if (req.staged && !items) throw new StorageError(`storage: writer thread did not receive the items of record ${req.id}`);
        const rec = items ? { ...req.rec, items } : req.rec;
        const repo = repos().ingest;
        const result = isLeasedRecord(rec) ? await repo.recordFetch(rec) : await repo.recordFetch(rec);
        // A big record filled this connection's page cache with pages the writer will not read
        // again (new rows, their full-text index): give them back rather than hold the cache's
        // size for good after one big feed (bench hostile-memory).
        if (req.staged) db?.pragma('shrink_memory');
        reply({ type: 'done', id: req.id, ok: true, result });
      } catch (err) {
        reply({ type: 'done', id: req.id, ok: false, error: serializeError(err, 'storage_failed') });
      }
    })();
  });
}

serveWriter(workerData as WriterWorkerData);
