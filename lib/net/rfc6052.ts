/**
 * RFC 6052 IPv4-embedded IPv6 addresses (what DNS64 synthesizes and NAT64 translates).
 *
 * §2.2 layout, bit offsets from the left of the 128-bit address:
 *
 *   PL  | 0 ......... 32 ...... 40 ...... 48 ...... 56 ...... 64 | 64-71 | 72 ..................... 104 ..... 127
 *   /32 | prefix      | v4(32)                                    |   u   | suffix
 *   /40 | prefix               | v4(24)                           |   u   | v4(8)  | suffix
 *   /48 | prefix                        | v4(16)                  |   u   | v4(16)          | suffix
 *   /56 | prefix                                 | v4(8)          |   u   | v4(24)                   | suffix
 *   /64 | prefix                                                  |   u   | v4(32)                            | suffix
 *   /96 | prefix (the u octet falls inside it)                                                       | v4(32)
 *
 * Bits 64–71 ("u") MUST be zero (kept for RFC 4291 interface-identifier compatibility),
 * so the IPv4 bits skip over them. The suffix SHOULD be zero.
 */
import { Address4, Address6 } from 'ip-address';
import { InvalidAddressError } from './family.ts';

export const PREF64_LENGTHS = [32, 40, 48, 56, 64, 96] as const;
export type Pref64Length = (typeof PREF64_LENGTHS)[number];

/** The well-known prefix (RFC 6052 §2.1). Not usable for private IPv4 destinations (§3.1). */
export const WELL_KNOWN_PREF64 = '64:ff9b::/96';

export interface Pref64 {
  /** Network address, RFC 5952 form, e.g. `64:ff9b::`. */
  readonly prefix: string;
  readonly length: Pref64Length;
  /** `${prefix}/${length}` */
  readonly cidr: string;
  /** The prefix as a 128-bit integer (host bits zero). */
  readonly bits: bigint;
}

const ALL_ONES_128 = (1n << 128n) - 1n;
const U_OCTET_SHIFT = 56n; // bits 64..71 sit 56 bits above the least significant bit

function isPref64Length(n: number): n is Pref64Length {
  return (PREF64_LENGTHS as readonly number[]).includes(n);
}

function maskOf(length: number): bigint {
  return length === 0 ? 0n : (ALL_ONES_128 << BigInt(128 - length)) & ALL_ONES_128;
}

/** Parses and validates a NAT64/DNS64 prefix such as `64:ff9b::/96` or `2001:db8:122::/48`. */
export function parsePref64(cidr: string): Pref64 {
  if (typeof cidr !== 'string' || !Address6.isValid(cidr)) {
    throw new InvalidAddressError(String(cidr), 'NAT64 prefix', 'expected an IPv6 CIDR such as 64:ff9b::/96');
  }
  const a = new Address6(cidr);
  if (a.parsedSubnet === '') throw new InvalidAddressError(cidr, 'NAT64 prefix', 'missing /prefix-length');
  if (a.zone) throw new InvalidAddressError(cidr, 'NAT64 prefix', 'zone not allowed');
  const length = a.subnetMask;
  if (!isPref64Length(length)) {
    throw new InvalidAddressError(cidr, 'NAT64 prefix', `length must be one of /${PREF64_LENGTHS.join(', /')} (RFC 6052 §2.2)`);
  }
  const value = a.bigInt();
  if ((value & ~maskOf(length) & ALL_ONES_128) !== 0n) {
    throw new InvalidAddressError(cidr, 'NAT64 prefix', 'bits set after the prefix length');
  }
  if (((value >> U_OCTET_SHIFT) & 0xffn) !== 0n) {
    throw new InvalidAddressError(cidr, 'NAT64 prefix', 'bits 64-71 (the "u" octet) must be zero (RFC 6052 §2.2)');
  }
  const prefix = Address6.fromBigInt(value).correctForm();
  return { prefix, length, cidr: `${prefix}/${length}`, bits: value };
}

function toPref64(p: Pref64 | string): Pref64 {
  return typeof p === 'string' ? parsePref64(p) : p;
}

/** Number of IPv4 bits placed before the u octet; the rest go right after it. */
function bitsBeforeU(length: Pref64Length): number {
  return length === 96 ? 32 : 64 - length;
}

/** `embedIPv4('2001:db8:122::/48', '192.0.2.33')` → `2001:db8:122:c000:2:2100::` */
export function embedIPv4(pref64: Pref64 | string, ipv4: string): string {
  const p = toPref64(pref64);
  if (!Address4.isValid(ipv4) || new Address4(ipv4).parsedSubnet !== '') {
    throw new InvalidAddressError(ipv4, 'IPv4 address');
  }
  const v4 = new Address4(ipv4).bigInt();
  let out: bigint;
  if (p.length === 96) {
    out = p.bits | v4;
  } else {
    const hiBits = bitsBeforeU(p.length);
    const loBits = 32 - hiBits;
    const hi = v4 >> BigInt(loBits);
    const lo = v4 & ((1n << BigInt(loBits)) - 1n);
    // hi ends at bit 63 (i.e. 64 bits above the LSB); lo starts at bit 72.
    out = p.bits | (hi << 64n) | (lo << BigInt(128 - 72 - loBits));
  }
  return Address6.fromBigInt(out).correctForm();
}

export interface ExtractOptions {
  /** Reject a non-zero suffix (default true: DNS64 must not synthesize one, so it is a finding). */
  strictSuffix?: boolean;
}

/** Inverse of `embedIPv4`; throws when the address is outside the prefix or malformed. */
export function extractIPv4(pref64: Pref64 | string, ipv6: string, opts: ExtractOptions = {}): string {
  const p = toPref64(pref64);
  if (!Address6.isValid(ipv6) || new Address6(ipv6).parsedSubnet !== '') {
    throw new InvalidAddressError(ipv6, 'IPv6 address');
  }
  const value = new Address6(ipv6).bigInt();
  if ((value & maskOf(p.length)) !== p.bits) {
    throw new InvalidAddressError(ipv6, `address inside ${p.cidr}`);
  }
  if (((value >> U_OCTET_SHIFT) & 0xffn) !== 0n) {
    throw new InvalidAddressError(ipv6, 'RFC 6052 address', 'bits 64-71 (the "u" octet) must be zero');
  }
  let v4: bigint;
  if (p.length === 96) {
    v4 = value & 0xffffffffn;
  } else {
    const hiBits = bitsBeforeU(p.length);
    const loBits = 32 - hiBits;
    const hi = (value >> 64n) & ((1n << BigInt(hiBits)) - 1n);
    const loShift = BigInt(128 - 72 - loBits);
    const lo = (value >> loShift) & ((1n << BigInt(loBits)) - 1n);
    v4 = (hi << BigInt(loBits)) | lo;
    const suffix = value & ((1n << loShift) - 1n);
    if ((opts.strictSuffix ?? true) && suffix !== 0n) {
      throw new InvalidAddressError(ipv6, 'RFC 6052 address', 'suffix bits after the IPv4 part are not zero');
    }
  }
  return Address4.fromBigInt(v4).correctForm();
}

/** True when `ipv6` lies inside the prefix (whatever its u octet); never throws on bad input. */
export function isInPref64(pref64: Pref64 | string, ipv6: string): boolean {
  try {
    const p = toPref64(pref64);
    return (new Address6(ipv6).bigInt() & maskOf(p.length)) === p.bits;
  } catch {
    // A predicate: what is not an IPv6 address (or not a prefix) contains nothing and is in nothing.
    return false;
  }
}
