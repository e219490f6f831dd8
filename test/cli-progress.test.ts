// CLI progress: a rewritten line with count, rate and ETA on a terminal; nothing otherwise.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../src/cli/main.js';
import { createProgress, progressLine } from '../src/cli/progress.js';

describe('cli progress: the line', () => {
  const cases: { name: string; args: Parameters<typeof progressLine>; line: string }[] = [
    { name: 'known total', args: ['fetch', 120, 400, 10_000], line: 'fetch 120/400 30% · 12/s · ETA 23s' },
    { name: 'minutes of ETA', args: ['opml import', 10, 1000, 5_000], line: 'opml import 10/1000 1% · 2.0/s · ETA 8m15s' },
    { name: 'hours of ETA', args: ['fetch', 1, 10_000, 1_000], line: 'fetch 1/10000 0% · 1.0/s · ETA 2h46m' },
    { name: 'nothing done yet', args: ['fetch', 0, 10, 500], line: 'fetch 0/10 0% · 0.0/s · ETA ?' },
    { name: 'unknown total', args: ['fetch', 7, undefined, 2_000], line: 'fetch 7 · 3.5/s' },
    { name: 'with a unit', args: ['backup', 2048, 4096, 1_000, ' pages'], line: 'backup 2048/4096 50% · 2048 pages/s · ETA 1s' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(progressLine(...c.args), c.line));
});

describe('cli progress: where it is written', () => {
  it('on a terminal: one line rewritten in place, at most every 100 ms, cleared at the end', () => {
    const writes: string[] = [];
    let t = 0;
    const p = createProgress('fetch', { isTTY: true, columns: 80, write: (s) => writes.push(s) }, { now: () => t });
    p.update(0, 3);
    t = 50;
    p.update(1); // too soon: skipped
    t = 200;
    p.update(2);
    t = 210;
    p.update(3); // the last one is always shown
    p.end();
    assert.deepEqual(writes, [
      '\rfetch 0/3 0% · 0.0/s · ETA ?\x1b[K',
      '\rfetch 2/3 66% · 10/s · ETA 0s\x1b[K',
      '\rfetch 3/3 100% · 14/s · ETA 0s\x1b[K',
      '\r\x1b[K',
    ]);
  });

  it('not a terminal (pipe, file, CI): writes nothing at all', () => {
    const writes: string[] = [];
    const p = createProgress('fetch', { isTTY: false, write: (s) => writes.push(s) });
    p.update(0, 3);
    p.update(3);
    p.end();
    assert.deepEqual(writes, []);
  });

  it('a narrow terminal gets the line cut to its width', () => {
    const writes: string[] = [];
    createProgress('opml import', { isTTY: true, columns: 20, write: (s) => writes.push(s) }, { now: () => 1000 }).update(5, 10);
    assert.equal(writes[0], '\ropml import 5/10 50\x1b[K');
  });
});

describe('cli progress: the commands that use it', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-progress-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function run(args: string[], isTTY: boolean) {
    const progress: string[] = [];
    let out = '';
    const code = await runCli(args, { WIREFEED_DATA_DIR: dir, LOG_LEVEL: 'silent' }, { out: (s) => (out += s), err: () => {}, progress: { isTTY, columns: 100, write: (s) => progress.push(s) } });
    return { code, out, progress };
  }

  it('opml import and backup show progress on a terminal and only their summary line otherwise', async () => {
    const opml = path.join(dir, 'subs.opml');
    const outlines = Array.from({ length: 5 }, (_, i) => `<outline type="rss" text="F${i}" xmlUrl="https://feeds${i}.example.org/rss.xml"/>`).join('');
    writeFileSync(opml, `<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>${outlines}</body></opml>`);
    const tty = await run(['opml', 'import', opml], true);
    assert.equal(tty.code, 0);
    assert.match(tty.progress[0]!, /^\ropml import 0\/5 0% /);
    assert.match(tty.progress.at(-2)!, /^\ropml import 5\/5 100% /);
    assert.equal(tty.progress.at(-1), '\r\x1b[K');
    assert.equal(tty.out, 'imported 5 sources, skipped 0\n');

    const piped = await run(['opml', 'import', opml], false);
    assert.deepEqual(piped.progress, []);
    assert.equal(piped.out, 'imported 0 sources, skipped 5\n');

    const backup = await run(['backup', path.join(dir, 'b.db')], true);
    assert.equal(backup.code, 0);
    assert.match(backup.progress.join(''), /backup \d+\/\d+ 100% · \d+ pages\/s/);
    assert.match(backup.out, /^backed up to .*b\.db: 0 articles, seq 0 \(\d+ ms\)\n$/);
  });
});
