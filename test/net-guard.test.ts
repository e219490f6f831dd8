import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { FetchError, ValidationError } from '../src/errors.js';
import {
  MAX_URL_LENGTH,
  createGuardedLookup,
  isAllowlisted,
  isForbiddenAddress,
  literalAddressError,
  validateFeedUrl,
  type NetPolicy,
  type ResolveHost,
} from '../src/ingest/net-guard.js';

const GUARD_ON: NetPolicy = { allowPrivateNetworks: false, allowlist: [] };

describe('net-guard: isForbiddenAddress', () => {
  const forbidden: [string, string][] = [
    ['IPv4 loopback', '127.0.0.1'],
    ['IPv4 loopback, elsewhere in 127/8', '127.255.0.9'],
    ['10/8', '10.1.2.3'],
    ['172.16/12 low', '172.16.0.1'],
    ['172.16/12 high', '172.31.255.254'],
    ['192.168/16', '192.168.1.1'],
    ['link-local (cloud metadata)', '169.254.169.254'],
    ['CGNAT 100.64/10', '100.64.0.1'],
    ['CGNAT high end', '100.127.255.254'],
    ['unspecified 0.0.0.0', '0.0.0.0'],
    ['this network 0/8', '0.1.2.3'],
    ['multicast', '224.0.0.1'],
    ['multicast high', '239.255.255.250'],
    ['broadcast', '255.255.255.255'],
    ['reserved 240/4', '240.0.0.1'],
    ['IETF protocol assignments 192.0.0/24', '192.0.0.8'],
    ['TEST-NET-1', '192.0.2.1'],
    ['TEST-NET-2', '198.51.100.1'],
    ['TEST-NET-3', '203.0.113.1'],
    ['benchmarking 198.18/15', '198.19.0.1'],
    ['IPv6 loopback', '::1'],
    ['IPv6 loopback, long form', '0:0:0:0:0:0:0:1'],
    ['IPv6 loopback, bracketed', '[::1]'],
    ['IPv6 unspecified', '::'],
    ['IPv6 link-local', 'fe80::1'],
    ['IPv6 link-local with zone', 'fe80::1%eth0'],
    ['IPv6 link-local, upper end of fe80::/10', 'febf::1'],
    ['unique-local fc00::/7 (fd)', 'fd12:3456:789a::1'],
    ['unique-local fc00::/7 (fc)', 'fc00::1'],
    ['IPv6 multicast', 'ff02::1'],
    ['IPv4-mapped loopback, dotted', '::ffff:127.0.0.1'],
    ['IPv4-mapped loopback, hex', '::ffff:7f00:1'],
    ['IPv4-mapped private', '::ffff:10.0.0.1'],
    ['IPv4-mapped metadata', '::ffff:169.254.169.254'],
    ['IPv4-compatible loopback (deprecated), dotted', '::127.0.0.1'],
    ['IPv4-compatible loopback (deprecated), hex', '::7f00:1'],
    ['IPv4-compatible public (deprecated form is never used)', '::8.8.8.8'],
    ['IPv4-translated (RFC 6145)', '::ffff:0:7f00:1'],
    ['6to4 of loopback', '2002:7f00:1::1'],
    ['6to4 of 10/8', '2002:a00:1::'],
    ['6to4 of 192.168/16', '2002:c0a8:101::1'],
    ['NAT64 of loopback', '64:ff9b::127.0.0.1'],
    ['NAT64 of private', '64:ff9b::c0a8:101'],
    ['NAT64 local-use prefix (RFC 8215)', '64:ff9b:1::8.8.8.8'],
    ['Teredo with a private client', `2001:0:4136:e378:8000:63bf:${(~0x0a00 & 0xffff).toString(16)}:${(~0x0001 & 0xffff).toString(16)}`],
    ['Teredo with a private server', '2001:0:a00:1:8000:63bf:f7f7:f7f7'],
    ['documentation 2001:db8::/32', '2001:db8::1'],
    ['benchmarking 2001:2::/48', '2001:2::1'],
    ['discard-only 100::/64', '100::1'],
    ['deprecated site-local fec0::/10', 'fec0::1'],
    ['unallocated outside 2000::/3', '4000::1'],
    ['not an address', 'example.com'],
    ['empty', ''],
  ];
  for (const [name, ip] of forbidden) {
    it(`refuses ${name} (${ip})`, () => assert.equal(isForbiddenAddress(ip), true));
  }

  const allowed: [string, string][] = [
    ['public IPv4', '93.184.216.34'],
    ['public IPv4 next to 10/8', '11.0.0.1'],
    ['public IPv4 next to 172.16/12', '172.32.0.1'],
    ['public IPv4 next to CGNAT', '100.128.0.1'],
    ['public IPv6', '2606:4700:4700::1111'],
    ['public IPv6, bracketed', '[2a00:1450:4001:80b::200e]'],
    ['IPv4-mapped public', '::ffff:93.184.216.34'],
    ['6to4 of a public IPv4', '2002:5db8:d822::1'],
    ['NAT64 of a public IPv4', '64:ff9b::93.184.216.34'],
    ['Teredo with public server and client', `2001:0:5db8:d822:8000:63bf:${(~0x5db8 & 0xffff).toString(16)}:${(~0xd823 & 0xffff).toString(16)}`],
  ];
  for (const [name, ip] of allowed) {
    it(`allows ${name} (${ip})`, () => assert.equal(isForbiddenAddress(ip), false));
  }
});

