/**
 * NAT64 judgements: an IPv6 client reaching an IPv4-only origin through the
 * translator (HTTP by name and by the synthesized literal, UDP, a large transfer),
 * and a dual-stack client reaching it natively over IPv4 without the translator.
 *
 * Each `…Verdict` is pure (probe results in, Verdict out) and unit-tested; the probes
 * from the pods, with the checks' retry policy, are the scenarios in
 * suites/nat64/scenarios.ts, which the suite and its fault tests share. Objects read
 * `pod ns/name on node → target`, so a failure names the pod, its node (per-node route
 * faults) and what was dialled.
 *
 * Evidence of the path: curl's remote address inside Pref64::/n (the connection went
 * to a synthesized address, i.e. through NAT64) or equal to the origin's IPv4 (native);
 * netexec's clientip equal to the translator's IPv4 leg (the origin saw the translator).
 */
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { familyOf, isIp, normalizeIp, parseHostPort } from '../net/family.ts';
import { isInPref64, type Pref64 } from '../net/rfc6052.ts';
import type { PathResult } from '../probes/http-path.ts';
import type { UdpResult } from '../probes/udp.ts';
import { verdict, type Verdict } from './verdict.ts';
import { clip as clipText, lastLine as lastTextLine } from './text.ts';

/** nat64 messages carry longer probe output, and skip curl's status marker lines. */
const clip = (text: string, max = 160) => clipText(text, max);
const lastLine = (text: string) => lastTextLine(text, (l) => l.startsWith('@@v6e2e-'));

/** The smallest transfer the bulk check accepts as "large" (the lab serves 2 MiB). */
export const MIN_BULK_BYTES = 1024 * 1024;

function prefixName(p: Pref64 | string): string {
  return typeof p === 'string' ? p : p.cidr;
}

/** A failed curl in words: timeout, refused, unreachable… plus curl's exit code and last line. */
export function describeCurl(r: PathResult): string {
  if (r.exitCode === 0) return `HTTP ${r.status ?? '?'}`;
  const said = clip(lastLine(r.stderr || r.stdout), 200);
  if (r.exitCode === -1) return `probe could not run (${said})`;
  const what: Record<number, string> = {
    6: 'could not resolve host',
    7: /no route/i.test(said) ? 'no route to host' : /unreachable/i.test(said) ? 'network unreachable' : 'connection refused',
    28: 'timeout',
    52: 'empty reply',
    56: 'connection reset',
  };
  return `${what[r.exitCode] ?? 'request failed'} (curl exit ${r.exitCode}${said ? `: ${said}` : ''})`;
}

function via(r: PathResult): string {
  return r.remoteIp ? ` via ${r.remoteIp}${r.localIp ? ` from ${r.localIp}` : ''}` : '';
}

