import assert from 'node:assert/strict';
import { loadConfig } from '../src/config.js';
import { parseConfigFile, readConfigFile } from '../src/services/config-file.js';
import { ConfigError } from '../src/errors.js';

describe('config', () => {
  it('starts with no configuration at all', () => {
    const cfg = loadConfig({}, '/srv/wf');
    assert.equal(cfg.port, 8080);
    assert.equal(cfg.dataDir, '/srv/wf/data');
    assert.equal(cfg.dbPath, '/srv/wf/data/wirefeed.db');
    assert.equal(cfg.allowPrivateNetworks, false);
    assert.equal(cfg.maxFeedBytes, 10 * 1024 * 1024);
  });

  const bad: [string, Record<string, string>, RegExp][] = [
    ['port not a number', { PORT: 'eighty' }, /^config: PORT="eighty" must be a whole number$/],
    ['port out of range', { PORT: '70000' }, /PORT="70000" must be between 0 and 65535/],
    ['boolean typo', { WIREFEED_ALLOW_PRIVATE_NETWORKS: 'maybe' }, /WIREFEED_ALLOW_PRIVATE_NETWORKS="maybe" must be 1\/0/],
    ['base url with path query', { WIREFEED_BASE_URL: 'ftp://x' }, /WIREFEED_BASE_URL="ftp:\/\/x" must be an absolute http\(s\) URL/],
    ['short admin token, without echoing it', { WIREFEED_ADMIN_TOKEN: 'abc-secret' }, /^config: WIREFEED_ADMIN_TOKEN \(value not shown\) must be at least 16 characters$/],
    ['size', { WIREFEED_MAX_FEED_BYTES: 'lots' }, /WIREFEED_MAX_FEED_BYTES="lots" must be a size/],
    ['cron', { WIREFEED_SCHEDULE: 'every minute' }, /WIREFEED_SCHEDULE="every minute" must be a cron expression/],
    ['log level', { LOG_LEVEL: 'loud' }, /LOG_LEVEL="loud"/],
    ['allowlist', { WIREFEED_PRIVATE_NETWORK_ALLOWLIST: 'http://x/' }, /WIREFEED_PRIVATE_NETWORK_ALLOWLIST/],
  ];
  for (const [name, env, re] of bad) {
    it(`rejects ${name} with one line naming the key`, () => {
      assert.throws(() => loadConfig(env, '/tmp'), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, re);
        assert.ok(!err.message.includes('\n'));
        return true;
      });
    });
  }

  it('parses sizes and lists', () => {
    const cfg = loadConfig({ WIREFEED_MAX_FEED_BYTES: '512KiB', WIREFEED_PRIVATE_NETWORK_ALLOWLIST: 'intranet.local:8080, 10.0.0.5' }, '/tmp');
    assert.equal(cfg.maxFeedBytes, 512 * 1024);
    assert.deepEqual(cfg.privateNetworkAllowlist, ['intranet.local:8080', '10.0.0.5']);
  });

  it('rejects an unknown key in the config file, naming its path', () => {
    assert.throws(() => parseConfigFile('{"sources":[{"url":"https://x","colour":"red"}]}', 'wf.json'), /wf.json at sources.0/);
    assert.throws(() => parseConfigFile('{oops', 'wf.json'), /not valid JSON/);
    assert.throws(() => readConfigFile('/nonexistent/wf.json'), /WIREFEED_CONFIG="\/nonexistent\/wf.json" cannot be read \(ENOENT\)/);
  });

  const badChannels: [string, string, RegExp][] = [
    ['a query with no word', '{"channels":[{"slug":"y","title":"Y","query":"\\""}]}', /channels\.0\.query: query must contain at least one letter or digit/],
    ['a source that is neither id nor slug', '{"channels":[{"slug":"y","title":"Y","sources":["Not A Slug"]}]}', /channels\.0\.sources\.0/],
  ];
  for (const [name, text, re] of badChannels) {
    it(`rejects a channel with ${name} in the config file (the API's rule)`, () => {
      assert.throws(() => parseConfigFile(text, 'wf.json'), re);
    });
  }

  it('accepts channel sources by slug or id in the config file', () => {
    const f = parseConfigFile('{"channels":[{"slug":"y","title":"Y","sources":["wire-a",3],"query":"peace"}]}');
    assert.deepEqual(f.channels[0]!.sources, ['wire-a', 3]);
  });
});