describe('net-guard: validateFeedUrl', () => {
  function refusal(raw: string, policy: NetPolicy = GUARD_ON): ValidationError {
    try {
      validateFeedUrl(raw, policy);
    } catch (err) {
      assert.ok(err instanceof ValidationError, String(err));
      assert.equal(err.status, 422);
      return err;
    }
    assert.fail(`${raw} was accepted`);
  }

  const privateUrls: [string, string, string][] = [
    ['dotted loopback', 'http://127.0.0.1/feed', '127.0.0.1'],
    ['decimal integer', 'http://2130706433/feed', '127.0.0.1'],
    ['hex', 'http://0x7f.1/feed', '127.0.0.1'],
    ['hex octets', 'http://0x7f.0x0.0x0.0x1/feed', '127.0.0.1'],
    ['octal', 'http://0177.0.0.1/feed', '127.0.0.1'],
    ['short form', 'http://127.1/feed', '127.0.0.1'],
    ['with a port', 'https://127.0.0.1:8443/feed', '127.0.0.1'],
    ['trailing dot', 'http://127.0.0.1./feed', '127.0.0.1'],
    ['0.0.0.0', 'http://0.0.0.0/', '0.0.0.0'],
    ['bare 0', 'http://0/', '0.0.0.0'],
    ['metadata service', 'http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
    ['private 10/8', 'http://10.0.0.5/feed', '10.0.0.5'],
    ['private 192.168/16 (decimal)', 'http://3232235777/', '192.168.1.1'],
    ['IPv6 loopback', 'http://[::1]/feed', '::1'],
    ['IPv6 loopback, long form', 'http://[0:0:0:0:0:0:0:1]/feed', '::1'],
    ['IPv4-mapped, hex', 'http://[::ffff:7f00:1]/feed', '::ffff:7f00:1'],
    ['IPv4-mapped, dotted', 'http://[::ffff:127.0.0.1]/feed', '::ffff:7f00:1'],
    ['IPv6 link-local', 'http://[fe80::1]/feed', 'fe80::1'],
    ['IPv6 unique-local', 'http://[fd00::1]:8080/feed', 'fd00::1'],
    ['localhost', 'http://localhost/feed', 'localhost'],
    ['LOCALHOST with a port', 'http://LOCALHOST:8080/feed', 'localhost'],
    ['localhost.', 'http://localhost./feed', 'localhost.'],
    ['a name under .localhost', 'http://api.localhost/feed', 'api.localhost'],
  ];
  for (const [name, raw, shown] of privateUrls) {
    it(`refuses ${name}: ${raw}`, () => {
      const err = refusal(raw);
      assert.equal(err.code, 'private_address');
      assert.equal(
        err.message,
        `source URL points to a private or loopback address (${shown}); set WIREFEED_ALLOW_PRIVATE_NETWORKS=1 or add the host to WIREFEED_PRIVATE_NETWORK_ALLOWLIST to allow it`,
      );
    });
    it(`accepts ${name} when private networks are allowed`, () => {
      assert.ok(validateFeedUrl(raw, { allowPrivateNetworks: true, allowlist: [] }) instanceof URL);
    });
  }

  const invalid: { name: string; raw: string; code: string; message: RegExp }[] = [
    { name: 'file:', raw: 'file:///etc/passwd', code: 'unsupported_scheme', message: /^source URL scheme file is not supported; use http or https$/ },
    { name: 'data:', raw: 'data:text/plain,hello', code: 'unsupported_scheme', message: /scheme data / },
    { name: 'ftp:', raw: 'ftp://ftp.example.com/feed.xml', code: 'unsupported_scheme', message: /scheme ftp / },
    { name: 'javascript:', raw: 'javascript:alert(1)', code: 'unsupported_scheme', message: /scheme javascript / },
    { name: 'gopher:', raw: 'gopher://example.com/', code: 'unsupported_scheme', message: /scheme gopher / },
    { name: 'user and password', raw: 'https://user:secret@example.com/feed', code: 'url_credentials', message: /must not contain a user name or password/ },
    { name: 'user only', raw: 'https://user@example.com/feed', code: 'url_credentials', message: /user name or password/ },
    { name: 'relative URL', raw: '/feed.xml', code: 'invalid_url', message: /is not a valid absolute URL/ },
    { name: 'empty', raw: '', code: 'invalid_url', message: /is not a valid absolute URL/ },
    { name: 'broken IPv6', raw: 'http://[::1/feed', code: 'invalid_url', message: /not a valid absolute URL/ },
    { name: 'too long', raw: `https://example.com/${'a'.repeat(MAX_URL_LENGTH)}`, code: 'url_too_long', message: /limit is 2048/ },
    { name: 'too long once percent-encoded', raw: `https://example.com/${'é'.repeat(700)}`, code: 'url_too_long', message: /once normalized/ },
  ];
  for (const c of invalid) {
    it(`refuses ${c.name}`, () => {
      const err = refusal(c.raw);
      assert.equal(err.code, c.code);
      assert.match(err.message, c.message);
    });
  }

  const fine: [string, string, string][] = [
    ['public https', 'https://example.com/feed.xml', 'https://example.com/feed.xml'],
    ['public http with port and query', 'http://Example.COM:8080/rss?x=1', 'http://example.com:8080/rss?x=1'],
    ['surrounding whitespace', '  https://example.com/feed  ', 'https://example.com/feed'],
    ['public IPv4 literal', 'http://93.184.216.34/feed', 'http://93.184.216.34/feed'],
    ['public IPv6 literal', 'http://[2606:4700:4700::1111]/feed', 'http://[2606:4700:4700::1111]/feed'],
    ['a name that merely contains localhost', 'https://localhost.example.com/feed', 'https://localhost.example.com/feed'],
    ['exactly 2048 characters', `https://example.com/${'a'.repeat(MAX_URL_LENGTH - 20)}`, `https://example.com/${'a'.repeat(MAX_URL_LENGTH - 20)}`],
  ];
  for (const [name, raw, href] of fine) {
    it(`accepts ${name}`, () => assert.equal(validateFeedUrl(raw, GUARD_ON).href, href));
  }

  const allowlisting: { name: string; raw: string; allowlist: string[]; ok: boolean }[] = [
    { name: 'host entry, any port', raw: 'http://127.0.0.1:9000/feed', allowlist: ['127.0.0.1'], ok: true },
    { name: 'host:port entry, same port', raw: 'http://127.0.0.1:9000/feed', allowlist: ['127.0.0.1:9000'], ok: true },
    { name: 'host:port entry, other port', raw: 'http://127.0.0.1:9001/feed', allowlist: ['127.0.0.1:9000'], ok: false },
    { name: 'host:80 and a URL without port', raw: 'http://127.0.0.1/feed', allowlist: ['127.0.0.1:80'], ok: true },
    { name: 'host:443 and an https URL without port', raw: 'https://127.0.0.1/feed', allowlist: ['127.0.0.1:443'], ok: true },
    { name: 'host:443 and an http URL without port', raw: 'http://127.0.0.1/feed', allowlist: ['127.0.0.1:443'], ok: false },
    { name: 'case-insensitive name', raw: 'http://LocalHost:8080/feed', allowlist: ['LOCALHOST:8080'], ok: true },
    { name: 'entry in another spelling of the IP', raw: 'http://2130706433/feed', allowlist: ['127.0.0.1'], ok: true },
    { name: 'bracketed IPv6 entry', raw: 'http://[::1]:8080/feed', allowlist: ['[::1]:8080'], ok: true },
    { name: 'bare IPv6 entry in long form', raw: 'http://[::1]:8080/feed', allowlist: ['0:0:0:0:0:0:0:1'], ok: true },
    { name: 'a different host', raw: 'http://127.0.0.2/feed', allowlist: ['127.0.0.1'], ok: false },
    { name: 'a suffix is not a match', raw: 'http://api.localhost/feed', allowlist: ['localhost'], ok: false },
  ];
  for (const c of allowlisting) {
    it(`${c.ok ? 'lets through' : 'still refuses'}: ${c.name}`, () => {
      const policy = { allowPrivateNetworks: false, allowlist: c.allowlist };
      if (c.ok) assert.ok(validateFeedUrl(c.raw, policy) instanceof URL);
      else assert.equal(refusal(c.raw, policy).code, 'private_address');
    });
  }
});

describe('net-guard: isAllowlisted', () => {
  const cases: { name: string; host: string; port: number | string | undefined; list: string[]; want: boolean }[] = [
    { name: 'empty list', host: 'feeds.internal', port: 80, list: [], want: false },
    { name: 'host entry', host: 'feeds.internal', port: 8080, list: ['feeds.internal'], want: true },
    { name: 'host:port entry', host: 'feeds.internal', port: 8080, list: ['feeds.internal:8080'], want: true },
    { name: 'host:port entry, port as string', host: 'feeds.internal', port: '8080', list: ['feeds.internal:8080'], want: true },
    { name: 'host:port entry, wrong port', host: 'feeds.internal', port: 8081, list: ['feeds.internal:8080'], want: false },
    { name: 'host:port entry, unknown port', host: 'feeds.internal', port: undefined, list: ['feeds.internal:8080'], want: false },
    { name: 'case-insensitive', host: 'Feeds.Internal', port: 80, list: ['FEEDS.internal'], want: true },
    { name: 'trailing dot', host: 'feeds.internal.', port: 80, list: ['feeds.internal'], want: true },
    { name: 'bracketed IPv6 host', host: '[::1]', port: 80, list: ['[::1]'], want: true },
    { name: 'IPv6 entry with port', host: '::1', port: 8080, list: ['[::1]:8080'], want: true },
    { name: 'IPv6 entry, other port', host: '::1', port: 8081, list: ['[::1]:8080'], want: false },
    { name: 'whitespace in entries', host: 'feeds.internal', port: 80, list: [' feeds.internal '], want: true },
    { name: 'subdomain is not covered', host: 'a.feeds.internal', port: 80, list: ['feeds.internal'], want: false },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(isAllowlisted(c.host, c.port, c.list), c.want));
  }
});

