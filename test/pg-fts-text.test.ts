// The PostgreSQL full-text tokenizer must split and fold text as SQLite's FTS5 unicode61
// (remove_diacritics 2) does, or one backend would find what the other does not. Checked
// against SQLite itself, code point by code point and on mixed text.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { ftsDocument, ftsQuery, ftsTokens } from '../src/storage/postgres/fts-text.js';

function sqliteTokens(db: Database.Database, texts: string[]): string[][] {
  db.exec('DELETE FROM f');
  const ins = db.prepare('INSERT INTO f (rowid, t) VALUES (?, ?)');
  db.transaction(() => texts.forEach((t, i) => ins.run(i + 1, t)))();
  const out: string[][] = texts.map(() => []);
  for (const r of db.prepare('SELECT doc, term FROM v ORDER BY doc, offset').iterate() as Iterable<{ doc: number; term: string }>) out[r.doc - 1]!.push(r.term);
  return out;
}

describe('postgres full-text tokenizer (parity with SQLite FTS5 unicode61)', () => {
  let db: Database.Database;
  before(() => {
    db = new Database(':memory:');
    db.exec(`CREATE VIRTUAL TABLE f USING fts5 (t, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2');
             CREATE VIRTUAL TABLE v USING fts5vocab (f, 'instance');`);
  });
  after(() => db.close());

  // Unicode 6.1 scripts SQLite's tables know; characters added to Unicode later are word
  // characters to SQLite and classified by their real category here (README notes it).
  const RANGES: [number, number][] = [
    [0x01, 0x1e0], [0x1e2, 0x37f], [0x380, 0x528], [0x530, 0x58d], [0x590, 0x605], [0x606, 0x61c],
    [0x2000, 0x2066], [0x206a, 0x2070], [0x3040, 0x3100], [0x4e00, 0x9fcc], [0xac00, 0xd7a4],
  ];

  it('splits and folds every code point of the common scripts as SQLite does', () => {
    const cps: number[] = [];
    for (const [lo, hi] of RANGES) for (let c = lo; c < hi; c++) cps.push(c);
    const texts = cps.map((c) => `q${String.fromCodePoint(c)}q`);
    const want = sqliteTokens(db, texts);
    const bad = cps.filter((_, i) => JSON.stringify(ftsTokens(texts[i]!)) !== JSON.stringify(want[i]));
    assert.deepEqual(bad.slice(0, 10).map((c) => `U+${c.toString(16)}`), []);
  });

  it('tokenizes mixed real-world text as SQLite does', () => {
    const texts = [
      'Café naïve e\u0301te ÉCOLE Straße ǅemal İstanbul',
      'foo.bar-baz e-mail x@y.com 3.14 v1.2 https://example.com/a_b?c=d',
      'ΣΑΣ ς ἀρχή ά Ωmega µ ſ',
      'हैलो वर्ल्ड 你好世界 こんにちは 안녕하세요 مرحبا שלום',
      "don't stop—now… «quoted» [x] {y} 50% $5 ½ ² Ⅲ",
    ];
    assert.deepEqual(texts.map(ftsTokens), sqliteTokens(db, texts));
  });

  it('builds tsvector literals with a gap between fields and tsquery literals with phrases and prefixes', () => {
    assert.equal(ftsDocument(['Hello world', 'hello']), `'hello':1,4 'world':2`);
    assert.equal(ftsQuery([{ word: 'Café', prefix: false }, { word: 'foo.ba', prefix: true }]), `'cafe' & ('foo' <-> 'ba':*)`);
    assert.equal(ftsQuery([{ word: '—', prefix: false }]), undefined);
  });
});
