import assert from 'node:assert/strict';
import { hostname } from 'node:os';
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
    ['database URL scheme, without echoing it (it may hold a password)', { WIREFEED_DATABASE_URL: 'mysql://u:hunter2@db/wf' }, /^config: WIREFEED_DATABASE_URL \(value not shown\) must be sqlite:<path>, postgres:\/\/… or postgresql:\/\/…$/],
    ['pool size', { WIREFEED_DATABASE_POOL_SIZE: '0' }, /WIREFEED_DATABASE_POOL_SIZE="0" must be between 1 and 1000/],
    ['instance id with a space', { WIREFEED_INSTANCE_ID: 'web 1' }, /WIREFEED_INSTANCE_ID="web 1" must be 1 to 128 printable ASCII characters/],
    ['both database settings', { WIREFEED_DB: 'x.db', WIREFEED_DATABASE_URL: 'postgres://db/wf' }, /WIREFEED_DB and WIREFEED_DATABASE_URL are both set/],
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

  it('database: SQLite under the data directory unless WIREFEED_DATABASE_URL names PostgreSQL', () => {
    const plain = loadConfig({}, '/srv/wf');
    assert.equal(plain.databaseUrl, undefined);
    assert.equal(plain.databasePoolSize, 10);
    assert.equal(plain.staleIfErrorMs, 60_000);
    const pg = loadConfig(
      { WIREFEED_DATABASE_URL: 'postgresql://wf:pw@db.internal:5432/wirefeed', WIREFEED_DATABASE_POOL_SIZE: '25', WIREFEED_STALE_IF_ERROR_SECONDS: '5' },
      '/srv/wf',
    );
    assert.equal(pg.databaseUrl, 'postgresql://wf:pw@db.internal:5432/wirefeed');
    assert.equal(pg.databasePoolSize, 25);
    assert.equal(pg.staleIfErrorMs, 5_000);
    const sqlite = loadConfig({ WIREFEED_DATABASE_URL: 'sqlite:state/wf.db' }, '/srv/wf');
    assert.equal(sqlite.databaseUrl, undefined, 'a sqlite: URL is the SQLite file, as WIREFEED_DB would be');
    assert.equal(sqlite.dbPath, '/srv/wf/state/wf.db');
  });

  it('instance id: WIREFEED_INSTANCE_ID, else hostname-pid', () => {
    assert.equal(loadConfig({ WIREFEED_INSTANCE_ID: 'web-2' }, '/tmp').instanceId, 'web-2');
    assert.equal(loadConfig({}, '/tmp').instanceId, `${hostname()}-${process.pid}`);
  });

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
