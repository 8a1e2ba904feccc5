/**
 * IP family helpers. Every address is parsed with `ip-address` (Address4/Address6):
 * hand-rolled regexes and `split(':')` get IPv6 wrong in ways that only show up on
 * the clusters this harness exists to test (zero compression, embedded IPv4, zones).
 */
import { Address4, Address6 } from 'ip-address';

export type IPFamily = 'IPv4' | 'IPv6';

export const IP_FAMILIES: readonly IPFamily[] = ['IPv4', 'IPv6'];

/** Bad address/CIDR input. Carries the offending input so callers can name it. */
export class InvalidAddressError extends Error {
  override name = 'InvalidAddressError';
  constructor(
    readonly input: string,
    what: string,
    detail?: string,
  ) {
    super(`${JSON.stringify(input)} is not a valid ${what}${detail ? ` (${detail})` : ''}`);
  }
}

export type ParsedAddress = Address4 | Address6;

/** Parses a bare address (no `/prefix`). IPv6 zones (`fe80::1%eth0`) are accepted. */
export function parseIp(ip: string): ParsedAddress {
  if (typeof ip !== 'string' || ip === '') throw new InvalidAddressError(String(ip), 'IP address', 'empty');
  if (Address4.isValid(ip)) {
    const a = new Address4(ip);
    // isValid also accepts "10.0.0.1/24"; a bare address is what callers asked for.
    if (a.parsedSubnet !== '') throw new InvalidAddressError(ip, 'IP address', 'has a prefix length; expected a bare address');
    return a;
  }
  if (Address6.isValid(ip)) {
    const a = new Address6(ip);
    if (a.parsedSubnet !== '') throw new InvalidAddressError(ip, 'IP address', 'has a prefix length; expected a bare address');
    return a;
  }
  throw new InvalidAddressError(ip, 'IP address');
}

/** Parses a CIDR with an explicit prefix length. Host bits may be set (as in a node's IP/24). */
export function parseCidr(cidr: string): ParsedAddress {
  if (typeof cidr !== 'string' || cidr === '') throw new InvalidAddressError(String(cidr), 'CIDR', 'empty');
  let a: ParsedAddress;
  if (Address4.isValid(cidr)) a = new Address4(cidr);
  else if (Address6.isValid(cidr)) a = new Address6(cidr);
  else throw new InvalidAddressError(cidr, 'CIDR');
  if (a.parsedSubnet === '') throw new InvalidAddressError(cidr, 'CIDR', 'missing /prefix-length');
  if (a instanceof Address6 && a.zone) throw new InvalidAddressError(cidr, 'CIDR', 'zone not allowed');
  return a;
}

export function isIp(ip: string): boolean {
  try {
    parseIp(ip);
    return true;
  } catch {
    // A predicate: failing to parse is the answer.
    return false;
  }
}

function familyOfParsed(a: ParsedAddress): IPFamily {
  return a instanceof Address4 ? 'IPv4' : 'IPv6';
}

/**
 * Family of a bare address. `::ffff:10.0.0.1` is reported as IPv6: it is written in
 * IPv6 syntax, and an IPv4-mapped address in a Kubernetes API field is itself a finding.
 */
export function familyOf(ip: string): IPFamily {
  return familyOfParsed(parseIp(ip));
}

export function familyOfCidr(cidr: string): IPFamily {
  return familyOfParsed(parseCidr(cidr));
}

/**
 * Host-in-subnet: is the address inside the range, whatever its own prefix.
 * Cross-family is simply false (an IPv4 pod IP is not "in" an IPv6 pod CIDR).
 */
export function isInCidr(ip: string, cidr: string): boolean {
  const a = parseIp(ip);
  const net = parseCidr(cidr);
  if (familyOfParsed(a) !== familyOfParsed(net)) return false;
  // ip-address's isInSubnet is network containment; isHostInSubnet is what we mean.
  return a.isHostInSubnet(net);
}

/** True when both addresses (or CIDRs) are of the same family. */
export function sameFamily(a: string, b: string): boolean {
  return familyOfAny(a) === familyOfAny(b);
}

/** Family of either a bare address or a CIDR. */
export function familyOfAny(ipOrCidr: string): IPFamily {
  if (Address4.isValid(ipOrCidr)) return 'IPv4';
  if (Address6.isValid(ipOrCidr)) return 'IPv6';
  throw new InvalidAddressError(ipOrCidr, 'IP address or CIDR');
}