describe('net-guard: connect-time checks', () => {
  function lookup(fn: ReturnType<typeof createGuardedLookup>, host: string, all: boolean): Promise<{ err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number }> {
    return new Promise((resolve) => fn(host, { all }, (err, address, family) => resolve({ err, address, family })));
  }
  const fake: ResolveHost = async (host) => {
    const table: Record<string, LookupAddress[]> = {
      'public.test.invalid': [{ address: '93.184.216.34', family: 4 }, { address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 }],
      'rebind.test.invalid': [{ address: '127.0.0.1', family: 4 }],
      'mixed.test.invalid': [{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.1', family: 4 }],
      'mapped.test.invalid': [{ address: '::ffff:169.254.169.254', family: 6 }],
    };
    const found = table[host];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found;
  };

  it('refuses localhost resolved by the system resolver (127.0.0.1 / ::1)', async () => {
    const { err } = await lookup(createGuardedLookup(), 'localhost', true);
    assert.ok(err instanceof FetchError);
    assert.equal(err.code, 'private_address');
    assert.match(err.message, /^fetch: localhost resolves to a private or loopback address \((127\.0\.0\.1|::1)/);
  });

  const refused: [string, string][] = [
    ['a name that rebinds to loopback', 'rebind.test.invalid'],
    ['a name with one private address among public ones', 'mixed.test.invalid'],
    ['a name resolving to an IPv4-mapped metadata address', 'mapped.test.invalid'],
  ];
  for (const [name, host] of refused) {
    for (const all of [true, false]) {
      it(`refuses ${name} (all: ${all})`, async () => {
        const { err } = await lookup(createGuardedLookup(fake), host, all);
        assert.ok(err instanceof FetchError);
        assert.equal(err.code, 'private_address');
      });
    }
  }

  it('passes every address of a public name when asked for all', async () => {
    const { err, address } = await lookup(createGuardedLookup(fake), 'public.test.invalid', true);
    assert.equal(err, null);
    assert.deepEqual(address, [{ address: '93.184.216.34', family: 4 }, { address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 }]);
  });

  it('passes the first address of a public name when asked for one', async () => {
    const res = await lookup(createGuardedLookup(fake), 'public.test.invalid', false);
    assert.deepEqual(res, { err: null, address: '93.184.216.34', family: 4 });
  });

  it('passes resolver errors through', async () => {
    const { err } = await lookup(createGuardedLookup(fake), 'missing.test.invalid', true);
    assert.equal(err?.code, 'ENOTFOUND');
  });

  const literals: { host: string; refused: boolean }[] = [
    { host: '127.0.0.1', refused: true },
    { host: '::1', refused: true },
    { host: '[::ffff:7f00:1]', refused: true },
    { host: '93.184.216.34', refused: false },
    { host: 'example.com', refused: false }, // names are the lookup's business
  ];
  for (const c of literals) {
    it(`literalAddressError(${c.host}) ${c.refused ? 'refuses' : 'passes'}`, () => {
      const err = literalAddressError(c.host);
      assert.equal(err instanceof FetchError && err.code === 'private_address', c.refused);
      if (!c.refused) assert.equal(err, undefined);
    });
  }
});