/** The host part of netexec's `ip:port` clientip answer, normalized; undefined when it is not one. */
export function clientHost(body: string): string | undefined {
  try {
    const h = parseHostPort(body.trim()).host;
    return isIp(h) ? normalizeIp(h) : undefined;
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------ verdicts

/**
 * HTTP /clientip through NAT64: an IPv6 connection to an address inside Pref64::/n, and
 * the origin saw the translator's IPv4 leg as the client (stateful NAT64 in effect).
 */
export function nat64HttpVerdict(c: { object: string; result: PathResult; pref64: Pref64 | string; translatorV4: string }): Verdict {
  const expected = `HTTP 2xx over IPv6 to an address in ${prefixName(c.pref64)}, /clientip = ${c.translatorV4} (the translator's IPv4 leg)`;
  const r = c.result;
  if (!r.ok) return verdict(false, { object: c.object, family: 'IPv6', expected, seen: `${describeCurl(r)}${via(r)}` });
  const inPrefix = !!r.remoteIp && familyOf(r.remoteIp) === 'IPv6' && isInPref64(c.pref64, r.remoteIp);
  const client = clientHost(r.body);
  const seen = `HTTP ${r.status}${via(r)}, /clientip "${clip(r.body, 80)}"${inPrefix ? '' : ` (${r.remoteIp ?? 'no remote address'} is not in ${prefixName(c.pref64)}: NAT64 not used)`}`;
  return verdict(inPrefix && client === normalizeIp(c.translatorV4), { object: c.object, family: 'IPv6', expected, seen });
}

/** A UDP probe without a reply, in words. */
function noUdpReply(r: UdpResult): string {
  if (r.exitCode === -1) return `probe could not run (${clip(lastLine(r.stderr), 200)})`;
  return `no reply within the timeout (nc exit ${r.exitCode}${lastLine(r.stderr) ? `: ${clip(lastLine(r.stderr))}` : ''})`;
}

/** netexec's UDP `clientip` through the translator answers the translator's IPv4 leg. */
export function nat64UdpVerdict(c: { object: string; result: UdpResult; translatorV4: string }): Verdict {
  const expected = `UDP clientip reply = ${c.translatorV4}:<port> (the translator's IPv4 leg)`;
  const r = c.result;
  if (!r.reply) {
    return verdict(false, { object: c.object, family: 'IPv6', expected, seen: noUdpReply(r) });
  }
  return verdict(clientHost(r.reply) === normalizeIp(c.translatorV4), { object: c.object, family: 'IPv6', expected, seen: `reply "${clip(r.reply, 80)}"` });
}

export interface BulkExpectation {
  bytes: number;
  sha256?: string;
}

/**
 * A large body through the translator arrives whole: at least MIN_BULK_BYTES, exactly the
 * size served and, where known, the same digest (MTU/fragmentation trouble shows as a
 * stall, a short body or a timeout).
 */
export function nat64BulkVerdict(c: { object: string; result: PathResult; pref64: Pref64 | string; served: BulkExpectation }): Verdict {
  const short = (s?: string) => (s ? `${s.slice(0, 12)}…` : 'none');
  const expected = `${c.served.bytes} bytes${c.served.sha256 ? `, sha256 ${short(c.served.sha256)}` : ''} over IPv6 via ${prefixName(c.pref64)} (≥ ${MIN_BULK_BYTES} bytes)`;
  const r = c.result;
  const got = `${r.bytes} bytes, sha256 ${short(r.sha256)}`;
  if (c.served.bytes < MIN_BULK_BYTES) {
    return verdict(false, { object: c.object, family: 'IPv6', expected, seen: `the origin serves only ${c.served.bytes} bytes: not a large transfer` });
  }
  if (!r.ok) return verdict(false, { object: c.object, family: 'IPv6', expected, seen: `${got}: ${describeCurl(r)}${via(r)}` });
  const inPrefix = !!r.remoteIp && familyOf(r.remoteIp) === 'IPv6' && isInPref64(c.pref64, r.remoteIp);
  const same = r.bytes === c.served.bytes && (!c.served.sha256 || r.sha256 === c.served.sha256);
  const note = !inPrefix ? ` (${r.remoteIp ?? 'no remote address'} is not in ${prefixName(c.pref64)})` : r.bytes === c.served.bytes && !same ? ' (content differs)' : '';
  return verdict(inPrefix && same, { object: c.object, family: 'IPv6', expected, seen: `${got}${via(r)}${note}` });
}

/**
 * A dual-stack pod reaches the origin natively: it dialled the IPv4 literal, the
 * connection is IPv4 end to end (local address the pod's IPv4, remote the origin's), so
 * no IPv6 and no translation were involved.
 */
export function nativeIPv4Verdict(c: { object: string; result: PathResult; originV4: string; podV4?: string }): Verdict {
  const expected = `HTTP 2xx over IPv4 from ${c.podV4 ?? "the pod's IPv4"} to ${c.originV4} (native, no NAT64)`;
  const r = c.result;
  if (r.family !== 'IPv4') {
    return verdict(false, { object: c.object, family: 'IPv4', expected, seen: `the probe dialled ${r.family ?? 'a name'} (${r.target}), not the IPv4 literal` });
  }
  if (!r.ok) return verdict(false, { object: c.object, family: 'IPv4', expected, seen: `${describeCurl(r)}${via(r)}` });
  const localOk = !!r.localIp && familyOf(r.localIp) === 'IPv4' && (!c.podV4 || r.localIp === normalizeIp(c.podV4));
  const remoteOk = r.remoteIp === normalizeIp(c.originV4);
  return verdict(localOk && remoteOk, { object: c.object, family: 'IPv4', expected, seen: `HTTP ${r.status}${via(r)}, /clientip "${clip(r.body, 80)}"` });
}

/**
 * Where a pod's native IPv6 egress may come from: its own IPv6 (the CNI does not
 * masquerade) or an IPv6 address of its node (it does). Anything else — another node,
 * the translator — means the traffic took a path it should not have.
 */
export interface EgressSource {
  podIPv6?: string;
  node: string;
  nodeIPv6: readonly string[];
}

/** Who the origin saw, in words: the pod itself or its node (masqueraded); undefined when neither. */
export function egressSeenAs(seen: string, s: EgressSource): string | undefined {
  const ip = normalizeIp(seen);
  if (s.podIPv6 && ip === normalizeIp(s.podIPv6)) return `the pod's own address ${ip} (not masqueraded)`;
  if (s.nodeIPv6.some((n) => normalizeIp(n) === ip)) return `node ${s.node}'s address ${ip} (masqueraded by the CNI)`;
  return undefined;
}

function egressExpected(s: EgressSource): string {
  return `the pod's IPv6 ${s.podIPv6 ?? '(none)'} or its node ${s.node}'s [${s.nodeIPv6.join(', ')}]`;
}

/**
 * Native IPv6 egress to the lab's IPv6 world: the connection went to the origin's own
 * address (not a synthesized one: no NAT64), and the origin saw the pod or its node as
 * the client. `seen` records which, so a report shows whether the CNI masquerades.
 */
export function nativeIPv6Verdict(c: { object: string; result: PathResult; origin6: string; source: EgressSource }): Verdict {
  const expected = `HTTP 2xx over IPv6 to ${c.origin6} (native, no NAT64), /clientip = ${egressExpected(c.source)}`;
  const r = c.result;
  if (!r.ok) return verdict(false, { object: c.object, family: 'IPv6', expected, seen: `${describeCurl(r)}${via(r)}` });
  const direct = r.remoteIp === normalizeIp(c.origin6);
  const client = clientHost(r.body);
  const as = client ? egressSeenAs(client, c.source) : undefined;
  const seen = `HTTP ${r.status}${via(r)}, the origin saw ${as ?? `"${clip(r.body, 80)}"`}${direct ? '' : ` (connected to ${r.remoteIp ?? 'no address'}, not the origin: another path)`}`;
  return verdict(direct && !!as, { object: c.object, family: 'IPv6', expected, seen });
}

/** netexec's UDP clientip from the IPv6 world's origin: the pod or its node. */
export function nativeIPv6UdpVerdict(c: { object: string; result: UdpResult; source: EgressSource }): Verdict {
  const expected = `UDP clientip reply = ${egressExpected(c.source)}`;
  const r = c.result;
  if (!r.reply) {
    return verdict(false, { object: c.object, family: 'IPv6', expected, seen: noUdpReply(r) });
  }
  const client = clientHost(r.reply);
  const as = client ? egressSeenAs(client, c.source) : undefined;
  return verdict(!!as, { object: c.object, family: 'IPv6', expected, seen: `the origin saw ${as ?? `"${clip(r.reply, 80)}"`}` });
}

/**
 * An existing cluster's NAT64 target (`--nat64-target`) answers through the prefix: any
 * HTTP response counts (the target need not be netexec), a transport failure does not.
 */
export function nat64ReachVerdict(c: { object: string; result: PathResult; pref64: Pref64 | string }): Verdict {
  const expected = `an HTTP response over IPv6 via ${prefixName(c.pref64)}`;
  const r = c.result;
  if (r.exitCode !== 0 || !r.status) return verdict(false, { object: c.object, family: 'IPv6', expected, seen: `${describeCurl(r)}${via(r)}` });
  const inPrefix = !!r.remoteIp && isInPref64(c.pref64, r.remoteIp);
  return verdict(inPrefix, { object: c.object, family: 'IPv6', expected, seen: `HTTP ${r.status}${via(r)}${inPrefix ? '' : ` (not in ${prefixName(c.pref64)})`}` });
}

// ------------------------------------------------------------------ who probes

export interface Client {
  kc: KubeConfig;
  pod: V1Pod;
}

/** `pod ns/name on node → <target>`. */
export function clientObject(c: Client, target: string): string {
  const p = c.pod;
  return `pod ${p.metadata?.namespace ?? '?'}/${p.metadata?.name ?? '?'}${p.spec?.nodeName ? ` on ${p.spec.nodeName}` : ''} → ${target}`;
}

/** The UDP probe's target as objects name it: `udp://[<ip>]:<port> clientip`. */
export function udpTarget(ip: string, port: number): string {
  return `udp://[${normalizeIp(ip)}]:${port} clientip`;
}
