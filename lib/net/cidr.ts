/**
 * Subnet arithmetic for picking addresses out of a network we do not own end to end,
 * e.g. a MetalLB pool at the top of kind's docker network (well away from the low
 * addresses docker hands to node containers).
 */
import { Address4, Address6 } from 'ip-address';
import { InvalidAddressError, parseCidr, type IPFamily } from './family.ts';

interface Bounds {
  family: IPFamily;
  /** First and last address of the network, as integers. */
  first: bigint;
  last: bigint;
  prefixLength: number;
}

function bounds(cidr: string): Bounds {
  const net = parseCidr(cidr);
  const family: IPFamily = net instanceof Address4 ? 'IPv4' : 'IPv6';
  return {
    family,
    first: net.startAddress().bigInt(),
    last: net.endAddress().bigInt(),
    prefixLength: net.subnetMask,
  };
}

function toText(family: IPFamily, value: bigint): string {
  return family === 'IPv4' ? Address4.fromBigInt(value).correctForm() : Address6.fromBigInt(value).correctForm();
}

/** Network address in canonical form: `networkOf('10.244.1.7/24')` → `10.244.1.0/24`. */
export function networkOf(cidr: string): string {
  const b = bounds(cidr);
  return `${toText(b.family, b.first)}/${b.prefixLength}`;
}

/** Number of addresses in the network (a bigint: an IPv6 /64 does not fit a number). */
export function sizeOf(cidr: string): bigint {
  const b = bounds(cidr);
  return b.last - b.first + 1n;
}

/**
 * The address at `index` in the network: 0 is the network address, -1 the last one.
 * `addressAt('10.96.0.0/16', 10)` → `10.96.0.10` (where kube-dns lives).
 */
export function addressAt(cidr: string, index: number | bigint): string {
  const b = bounds(cidr);
  const i = BigInt(index);
  const value = i >= 0n ? b.first + i : b.last + 1n + i;
  if (value < b.first || value > b.last) {
    throw new InvalidAddressError(String(index), `index into ${cidr}`, `out of range for a /${b.prefixLength}`);
  }
  return toText(b.family, value);
}

/** Is `inner` (a CIDR) entirely inside `outer`? Cross-family is false. */
export function cidrContains(outer: string, inner: string): boolean {
  const o = bounds(outer);
  const i = bounds(inner);
  return o.family === i.family && i.first >= o.first && i.last <= o.last;
}

/**
 * A range of `count` addresses ending `offsetFromEnd` addresses below the network's
 * last address, as MetalLB's `start-end` syntax:
 *   carveRange('172.18.0.0/16', 5, 50) → '172.18.255.201-172.18.255.250'
 * The IPv4 network and broadcast addresses and the IPv6 subnet-router anycast
 * address (the all-zero host) are never handed out; asking for them throws.
 */
export function carveRange(subnetCidr: string, offsetFromEnd: number, count: number): string {
  if (!Number.isInteger(offsetFromEnd) || offsetFromEnd < 0) {
    throw new InvalidAddressError(String(offsetFromEnd), 'offset from end', 'expected an integer >= 0');
  }
  if (!Number.isInteger(count) || count < 1) {
    throw new InvalidAddressError(String(count), 'range size', 'expected an integer >= 1');
  }
  const b = bounds(subnetCidr);
  // IPv4 /31 and /32 (RFC 3021) have no network/broadcast addresses to avoid.
  const v4HasBroadcast = b.family === 'IPv4' && b.prefixLength <= 30;
  const v6HasAnycast = b.family === 'IPv6' && b.prefixLength <= 126;
  const lowest = v4HasBroadcast || v6HasAnycast ? b.first + 1n : b.first;
  const highest = v4HasBroadcast ? b.last - 1n : b.last;
  const end = b.last - BigInt(offsetFromEnd);
  const start = end - BigInt(count) + 1n;
  if (end > highest || start < lowest) {
    throw new InvalidAddressError(
      subnetCidr,
      `subnet for ${count} addresses ending ${offsetFromEnd} below its last address`,
      v4HasBroadcast && end > highest ? 'the broadcast address cannot be used; use an offset of at least 1' : 'does not fit',
    );
  }
  return `${toText(b.family, start)}-${toText(b.family, end)}`;
}
