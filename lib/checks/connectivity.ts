/**
 * Connectivity judgements: pod → pod, pod → ClusterIP, Service DNS (A/AAAA/PTR,
 * headless), UDP and large transfers, one family at a time. Each `…Verdict` function is
 * pure (probe results in, Verdict out) and unit-tested; each `check…` function runs the
 * probe and then that judgement, and is what both the suite and its fault tests call.
 *
 * Messages follow verdict.ts: `<object> [<family>]: expected <x>, saw <y>`, where the
 * object names the client pod and its node, and the peer (pod, node or Service).
 */
import type { KubeConfig, V1Pod, V1Service } from '@kubernetes/client-node';
import { familyOf, isIp, normalizeIp, parseHostPort, type IPFamily } from '../net/family.ts';
import { answersOf, dig, digPtr, sameDnsName, type DnsResult } from '../probes/dns.ts';
import { httpDownload, httpGet, type DownloadResult, type HttpResult } from '../probes/http.ts';
import { ping, type PingResult } from '../probes/ping.ts';
import { podIPs, podIpOf, podLabel } from '../probes/pods.ts';
import { udpExchange, type UdpResult } from '../probes/udp.ts';
import { retryVerdict, verdict, type Verdict } from './verdict.ts';
import { clip, describeHttpOutcome, lastLine } from './text.ts';

export type AddressRecord = 'A' | 'AAAA';

export function recordType(family: IPFamily): AddressRecord {
  return family === 'IPv4' ? 'A' : 'AAAA';
}

function oneOf(values: readonly string[]): string {
  return values.length === 1 ? `"${values[0]}"` : `one of [${values.join(', ')}]`;
}

// ------------------------------------------------------------------ outcomes


// ------------------------------------------------------------------ HTTP / UDP / bulk

export interface PeerCheck {
  /** Who → whom: `pod ns/a on w1 → pod ns/b on w2 (http://[…]:8080/hostname)`. */
  object: string;
  family: IPFamily;
}

/** A probe aimed at the wrong family is a harness bug; say so instead of passing. */
function wrongFamily(c: PeerCheck, probeFamily: IPFamily | undefined): Verdict | undefined {
  if (!probeFamily || probeFamily === c.family) return undefined;
  return verdict(false, { ...c, expected: `a ${c.family} target`, seen: `the probe dialled ${probeFamily}` });
}

/** HTTP 2xx, and when `expectBody` is given, a body that is one of those (e.g. the server's hostname). */
export function httpVerdict(c: PeerCheck & { result: HttpResult; expectBody?: readonly string[] }): Verdict {
  const wf = wrongFamily(c, c.result.family);
  if (wf) return wf;
  const expected = `HTTP 2xx${c.expectBody ? ` with body ${oneOf(c.expectBody)}` : ''}`;
  if (!c.result.ok) return verdict(false, { ...c, expected, seen: describeHttpOutcome(c.result) });
  const body = c.result.body.trim();
  const ok = !c.expectBody || c.expectBody.includes(body);
  return verdict(ok, { ...c, expected, seen: `HTTP ${c.result.status ?? '?'} body "${clip(body)}"` });
}

/**
 * netexec `/clientip` answers the source `ip:port` it saw. Pod → pod traffic must keep the
 * client's own address of that family (no SNAT/masquerade inside the cluster).
 */
export function clientIpVerdict(c: PeerCheck & { result: HttpResult; expectedIp: string; source?: string }): Verdict {
  const expected = `source address ${normalizeIp(c.expectedIp)} (${c.source ?? `the client's ${c.family} pod IP`}, not NATed)`;
  if (!c.result.ok) return verdict(false, { ...c, expected, seen: describeHttpOutcome(c.result) });
  const body = c.result.body.trim();
  let seenIp: string;
  try {
    seenIp = parseHostPort(body).host;
  } catch {
    return verdict(false, { ...c, expected, seen: `a /clientip body that is not ip:port: "${clip(body)}"` });
  }
  const ok = isIp(seenIp) && normalizeIp(seenIp) === normalizeIp(c.expectedIp);
  return verdict(ok, { ...c, expected, seen: `source ${body}` });
}

/** Every ICMP(v6) echo request of the family gets its reply (a lossy path shows as `2 of 3`). */
export function pingVerdict(c: PeerCheck & { result: PingResult }): Verdict {
  const wf = wrongFamily(c, c.result.family);
  if (wf) return wf;
  const icmp = c.family === 'IPv6' ? 'ICMPv6' : 'ICMP';
  const { sent, received } = c.result;
  const expected = `${icmp} echo replies to every request`;
  if (sent === 0) return verdict(false, { ...c, expected, seen: `ping did not run (exit ${c.result.exitCode}: ${clip(lastLine(c.result.stderr || c.result.stdout), 200)})` });
  return verdict(received === sent, { ...c, expected, seen: `${received} of ${sent} ${icmp} echo replies` });
}

