/**
 * MTU judgements, one family at a time: payloads larger than the path MTU through a
 * Service arrive whole (an HTTP POST echoed back, a UDP datagram that must be
 * fragmented), and the path MTU between pods, found by a bounded search with
 * fragmentation forbidden, equals the pods' interface MTU. Verdicts are pure; the
 * search takes its probe as a function so it is tested without a cluster.
 */
import { createHash } from 'node:crypto';
import type { IPFamily } from '../net/family.ts';
import type { DownloadResult } from '../probes/http.ts';
import type { UdpResult } from '../probes/udp.ts';
import { downloadVerdict, type PeerCheck } from './connectivity.ts';
import { clip, lastLine } from './text.ts';
import { verdict, type Verdict } from './verdict.ts';

/** The smallest MTU an IPv6 link may have (RFC 8200 §5). */
export const IPV6_MIN_MTU = 1280;

export interface Payload {
  bytes: number;
  sha256: string;
}

export function payloadOf(text: string): Payload {
  const buf = Buffer.from(text, 'utf8');
  return { bytes: buf.length, sha256: createHash('sha256').update(buf).digest('hex') };
}

function short(p: Payload | undefined): string {
  return p ? `${p.bytes} bytes, sha256 ${p.sha256.slice(0, 12)}…` : 'nothing';
}

/** What a silent loss of large packets suggests, in the family's own ICMP vocabulary. */
export function blackHoleHint(family: IPFamily): string {
  return `consistent with a path-MTU black hole (${family === 'IPv6' ? 'ICMPv6 Packet Too Big' : 'ICMP Fragmentation Needed'} filtered?)`;
}

/**
 * curl's "Operation timed out … with N bytes received": the connection was made (small
 * packets passed) and then nothing more came: the transfer stalled after its first segments.
 * A connect timeout says "Connection timed out" / "Failed to connect" instead.
 */
export function stalledAfterConnect(d: DownloadResult): boolean {
  return d.result.exitCode === 28 && /Operation timed out/i.test(d.result.stderr);
}

/**
 * A large request body echoed back arrives whole (same size and sha256); a transfer that
 * stalled after connecting says it looks like a path-MTU black hole.
 */
export function largeHttpVerdict(c: PeerCheck & { download: DownloadResult; sent: Payload }): Verdict {
  const v = downloadVerdict({ object: c.object, family: c.family, download: c.download, served: c.sent });
  if (v.ok || !stalledAfterConnect(c.download)) return v;
  return verdict(false, { object: v.object, family: c.family, expected: v.expected, seen: `${v.seen}: stalled after connecting, ${blackHoleHint(c.family)}` });
}

/** netexec's UDP echo of a datagram larger than the MTU comes back whole (compared by size and sha256). */
export function largeUdpVerdict(c: PeerCheck & { result: UdpResult; sent: Payload; datagramBytes: number }): Verdict {
  const expected = `the ${c.datagramBytes}-byte datagram echoed whole (${short(c.sent)})`;
  const r = c.result;
  if (!r.reply) {
    const why = r.exitCode === -1 ? `probe could not run (${clip(lastLine(r.stderr), 200)})` : `no reply (nc exit ${r.exitCode}${lastLine(r.stderr) ? `: ${clip(lastLine(r.stderr))}` : ''})`;
    return verdict(false, { object: c.object, family: c.family, expected, seen: why });
  }
  const got = payloadOf(r.reply);
  const ok = got.bytes === c.sent.bytes && got.sha256 === c.sent.sha256;
  return verdict(ok, { object: c.object, family: c.family, expected, seen: `reply of ${short(got)}${got.bytes === c.sent.bytes && !ok ? ' (content differs)' : ''}` });
}

// ------------------------------------------------------------------ path MTU

/** One don't-fragment echo of `size` bytes (whole packet, headers included). */
export interface PmtuProbe {
  size: number;
  passed: boolean;
  /** The MTU a too-big error named: the sender's own stack (`local`) or a router's ICMP(v6) error. */
  tooBig?: { mtu: number; local: boolean };
}

export interface PmtuSearch {
  floor: number;
  ceiling: number;
  /** The largest size that passed; undefined when even the floor did not. */
  largest?: number;
  probes: PmtuProbe[];
}

/**
 * Bounded binary search for the largest packet that passes with fragmentation forbidden,
 * between `floor` and `ceiling`. A too-big error naming an MTU narrows the upper bound at
 * once (nothing larger can pass), so a search usually takes ⌈log2(range)⌉ probes or fewer.
 */
export async function searchPathMtu(floor: number, ceiling: number, probe: (size: number) => Promise<PmtuProbe>): Promise<PmtuSearch> {
  const probes: PmtuProbe[] = [];
  const first = await probe(floor);
  probes.push(first);
  if (!first.passed) return { floor, ceiling, probes };
  let lo = floor; // passes
  let hi = ceiling + 1; // fails (or is beyond the range)
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const p = await probe(mid);
    probes.push(p);
    if (p.passed) lo = mid;
    else hi = p.tooBig && p.tooBig.mtu >= lo && p.tooBig.mtu < mid ? p.tooBig.mtu + 1 : mid;
  }
  return { floor, ceiling, largest: lo, probes };
}

/**
 * The path MTU between two pods equals their interface MTU (and, for IPv6, is at least
 * 1280). Below it, sizes that vanished without any too-big error are a black hole.
 */
export function pathMtuVerdict(c: PeerCheck & { interfaceMtu?: number; search: PmtuSearch }): Verdict {
  const icmp = c.family === 'IPv6' ? 'ICMPv6' : 'ICMP';
  const min = c.family === 'IPv6' ? ` (≥ ${IPV6_MIN_MTU}, the IPv6 minimum)` : '';
  const { search } = c;
  if (c.interfaceMtu === undefined) {
    return verdict(false, { ...c, expected: `path MTU = the pod interface MTU${min}`, seen: 'could not read the pod interface MTU (/sys/class/net/eth0/mtu)' });
  }
  const expected = `path MTU = the pod interface MTU ${c.interfaceMtu}${min}`;
  const how = `largest ${icmp} echo passing with fragmentation forbidden; ${search.probes.length} probes`;
  if (search.largest === undefined) {
    return verdict(false, { ...c, expected, seen: `not even a ${search.floor}-byte ${icmp} echo passed with fragmentation forbidden (${how})` });
  }
  const largest = search.largest;
  const ok = largest === c.interfaceMtu && (c.family !== 'IPv6' || largest >= IPV6_MIN_MTU);
  let seen = `path MTU ${largest} (${how})`;
  if (largest < c.interfaceMtu) {
    const lost = search.probes.filter((p) => !p.passed && p.size > largest && p.size <= c.interfaceMtu!);
    const told = lost.find((p) => p.tooBig && !p.tooBig.local);
    if (told) seen += `: ${icmp} too-big error reported mtu ${told.tooBig!.mtu}`;
    else if (lost.length > 0) seen += `: ${lost.map((p) => p.size).join(', ')}-byte echoes vanished without a too-big error, ${blackHoleHint(c.family)}`;
  }
  return verdict(ok, { ...c, expected, seen });
}
