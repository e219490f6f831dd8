// `wirefeed backup` and `wirefeed restore` as real processes against a real server's database:
// the backup is taken while the server serves and ingests (every fetch changes every item, so
// seq moves all the time); restore refuses while the server holds the database, keeps the old
// file aside, and afterwards counts, seq and a partner's cursor carry on exactly.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { silentLogger } from '../src/log.js';
import { startServer, type RunningServer } from '../src/main.js';
import type { Source } from '../src/model/types.js';
import { articleId } from '../src/publish/ids.js';
import { testConfig } from './http-fixtures.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TOKEN = 'backup-test-token-0123456789abcdef';
const FEEDS = 4;
const ITEMS = 40;

/** `wirefeed <args>` as its own process; resolves with the exit code and output. */
function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'error', ...env } });
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

/** A feed site whose every response is a new version of every item: a busy ingest. */
async function startChurningSite(): Promise<{ origin: string; host: string; close(): Promise<void> }> {
  let version = 0;
  const server = http.createServer((req, res) => {
    const m = /^\/feed-(\d+)\.xml$/.exec(req.url ?? '');
    if (!m) return void res.writeHead(404).end();
    const v = ++version;
    const items = Array.from(
      { length: ITEMS },
      (_, i) => `<item><guid isPermaLink="false">f${m[1]}-${i}</guid><title>Feed ${m[1]} item ${i}</title><description>version ${v}</description></item>`,
    ).join('');
    res.writeHead(200, { 'Content-Type': 'application/rss+xml' });
    res.end(`<?xml version="1.0"?><rss version="2.0"><channel><title>Feed ${m[1]}</title><link>http://example.org/</link><description>d</description>${items}</channel></rss>`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

interface Consumer {
  after: number;
  /** id → summary ("version N") last received. */
  state: Map<string, string>;
  received: string[];
  afters: number[];
}

/** Follows next_url from `c.after` until a page comes back empty, as a partner does. */
async function follow(baseUrl: string, c: Consumer): Promise<void> {
  for (;;) {
    const page = (await (await fetch(`${baseUrl}/feeds/all.json?after=${c.after}&limit=100`)).json()) as { items: { id: string; summary: string }[]; next_url: string };
    for (const it of page.items) {
      c.received.push(`${it.id} ${it.summary}`);
      c.state.set(it.id, it.summary);
    }
    const next = Number(new URL(page.next_url).searchParams.get('after'));
    c.afters.push(next);
    c.after = next;
    if (page.items.length === 0) return;
  }
}

function dbFacts(file: string): { articles: number; seq: number; maxArticleSeq: number; integrity: string } {
  const db = new Database(file, { readonly: true });
  try {
    return {
      articles: db.prepare('SELECT count(*) FROM articles').pluck().get() as number,
      seq: db.prepare(`SELECT value FROM counters WHERE name = 'seq'`).pluck().get() as number,
      maxArticleSeq: db.prepare('SELECT max(seq) FROM articles').pluck().get() as number,
      integrity: db.pragma('integrity_check', { simple: true }) as string,
    };
  } finally {
    db.close();
  }
}

describe('backup and restore (real processes, busy ingest)', function () {
  this.timeout(120_000);
  let tmp: string;
  let site: Awaited<ReturnType<typeof startChurningSite>>;
  let srv: RunningServer | undefined;
  let dbPath: string;
  let env: NodeJS.ProcessEnv;
  const config = () => testConfig({ dataDir: tmp, dbPath, adminToken: TOKEN, scheduler: false, privateNetworkAllowlist: [site.host], fetchTimeoutMs: 5000, parseWorkers: 1 });

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'wirefeed-backup-'));
    dbPath = path.join(tmp, 'wirefeed.db');
    env = { WIREFEED_DATA_DIR: tmp, WIREFEED_DB: dbPath, WIREFEED_DEMO: '0', WIREFEED_ADMIN_TOKEN: TOKEN };
    site = await startChurningSite();
  });
  after(async () => {
    await srv?.stop();
    await site?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('backs up during a busy ingest, restores, and counts, seq and the cursor carry on', async () => {
    srv = await startServer(config(), silentLogger());
    const sources: Source[] = [];
    for (let i = 0; i < FEEDS; i++) sources.push(await srv.core.sources.add({ url: `${site.origin}/feed-${i}.xml`, slug: `feed-${i}` }, { discover: false }));
    await srv.core.refresh.refreshMany(sources);

    // A partner reads everything there is, then ingest keeps changing every item.
    const partner: Consumer = { after: 0, state: new Map(), received: [], afters: [] };
    await follow(srv.url, partner);
    assert.equal(partner.state.size, FEEDS * ITEMS);

    let ingesting = true;
    let cycles = 0;
    const running = srv;
    const ingest = (async () => {
      while (ingesting) {
        await running.core.refresh.refreshMany(sources);
        cycles++;
      }
    })();
    // …and readers keep reading while the backup runs.
    const reading = (async () => {
      let n = 0;
      while (ingesting) {
        assert.equal((await fetch(`${running.url}/feeds/all.rss`)).status, 200);
        n++;
      }
      return n;
    })();
    await new Promise((r) => setTimeout(r, 300));
    const backupFile = path.join(tmp, 'backup.db');
    const cyclesBefore = cycles;
    const backup = await cli(['backup', backupFile], env);
    const cyclesDuring = cycles - cyclesBefore;
    await new Promise((r) => setTimeout(r, 300));
    ingesting = false;
    await ingest;
    const reads = await reading;
    assert.equal(backup.code, 0, backup.err);
    assert.match(backup.out, /^backed up to .*backup\.db: 160 articles, seq \d+ \(\d+ ms\)\n$/);
    assert.ok(cyclesDuring >= 1 || cycles >= 2, `ingest ran while backing up (${cycles} cycles, ${cyclesDuring} during)`);
    assert.ok(reads > 0);

    const b = dbFacts(backupFile);
    assert.equal(b.integrity, 'ok');
    assert.equal(b.articles, FEEDS * ITEMS);
    assert.equal(b.seq, b.maxArticleSeq, 'a consistent snapshot: the seq counter matches the newest article');
    assert.equal(existsSync(`${backupFile}-wal`), false, 'a single self-contained file');
    const live = dbFacts(dbPath);
    assert.ok(live.seq > b.seq, `ingest went on after the backup (live seq ${live.seq} > backup seq ${b.seq})`);

    // The partner read up to somewhere before the backup; it will continue after the restore.
    assert.ok(partner.after <= b.seq);

    // Refused while the server holds the database; nothing is touched.
    const refused = await cli(['restore', backupFile], env);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /is in use \(a wirefeed server, scheduler or command has it open\); stop it first/);
    assert.equal(dbFacts(dbPath).seq, live.seq);

    await srv.stop();
    srv = undefined;
    const corrupt = path.join(tmp, 'corrupt.db');
    writeFileSync(corrupt, Buffer.alloc(8192, 7));
    const bad = await cli(['restore', corrupt], env);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /restore: .*corrupt\.db is not (an SQLite|a wirefeed) database/);

    const restored = await cli(['restore', backupFile], env);
    assert.equal(restored.code, 0, restored.err);
    assert.match(restored.out, new RegExp(`^restored .*: 160 articles, seq ${b.seq}; the previous database is kept as .*wirefeed\\.db\\.before-restore-`));
    const aside = readdirSync(tmp).filter((f) => f.startsWith('wirefeed.db.before-restore-'));
    assert.equal(aside.length, 1);
    assert.equal(dbFacts(path.join(tmp, aside[0]!)).seq, live.seq, 'the old database is kept whole');

    srv = await startServer(config(), silentLogger());
    assert.equal(await srv.core.storage.articles.count(), b.articles);
    assert.equal(await srv.core.storage.articles.maxSeq(), b.seq);

    // The partner continues from its cursor: it catches up on exactly the restored state…
    const before = partner.received.length;
    await follow(srv.url, partner);
    const restoredState = await srv.core.articles.list({ limit: 500 });
    assert.equal(restoredState.length, FEEDS * ITEMS);
    for (const a of restoredState) assert.equal(partner.state.get(articleId(a)), a.summary, `partner holds the restored version of ${a.guid}`);
    // …and ingest after the restore hands out seqs above the backup's, never one again.
    await srv.core.refresh.refreshMany(sources);
    const newSeqs = (await srv.core.articles.list({ limit: 500 })).map((a) => a.seq);
    assert.ok(Math.min(...newSeqs) > b.seq);
    await follow(srv.url, partner);
    assert.ok(partner.received.length - before >= FEEDS * ITEMS, 'the post-restore changes arrived');
    const repeats = partner.received.filter((r, i) => partner.received.indexOf(r) !== i);
    assert.deepEqual(repeats, [], 'no item version is delivered twice');
    for (let i = 1; i < partner.afters.length; i++) assert.ok(partner.afters[i]! >= partner.afters[i - 1]!, 'the cursor never moves back');
    for (const a of await srv.core.articles.list({ limit: 500 })) assert.equal(partner.state.get(articleId(a)), a.summary, `partner holds the newest version of ${a.guid}`);
  });
});
