// The egress guard: a push endpoint is a URL a browser (so anyone) chose, and the server calls
// it. In production only https endpoints whose addresses are public are called; outside
// production, loopback http is allowed too, so that tests run a push service on 127.0.0.1.
// The address is checked where the socket connects (`guardedLookup`), so a name that resolves
// to a public address when checked and a private one when called (DNS rebinding) is refused.
import dns from 'node:dns';
import net from 'node:net';

/** Longer than any push service's endpoint (FCM, Mozilla, Apple, WNS: 100–500 characters). */
export const MAX_ENDPOINT_LENGTH = 2048;

export type EgressRule = { allowLoopback: boolean };

export function egressRule(env: 'development' | 'production' | 'test'): EgressRule {
  return { allowLoopback: env !== 'production' };
}

const special = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4]
] as const) {
  special.addSubnet(prefix, bits, 'ipv4');
}
// IPv6: only global unicast (2000::/3) is public, less documentation, 6to4 and Teredo (which
// embed IPv4 addresses of any kind).
const globalUnicast = new net.BlockList();
globalUnicast.addSubnet('2000::', 3, 'ipv6');
for (const [prefix, bits] of [
  ['2001:db8::', 32],
  ['2002::', 16],
  ['2001::', 32]
] as const) {
  special.addSubnet(prefix, bits, 'ipv6');
}

function isLoopback(address: string): boolean {
  return net.isIPv4(address) ? address.startsWith('127.') : address === '::1';
}

/** IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is judged as the IPv4 address it carries. */
function unmapped(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

export function isPublicAddress(raw: string): boolean {
  const address = unmapped(raw);
  if (net.isIPv4(address)) return !special.check(address, 'ipv4');
  if (net.isIPv6(address)) {
    return globalUnicast.check(address, 'ipv6') && !special.check(address, 'ipv6');
  }
  return false;
}

export function addressAllowed(address: string, rule: EgressRule): boolean {
  return isPublicAddress(address) || (rule.allowLoopback && isLoopback(unmapped(address)));
}

const bare = (hostname: string) => hostname.replace(/^\[|\]$/g, '');

/**
 * Why `endpoint` may not be stored or called, or null when it may: an absolute https URL
 * without credentials (or loopback http where allowed), of a reasonable length. Names are
 * resolved only when called.
 */
export function endpointProblem(endpoint: string, rule: EgressRule): string | null {
  if (endpoint.length > MAX_ENDPOINT_LENGTH) return 'The endpoint is too long.';
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'The endpoint is not a URL.';
  }
  if (url.username !== '' || url.password !== '') return 'The endpoint may not carry credentials.';
  const host = bare(url.hostname);
  const loopbackHost = host === 'localhost' || (net.isIP(host) !== 0 && isLoopback(host));
  if (url.protocol === 'http:') {
    return rule.allowLoopback && loopbackHost ? null : 'The endpoint must be an https URL.';
  }
  if (url.protocol !== 'https:') return 'The endpoint must be an https URL.';
  if (net.isIP(host) !== 0 && !addressAllowed(host, rule)) {
    return 'The endpoint must be on the public internet.';
  }
  if (host === 'localhost' && !rule.allowLoopback) {
    return 'The endpoint must be on the public internet.';
  }
  return null;
}

type LookupAll = (
  error: NodeJS.ErrnoException | null,
  addresses: dns.LookupAddress[] | string,
  family?: number
) => void;

/**
 * A `lookup` for http(s).request that resolves as usual and refuses any address the rule does
 * not allow (Node calls it for names only: IP literals are checked by `endpointProblem`).
 */
export function guardedLookup(rule: EgressRule) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupAll) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const allowed = addresses.filter((entry) => addressAllowed(entry.address, rule));
      if (allowed.length === 0 || allowed.length !== addresses.length) {
        const refused = new Error(
          `push endpoint ${hostname} resolves to an address that is not public`
        ) as NodeJS.ErrnoException;
        refused.code = 'EPUSHEGRESS';
        return callback(refused, []);
      }
      if (options.all) return callback(null, allowed);
      const [first] = allowed;
      return callback(null, first?.address ?? '', first?.family);
    });
  };
}
