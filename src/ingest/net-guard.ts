// The private-network guard (SSRF defence): a source URL, every redirect hop and every address a
// host name resolves to at connect time must be plain global unicast unless the operator allows
// private networks or allowlists the host. The one home of ipaddr.js (DESIGN.md §2).
import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { FetchError, ValidationError } from '../errors.js';

export interface NetPolicy {
  allowPrivateNetworks: boolean;
  /** host or host:port entries (IPv6 as [addr] or [addr]:port), case-insensitive. */
  allowlist: readonly string[];
}

/** Longest source URL we accept; longer ones are abuse or garbage, and break logs and indexes. */
export const MAX_URL_LENGTH = 2048;

const HOW_TO_ALLOW =
  'set WIREFEED_ALLOW_PRIVATE_NETWORKS=1 or add the host to WIREFEED_PRIVATE_NETWORK_ALLOWLIST to allow it';

function v4FromParts(hi: number, lo: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
}

function isGlobalV4(a: ipaddr.IPv4): boolean {
  // ipaddr.js names every special-purpose block (RFC 6890 registry); what is left is 'unicast'.
  return a.range() === 'unicast';
}

function isGlobalV6(a: ipaddr.IPv6): boolean {
  if (a.zoneId) return false;
  const p = a.parts as [number, number, number, number, number, number, number, number];
  if (p[0] === 0 && p[1] === 0 && p[2] === 0 && p[3] === 0 && p[4] === 0) {
    // ::ffff:a.b.c.d is an IPv4 address in IPv6 clothing: judge the IPv4 address. ::a.b.c.d
    // (IPv4-compatible, deprecated by RFC 4291 §2.5.5.1), :: and ::1 are never global.
    return p[5] === 0xffff && isGlobalV4(v4FromParts(p[6], p[7]));
  }
  switch (a.range()) {
    case '6to4': // RFC 3056: 2002:AABB:CCDD::/48 routes to IPv4 AA.BB.CC.DD
      return isGlobalV4(v4FromParts(p[1], p[2]));
    case 'rfc6052':
      // RFC 6052 well-known NAT64 prefix 64:ff9b::/96 embeds the IPv4 target in the last 32 bits;
      // the local-use prefix 64:ff9b:1::/48 (RFC 8215) is by definition not global.
      return p[1] === 0xff9b && p[2] === 0 && p[3] === 0 && p[4] === 0 && p[5] === 0 && isGlobalV4(v4FromParts(p[6], p[7]));
    case 'teredo': // RFC 4380 §4: server IPv4 in bits 32–63, client IPv4 inverted in the last 32
      return isGlobalV4(v4FromParts(p[2], p[3])) && isGlobalV4(v4FromParts(~p[6] & 0xffff, ~p[7] & 0xffff));
    case 'unicast':
      // Only 2000::/3 is allocated global unicast (RFC 4291 §2.4); the rest is unassigned.
      return (p[0] & 0xe000) === 0x2000;
    default:
      return false;
  }
}

/**
 * ipaddr.parse, except that an IPv6 address with a dotted IPv4 tail keeps its prefix: ipaddr.js
 * turns `::a.b.c.d` (IPv4-compatible) into `::ffff:a.b.c.d` (IPv4-mapped), which is another address.
 */
function parseAddress(ip: string): ipaddr.IPv4 | ipaddr.IPv6 {
  const tail = ip.includes(':') ? /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})((?:%.*)?)$/.exec(ip) : null;
  if (!tail) return ipaddr.parse(ip);
  const o = tail.slice(2, 6).map(Number);
  if (o.some((n) => n > 255)) throw new Error(`invalid IPv4 tail in ${ip}`);
  const hex = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
  return ipaddr.parse(`${tail[1]}${hex(o[0]!, o[1]!)}:${hex(o[2]!, o[3]!)}${tail[6]}`);
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * True unless `ip` is a plain global unicast address. Anything unparseable is refused too
 * (fail closed). Accepts bracketed IPv6 and zone ids.
 */
export function isForbiddenAddress(ip: string): boolean {
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = parseAddress(stripBrackets(ip));
  } catch {
    return true;
  }
  return addr.kind() === 'ipv4' ? !isGlobalV4(addr as ipaddr.IPv4) : !isGlobalV6(addr as ipaddr.IPv6);
}

/** Lower-cased host without brackets or trailing dot; IP literals in canonical form. */
function normalizeHost(host: string): string {
  const h = stripBrackets(host.trim().toLowerCase()).replace(/\.$/, '');
  if (!ipaddr.isValid(h)) return h;
  try {
    return parseAddress(h).toString();
  } catch {
    return h;
  }
}

function parseAllowlistEntry(entry: string): { host: string; port?: string } {
  const e = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(e);
  if (bracketed) return { host: normalizeHost(bracketed[1]!), port: bracketed[2] };
  // More than one colon and no brackets: a bare IPv6 address, which cannot carry a port.
  if (e.indexOf(':') !== e.lastIndexOf(':')) return { host: normalizeHost(e) };
  const hostPort = /^(.*):(\d{1,5})$/.exec(e);
  if (hostPort) return { host: normalizeHost(hostPort[1]!), port: hostPort[2] };
  return { host: normalizeHost(e) };
}

/**
 * Whether host (name or IP literal, brackets optional) on `port` is exempt from the guard. An
 * entry `host` covers every port, `host:port` only that port. The caller passes the effective
 * port (80/443 when the URL has none).
 */
