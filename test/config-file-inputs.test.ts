// The sources/channels file is checked by the admin API's schemas (services/inputs.ts): what the
// API refuses, the file refuses too, naming the entry's path.
import assert from 'node:assert/strict';
import { parseConfigFile } from '../src/services/config-file.js';

const long = (n: number) => 'x'.repeat(n);

const refused: [string, unknown, RegExp][] = [
  ['a source slug outside the slug rule', { sources: [{ url: 'https://x.example/f', slug: 'Not A Slug' }] }, /at sources\.0\.slug: must be 1–64 lowercase/],
  ['a source title over 300 characters', { sources: [{ url: 'https://x.example/f', title: long(301) }] }, /at sources\.0\.title/],
  ['a source URL over 2048 characters', { sources: [{ url: `https://x.example/${long(2048)}` }] }, /at sources\.0\.url/],
  ['minIntervalS above maxIntervalS', { sources: [{ url: 'https://x.example/f', minIntervalS: 600, maxIntervalS: 300 }] }, /at sources\.0\.minIntervalS: minIntervalS must not exceed maxIntervalS/],
  ['an interval over 30 days', { sources: [{ url: 'https://x.example/f', maxIntervalS: 30 * 86_400 + 1 }] }, /at sources\.0\.maxIntervalS/],
  ['a blank category', { sources: [{ url: 'https://x.example/f', categories: ['  '] }] }, /at sources\.0\.categories\.0/],
  ['a channel slug outside the slug rule', { channels: [{ slug: 'World News', title: 'W' }] }, /at channels\.0\.slug: must be 1–64 lowercase/],
  ['a channel title over 300 characters', { channels: [{ slug: 'w', title: long(301) }] }, /at channels\.0\.title/],
  ['a channel description over 2000 characters', { channels: [{ slug: 'w', title: 'W', description: long(2001) }] }, /at channels\.0\.description/],
];

describe('config file entries: as strict as the admin API', () => {
  for (const [name, doc, re] of refused) {
    it(`refuses ${name}`, () => {
      assert.throws(() => parseConfigFile(JSON.stringify(doc), 'wf.json'), re);
    });
  }

  it('accepts entries within the limits', () => {
    const f = parseConfigFile(
      JSON.stringify({
        sources: [{ url: 'https://x.example/f', slug: 'wire-a', title: 'Wire', categories: ['world'], minIntervalS: 300, maxIntervalS: 300 }],
        channels: [{ slug: 'world', title: 'World', sources: ['wire-a'], defaultLimit: 20 }],
      }),
    );
    assert.equal(f.sources[0]!.slug, 'wire-a');
    assert.equal(f.channels[0]!.slug, 'world');
  });
});
