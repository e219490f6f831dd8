import assert from 'node:assert/strict';
import { loadConfig, parseConfigFile } from '../src/config.js';
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
    ['short admin token', { WIREFEED_ADMIN_TOKEN: 'abc' }, /WIREFEED_ADMIN_TOKEN="abc" must be at least 16 characters/],
    ['size', { WIREFEED_MAX_FEED_BYTES: 'lots' }, /WIREFEED_MAX_FEED_BYTES="lots" must be a size/],
    ['cron', { WIREFEED_SCHEDULE: 'every minute' }, /WIREFEED_SCHEDULE="every minute" must be a cron expression/],
    ['log level', { LOG_LEVEL: 'loud' }, /LOG_LEVEL="loud"/],
    ['allowlist', { WIREFEED_PRIVATE_NETWORK_ALLOWLIST: 'http://x/' }, /WIREFEED_PRIVATE_NETWORK_ALLOWLIST/],
    ['missing config file', { WIREFEED_CONFIG: '/nonexistent/wf.json' }, /WIREFEED_CONFIG="\/nonexistent\/wf.json" cannot be read \(ENOENT\)/],
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
  });
});