export function isAllowlisted(host: string, port: number | string | undefined, allowlist: readonly string[]): boolean {
  if (allowlist.length === 0) return false;
  const h = normalizeHost(host);
  const p = port === undefined || port === '' ? undefined : String(Number(port));
  for (const raw of allowlist) {
    const entry = parseAllowlistEntry(raw);
    if (entry.host !== h) continue;
    if (entry.port === undefined || (p !== undefined && String(Number(entry.port)) === p)) return true;
  }
  return false;
}

/** The port a URL connects to: its explicit port, else the scheme default. */
export function effectivePort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/** RFC 6761 §6.3: `localhost` and every name under it are loopback, whatever DNS says. */
function isLocalhostName(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
}

function privateMessage(subject: string, addresses: string): string {
  return `${subject} a private or loopback address (${addresses}); ${HOW_TO_ALLOW}`;
}

/**
 * Parses and checks a source URL (or a redirect target): http/https only, no credentials, at most
 * MAX_URL_LENGTH characters, and no private/loopback host unless the policy allows it. IP literals
 * in every spelling are caught because the WHATWG URL parser normalizes them (2130706433, 0x7f.1,
 * 0177.0.0.1, 127.1 → 127.0.0.1; [0:0::1] → [::1]). Names are checked again at connect time.
 * Throws ValidationError (422). `subject` names the URL in messages (WebSub callbacks use the
 * same guard).
 */
export function validateFeedUrl(raw: string, policy: NetPolicy, subject = 'source URL'): URL {
  if (raw.length > MAX_URL_LENGTH) {
    throw new ValidationError('url_too_long', `${subject} is ${raw.length} characters long; the limit is ${MAX_URL_LENGTH}`);
  }
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ValidationError('invalid_url', `${subject} ${JSON.stringify(raw)} is not a valid absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValidationError('unsupported_scheme', `${subject} scheme ${url.protocol.replace(/:$/, '')} is not supported; use http or https`);
  }
  if (url.username || url.password) {
    throw new ValidationError('url_credentials', `${subject} must not contain a user name or password`);
  }
  if (!url.hostname) {
    throw new ValidationError('invalid_url', `${subject} ${JSON.stringify(raw)} has no host`);
  }
  if (url.href.length > MAX_URL_LENGTH) {
    throw new ValidationError('url_too_long', `${subject} is ${url.href.length} characters long once normalized; the limit is ${MAX_URL_LENGTH}`);
  }
  if (policy.allowPrivateNetworks || isAllowlisted(url.hostname, effectivePort(url), policy.allowlist)) return url;
  const host = stripBrackets(url.hostname);
  if (isLocalhostName(host) || (net.isIP(host) !== 0 && isForbiddenAddress(host))) {
    throw new ValidationError('private_address', privateMessage(`${subject} points to`, host), 422, { host });
  }
  return url;
}

/** Resolves a host name to all its addresses; injectable so tests never need real DNS. */
export type ResolveHost = (hostname: string, family: number) => Promise<dns.LookupAddress[]>;

export const systemResolve: ResolveHost = (hostname, family) =>
  dns.promises.lookup(hostname, { all: true, family: family === 4 || family === 6 ? family : 0 });

/** Adapts a ResolveHost to the callback shape net.connect expects (single or `all` addresses). */
export function lookupFrom(resolve: ResolveHost, check?: (hostname: string, addresses: dns.LookupAddress[]) => void): net.LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, options.family === 4 || options.family === 6 ? options.family : 0).then(
      (addresses) => {
        if (addresses.length === 0) {
          const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          err.code = 'ENOTFOUND';
          return callback(err, '');
        }
        check?.(hostname, addresses);
        if (options.all) return callback(null, addresses);
        const first = addresses[0]!;
        callback(null, first.address, first.family);
      },
    ).catch((err: NodeJS.ErrnoException) => callback(err, ''));
  };
}

/** Throws FetchError('private_address') when any resolved address is not global unicast. */
export function assertPublicAddresses(hostname: string, addresses: readonly dns.LookupAddress[]): void {
  const bad = addresses.filter((a) => isForbiddenAddress(a.address)).map((a) => a.address);
  if (bad.length > 0) {
    throw new FetchError(`fetch: ${privateMessage(`${hostname} resolves to`, bad.join(', '))}`, { code: 'private_address' });
  }
}

/**
 * The connect-time half of the guard, for net.connect's `lookup` option: resolves every address
 * of the host and fails the connection when any is forbidden. Because the check runs on the
 * address actually connected to, a name that passed the URL check and then re-resolves to a
 * private address (DNS rebinding) is still refused. Hosts the policy exempts must not use it.
 */
export function createGuardedLookup(resolve: ResolveHost = systemResolve): net.LookupFunction {
  return lookupFrom(resolve, assertPublicAddresses);
}

/**
 * Connect-time check for an IP-literal host (net.connect skips `lookup` for literals). Returns
 * the error to fail the connection with, or undefined when the address may be connected to.
 */
export function literalAddressError(host: string): FetchError | undefined {
  const h = stripBrackets(host);
  if (net.isIP(h) === 0 || !isForbiddenAddress(h)) return undefined;
  return new FetchError(`fetch: ${privateMessage('connection to', h)}`, { code: 'private_address' });
}
