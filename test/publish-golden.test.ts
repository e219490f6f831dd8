// Golden outputs per format × case, compared byte for byte. `UPDATE_GOLDEN=1` rewrites them;
// review the diff before committing.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { FeedFormat } from '../src/model/types.js';
import { renderers } from '../src/publish/index.js';
import { documentCases, forFormat } from './fixtures/publish/documents.js';

const GOLDEN_DIR = new URL('./fixtures/publish/golden/', import.meta.url);
const EXTENSIONS: Record<FeedFormat, string> = { rss: 'rss.xml', atom: 'atom.xml', json: 'feed.json' };
const update = process.env.UPDATE_GOLDEN === '1';

describe('publish: golden outputs', () => {
  for (const { name, doc } of documentCases()) {
    for (const format of ['rss', 'atom', 'json'] as const) {
      it(`${name} as ${format}`, () => {
        const file = new URL(`${name}.${EXTENSIONS[format]}`, GOLDEN_DIR);
        const actual = renderers[format](forFormat(doc, format));
        if (update) {
          mkdirSync(GOLDEN_DIR, { recursive: true });
          writeFileSync(file, actual);
          return;
        }
        assert.ok(existsSync(file), `missing golden ${file.pathname}; run with UPDATE_GOLDEN=1`);
        assert.equal(actual, readFileSync(file, 'utf8'));
      });
    }
  }

  it('renders the same bytes twice (no clock, no hidden state)', () => {
    for (const { doc } of documentCases()) {
      for (const render of Object.values(renderers)) assert.equal(render(doc), render(doc));
    }
  });
});