/** netexec's UDP `echo <text>` returns <text> (lower-cased). */
export function udpVerdict(c: PeerCheck & { result: UdpResult; expectReply: string }): Verdict {
  const wf = wrongFamily(c, c.result.family);
  if (wf) return wf;
  const expected = `UDP reply "${c.expectReply}"`;
  if (c.result.reply === c.expectReply) return verdict(true, { ...c, expected, seen: `reply "${c.expectReply}"` });
  const seen = c.result.reply
    ? `reply "${clip(c.result.reply)}"`
    : c.result.exitCode === -1
      ? `probe could not run (${clip(lastLine(c.result.stderr), 200)})`
      : `no reply (timeout or ICMP unreachable; nc exit ${c.result.exitCode}${lastLine(c.result.stderr) ? `: ${clip(lastLine(c.result.stderr))}` : ''})`;
  return verdict(false, { ...c, expected, seen });
}

export interface ServedBlob {
  bytes: number;
  sha256: string;
}

/** Every byte the server holds arrives, unchanged (MTU/PMTUD and offload trouble shows up as stalls or short bodies). */
export function downloadVerdict(c: PeerCheck & { download: DownloadResult; served: ServedBlob }): Verdict {
  const wf = wrongFamily(c, c.download.result.family);
  if (wf) return wf;
  const short = (s?: string) => (s ? s.slice(0, 12) : 'none');
  const expected = `${c.served.bytes} bytes, sha256 ${short(c.served.sha256)}…`;
  const d = c.download;
  const got = `${d.bytes} bytes, sha256 ${short(d.sha256)}…`;
  if (!d.result.ok) {
    const why = d.status ? `HTTP ${d.status}` : clip(lastLine(d.result.stderr) || `exit ${d.result.exitCode}`, 200);
    return verdict(false, { ...c, expected, seen: `${got} (${d.result.exitCode === 28 ? 'timeout: ' : ''}${why})` });
  }
  const ok = d.bytes === c.served.bytes && d.sha256 === c.served.sha256;
  return verdict(ok, { ...c, expected, seen: d.bytes === c.served.bytes && !ok ? `${got} (content differs)` : got });
}

// ------------------------------------------------------------------ DNS

export function serviceName(svc: V1Service): string {
  return `${svc.metadata?.namespace ?? '?'}/${svc.metadata?.name ?? '?'}`;
}

/** The Service's ClusterIPs of one family (headless `None` excluded). */
export function serviceIPsOf(svc: V1Service, family: IPFamily): string[] {
  const ips = svc.spec?.clusterIPs?.length ? svc.spec.clusterIPs : svc.spec?.clusterIP ? [svc.spec.clusterIP] : [];
  return ips.filter((ip) => isIp(ip) && familyOf(ip) === family);
}

export function describeService(svc: V1Service): string {
  const ips = svc.spec?.clusterIPs?.length ? svc.spec.clusterIPs : svc.spec?.clusterIP ? [svc.spec.clusterIP] : [];
  return `ipFamilyPolicy ${svc.spec?.ipFamilyPolicy ?? 'unset'}, ipFamilies [${(svc.spec?.ipFamilies ?? []).join(', ')}], clusterIPs [${ips.join(', ')}]`;
}

function canon(ip: string): string {
  return isIp(ip) ? normalizeIp(ip) : ip.trim();
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const A = new Set(a.map(canon));
  const B = new Set(b.map(canon));
  return A.size === B.size && [...A].every((x) => B.has(x));
}

function showSet(ips: readonly string[]): string {
  return `{${[...new Set(ips.map(canon))].sort().join(', ')}}`;
}

function describeDns(r: DnsResult, type: string): string {
  if (!r.rcode) return `no DNS reply (${clip(lastLine(r.stderr || r.stdout) || `dig exit ${r.exitCode}`, 200)})`;
  const got = answersOf(r, type as 'A');
  const ttls = r.answers.filter((a) => a.type === type && a.ttl !== undefined).map((a) => a.ttl!);
  const ttl = ttls.length ? ` (TTL ${Math.min(...ttls)}s)` : '';
  return `${r.rcode}${got.length ? `, ${type} ${showSet(got)}${ttl}` : `, no ${type} answers`}`;
}

