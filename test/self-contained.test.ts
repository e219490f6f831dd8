// A clone of this repository is all a user has: nothing under src/, test/, bench/ or .ci/ may
// read the workspace's ../shared folder (issue 8 §5). Fixtures and schemas live in test/fixtures/.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIRS = ['src', 'test', 'bench', '.ci'];
/** A relative path climbing out of the repository into a sibling `shared` folder. */
const OUTSIDE_SHARED = /\.\.\/(?:\.\.\/)*shared\//;
const TEXT = /\.(?:[cm]?[jt]s|json|sh|rnc)$|^run$/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : files(path);
    return TEXT.test(name) ? [path] : [];
  });
}

describe('self-contained repository', function () {
  it('no code, test, benchmark or CI script refers to ../shared', function () {
    const offenders = DIRS.flatMap((d) => files(join(ROOT, d))).filter((f) => {
      if (f === fileURLToPath(import.meta.url)) return false;
      return OUTSIDE_SHARED.test(readFileSync(f, 'utf8'));
    });
    assert.deepEqual(offenders, []);
  });

  it('the fixtures the tests use are in the repository', function () {
    for (const f of ['wire/seed-story.rss.xml', 'wire/seed-story.atom.xml', 'wire/seed-story.feed.json', 'wire/seed-story.expected.json', 'schemas/atom.rnc', 'schemas/ninjs/ninjs-schema_3.1.json']) {
      assert.ok(statSync(join(ROOT, 'test/fixtures', f)).isFile(), f);
    }
  });
});