export function otherFamily(f: IPFamily): IPFamily {
  return f === 'IPv4' ? 'IPv6' : 'IPv4';
}

/** RFC 5952 form for IPv6 (`fd00:10:244::5`), dotted quad for IPv4. Zones are kept. */
export function normalizeIp(ip: string): string {
  const a = parseIp(ip);
  if (a instanceof Address6) return a.correctForm() + a.zone;
  return a.correctForm();
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidAddressError(String(port), 'port', 'expected an integer 1-65535');
  }
}

/** RFC 1123 host name: what `hostPort`/`urlFor` accept when given a name instead of an IP. */
function isHostname(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  return name
    .replace(/\.$/, '')
    .split('.')
    .every((label) => /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/.test(label));
}

/** Does a host look like a numeric IPv4 literal (so a failed parse is an error, not a name)? */
function looksNumeric(host: string): boolean {
  return /^[0-9.]+$/.test(host);
}

/**
 * `host:port` for curl/nc/agnhost: IPv6 goes in brackets (`[fd00::1]:80`), IPv4 and
 * DNS names do not. A zone stays literal here (`[fe80::1%eth0]:80`); `urlFor` escapes it.
 */
export function hostPort(host: string, port: number): string {
  checkPort(port);
  return `${formatHost(host, false)}:${port}`;
}

function formatHost(host: string, forUrl: boolean): string {
  if (isIp(host)) {
    const a = parseIp(host);
    if (a instanceof Address6) {
      const zone = forUrl ? a.zone.replace('%', '%25') : a.zone; // RFC 6874
      return `[${a.correctForm()}${zone}]`;
    }
    return a.correctForm();
  }
  if (looksNumeric(host) || !isHostname(host)) throw new InvalidAddressError(host, 'IP address or host name');
  return host;
}

/** `http://[fd00::1]:8080/path`. `path` may be given with or without its leading slash. */
export function urlFor(host: string, port: number, path = '/', scheme: 'http' | 'https' = 'http'): string {
  checkPort(port);
  const p = path.startsWith('/') ? path : `/${path}`;
  return `${scheme}://${formatHost(host, true)}:${port}${p}`;
}

export interface HostPort {
  host: string;
  port: number;
  /** Set when `host` is an IP literal. */
  family?: IPFamily;
}

/**
 * Parses `1.2.3.4:80`, `[fd00::1]:80` or `name:80` (e.g. `--nat64-target`). The only
 * string work is peeling brackets and the port off; the host itself goes through
 * ip-address. An unbracketed IPv6 with a port (`fd00::1:80`) is ambiguous and rejected.
 */
export function parseHostPort(input: string): HostPort {
  let host: string;
  let portText: string;
  if (input.startsWith('[')) {
    const close = input.indexOf(']');
    if (close < 0 || input[close + 1] !== ':') {
      throw new InvalidAddressError(input, 'host:port', 'expected [IPv6]:port');
    }
    host = input.slice(1, close);
    portText = input.slice(close + 2);
    if (!Address6.isValid(host) || new Address6(host).parsedSubnet !== '') {
      throw new InvalidAddressError(input, 'host:port', `${host} is not an IPv6 address`);
    }
  } else {
    const colon = input.lastIndexOf(':');
    if (colon < 0) throw new InvalidAddressError(input, 'host:port', 'missing :port');
    host = input.slice(0, colon);
    portText = input.slice(colon + 1);
    if (host.includes(':')) throw new InvalidAddressError(input, 'host:port', 'write IPv6 as [addr]:port');
    if (!isIp(host) && (looksNumeric(host) || !isHostname(host))) {
      throw new InvalidAddressError(input, 'host:port', `${host} is neither an IP address nor a host name`);
    }
  }
  if (!/^[0-9]{1,5}$/.test(portText)) throw new InvalidAddressError(input, 'host:port', 'bad port');
  const port = Number(portText);
  if (port < 1 || port > 65535) throw new InvalidAddressError(input, 'host:port', 'port out of range 1-65535');
  if (isIp(host)) return { host: normalizeIp(host), port, family: familyOf(host) };
  return { host, port };
}