/**
 * The answers of one address type for a name are exactly `expected` (none at all when it
 * is empty: NOERROR with an empty answer section, the NODATA a name without that family gets).
 */
export function dnsAnswersVerdict(c: { object: string; family: IPFamily; name: string; expected: readonly string[]; result: DnsResult; note?: string }): Verdict {
  const type = recordType(c.family);
  const got = answersOf(c.result, type);
  const expected = c.expected.length ? `${type} ${c.name} = ${showSet(c.expected)}` : `no ${type} answers for ${c.name} (NOERROR, empty)`;
  const ok = c.result.rcode === 'NOERROR' && sameSet(got, c.expected);
  return verdict(ok, { object: c.object, family: c.family, expected, seen: `${describeDns(c.result, type)}${c.note ? `; ${c.note}` : ''}` });
}

/**
 * A ClusterIP Service's name answers exactly its ClusterIPs of the family, and nothing for a
 * family it was not meant to have. `intended` is what the test asked the Service to be
 * (a dual-stack Service on a dual-stack cluster: both), so a Service that lost a family
 * fails here instead of matching its own shrunken clusterIPs.
 */
export function serviceDnsVerdict(c: { service: V1Service; fqdn: string; family: IPFamily; intended: readonly IPFamily[]; result: DnsResult }): Verdict {
  const type = recordType(c.family);
  const object = `Service ${serviceName(c.service)} ${type} ${c.fqdn}`;
  const ips = serviceIPsOf(c.service, c.family);
  const wanted = c.intended.includes(c.family);
  if (wanted && ips.length === 0) {
    return verdict(false, {
      object,
      family: c.family,
      expected: `${type} answers = the Service's ${c.family} ClusterIP`,
      seen: `the Service has no ${c.family} ClusterIP (${describeService(c.service)}); DNS: ${describeDns(c.result, type)}`,
    });
  }
  return dnsAnswersVerdict({ object, family: c.family, name: c.fqdn, expected: wanted ? ips : [], result: c.result, note: wanted ? undefined : `Service: ${describeService(c.service)}` });
}

export interface EndpointPod {
  /** `ns/name`. */
  pod: string;
  ips: readonly string[];
}

/** A headless Service's name answers exactly the ready pods' IPs of the family. */
export function headlessDnsVerdict(c: { service: V1Service; fqdn: string; family: IPFamily; intended: readonly IPFamily[]; pods: readonly EndpointPod[]; result: DnsResult }): Verdict {
  const type = recordType(c.family);
  const object = `headless Service ${serviceName(c.service)} ${type} ${c.fqdn} (pods ${c.pods.map((p) => p.pod).join(', ')})`;
  const wanted = c.intended.includes(c.family);
  const ips = c.pods.flatMap((p) => p.ips.filter((ip) => isIp(ip) && familyOf(ip) === c.family));
  if (wanted && ips.length === 0) {
    return verdict(false, { object, family: c.family, expected: `${type} answers = the pods' ${c.family} IPs`, seen: `no selected pod has a ${c.family} IP; DNS: ${describeDns(c.result, type)}` });
  }
  return dnsAnswersVerdict({ object, family: c.family, name: c.fqdn, expected: wanted ? ips : [], result: c.result });
}

/** The PTR of a ClusterIP names the Service's FQDN, and only that. */
export function ptrVerdict(c: { service: V1Service; ip: string; fqdn: string; result: DnsResult }): Verdict {
  const family = familyOf(c.ip);
  const got = answersOf(c.result, 'PTR');
  const fqdn = c.fqdn.endsWith('.') ? c.fqdn : `${c.fqdn}.`;
  const ok = c.result.rcode === 'NOERROR' && got.length > 0 && got.every((n) => sameDnsName(n, fqdn));
  const seen = !c.result.rcode
    ? `no DNS reply (${clip(lastLine(c.result.stderr || c.result.stdout) || `dig exit ${c.result.exitCode}`, 200)})`
    : `${c.result.rcode}${got.length ? `, PTR [${got.join(', ')}]` : ', no PTR answers'}`;
  return verdict(ok, { object: `Service ${serviceName(c.service)} PTR ${normalizeIp(c.ip)}`, family, expected: `PTR ${fqdn}`, seen });
}

// ------------------------------------------------------------------ probes + judgement

export interface ProbePoint {
  kc: KubeConfig;
  /** The client pod the probe runs in. */
  client: V1Pod;
}

function where(p: ProbePoint): { ns: string; pod: string } {
  return { ns: p.client.metadata!.namespace!, pod: p.client.metadata!.name! };
}


export async function checkHttp(
  p: ProbePoint,
  url: string,
  c: PeerCheck & { expectBody?: readonly string[]; byName?: boolean; attempts?: number; timeoutS?: number },
): Promise<Verdict> {
  const { ns, pod } = where(p);
  return retryVerdict(async () => {
    const result = await httpGet(p.kc, ns, pod, url, { timeoutS: c.timeoutS ?? 3, ipFamily: c.byName ? c.family : undefined });
    return httpVerdict({ object: c.object, family: c.family, result, expectBody: c.expectBody });
  }, { attempts: c.attempts ?? 3 });
}

export async function checkClientIp(p: ProbePoint, url: string, c: PeerCheck & { expectedIp: string; attempts?: number }): Promise<Verdict> {
  const { ns, pod } = where(p);
  return retryVerdict(async () => {
    const result = await httpGet(p.kc, ns, pod, url, { timeoutS: 3 });
    return clientIpVerdict({ object: c.object, family: c.family, result, expectedIp: c.expectedIp });
  }, { attempts: c.attempts ?? 3 });
}

export async function checkUdpEcho(p: ProbePoint, ip: string, port: number, c: PeerCheck & { attempts?: number }): Promise<Verdict> {
  const { ns, pod } = where(p);
  // netexec lower-cases what it echoes: keep the token lower-case so "equal" means equal.
  const token = `v6e2e-${c.family.toLowerCase()}-${Math.random().toString(36).slice(2, 10)}`;
  return retryVerdict(async () => {
    const result = await udpExchange(p.kc, ns, pod, ip, port, `echo ${token}`, 2);
    return udpVerdict({ object: c.object, family: c.family, result, expectReply: token });
  }, { attempts: c.attempts ?? 3 });
}

export async function checkPing(p: ProbePoint, ip: string, c: PeerCheck & { attempts?: number }): Promise<Verdict> {
  const { ns, pod } = where(p);
  return retryVerdict(async () => pingVerdict({ object: c.object, family: c.family, result: await ping(p.kc, ns, pod, ip, c.family) }), { attempts: c.attempts ?? 2 });
}

export async function checkDownload(p: ProbePoint, url: string, served: ServedBlob, c: PeerCheck & { attempts?: number }): Promise<Verdict> {
  const { ns, pod } = where(p);
  return retryVerdict(async () => {
    const download = await httpDownload(p.kc, ns, pod, url, 20);
    return downloadVerdict({ object: c.object, family: c.family, download, served });
  }, { attempts: c.attempts ?? 2 });
}

/**
 * DNS checks poll (CoreDNS learns Services and EndpointSlices through a watch, a second or
 * so behind the API); `attempts × 1 s` bounds it.
 */
export async function checkServiceDns(
  p: ProbePoint,
  service: V1Service,
  fqdn: string,
  family: IPFamily,
  intended: readonly IPFamily[],
  attempts = 10,
): Promise<Verdict> {
  const { ns, pod } = where(p);
  return retryVerdict(async () => {
    const result = await dig(p.kc, ns, pod, fqdn, recordType(family));
    return serviceDnsVerdict({ service, fqdn, family, intended, result });
  }, { attempts: attempts });
}

export async function checkHeadlessDns(
  p: ProbePoint,
  service: V1Service,
  fqdn: string,
  family: IPFamily,
  intended: readonly IPFamily[],
  pods: readonly EndpointPod[],
  attempts = 10,
): Promise<Verdict> {
  const { ns, pod } = where(p);
  return retryVerdict(async () => {
    const result = await dig(p.kc, ns, pod, fqdn, recordType(family));
    return headlessDnsVerdict({ service, fqdn, family, intended, pods, result });
  }, { attempts: attempts });
}

export async function checkPtr(p: ProbePoint, service: V1Service, ip: string, fqdn: string, attempts = 10): Promise<Verdict> {
  const { ns, pod } = where(p);
  return retryVerdict(async () => {
    const result = await digPtr(p.kc, ns, pod, ip);
    return ptrVerdict({ service, ip, fqdn, result });
  }, { attempts: attempts });
}

/** The pod's IP of `family`, or a failed Verdict saying the pod has none. */
export function ipOr(pod: V1Pod, family: IPFamily, object: string): string | Verdict {
  const ip = podIpOf(pod, family);
  if (ip) return ip;
  return verdict(false, { object, family, expected: `${podLabel(pod)} to have a ${family} address`, seen: `podIPs [${podIPs(pod).join(', ')}]` });
}
