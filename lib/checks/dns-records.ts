/**
 * Cluster DNS records beyond a Service's own name, one family at a time: SRV records
 * of named ports, pod records (`<dashed-ip>.<ns>.pod.<domain>`), hostname/subdomain
 * records under a headless Service, the kubelet-managed /etc/hosts, and partial names
 * through the search path. Pure: probe results in, Verdict out. Address answers are
 * judged by connectivity.ts' dnsAnswersVerdict, so every DNS message reads the same.
 */
import { familyOf, isIp, normalizeIp, type IPFamily } from '../net/family.ts';
import { answersOf, sameDnsName, type DnsResult } from '../probes/dns.ts';
import { recordType } from './connectivity.ts';
import { clip, lastLine } from './text.ts';
import { verdict, type Verdict } from './verdict.ts';

/**
 * A pod's record name (CoreDNS kubernetes plugin, `pods insecure|verified`): the address
 * with its separators turned into dashes — `10-244-1-3` for IPv4, the compressed IPv6
 * form with `:` → `-` (`fd00-10-244-1--3`) — then `<ns>.pod.<domain>`.
 */
export function podRecordName(ip: string, namespace: string, domain: string): string {
  const dashed = normalizeIp(ip).replace(/[.:]/g, '-');
  return `${dashed}.${namespace}.pod.${domain}`;
}

export interface SrvRecord {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

/** dig's SRV data `0 25 8080 web.sub.ns.svc.cluster.local.`; undefined when it is not one. */
export function parseSrv(data: string): SrvRecord | undefined {
  const f = data.trim().split(/\s+/);
  if (f.length !== 4 || !f.slice(0, 3).every((x) => /^\d+$/.test(x))) return undefined;
  return { priority: Number(f[0]), weight: Number(f[1]), port: Number(f[2]), target: f[3]! };
}

function noReply(r: DnsResult): string {
  return `no DNS reply (${clip(lastLine(r.stderr || r.stdout) || `dig exit ${r.exitCode}`, 200)})`;
}

function showIps(ips: readonly string[]): string {
  return `{${[...new Set(ips.map((ip) => (isIp(ip) ? normalizeIp(ip) : ip)))].sort().join(', ')}}`;
}

/**
 * A named port's SRV record (`_<port>._<proto>.<svc>.<ns>.svc.<domain>`) names the
 * expected target and port, and that target's records of the family are `expectIps`
 * (the Service's ClusterIPs of the family). `target` is the lookup of the SRV's target.
 */
export function srvVerdict(c: {
  object: string;
  family: IPFamily;
  srvName: string;
  expectTarget: string;
  expectPort: number;
  expectIps: readonly string[];
  srv: DnsResult;
  target?: DnsResult;
}): Verdict {
  const type = recordType(c.family);
  const expected = `SRV ${c.srvName} → ${c.expectTarget}:${c.expectPort}, whose ${type} = ${showIps(c.expectIps)}`;
  const at = { object: c.object, family: c.family, expected };
  if (!c.srv.rcode) return verdict(false, { ...at, seen: noReply(c.srv) });
  const records = answersOf(c.srv, 'SRV').map(parseSrv);
  if (c.srv.rcode !== 'NOERROR' || records.length === 0) return verdict(false, { ...at, seen: `${c.srv.rcode}, no SRV answers` });
  const shown = answersOf(c.srv, 'SRV').join('; ');
  const wrong = records.filter((r) => !r || r.port !== c.expectPort || !sameDnsName(r.target, c.expectTarget));
  if (wrong.length > 0) return verdict(false, { ...at, seen: `SRV [${shown}]` });
  if (!c.target) return verdict(false, { ...at, seen: `SRV [${shown}]; the target was not looked up` });
  if (!c.target.rcode) return verdict(false, { ...at, seen: `SRV [${shown}]; target: ${noReply(c.target)}` });
  const got = answersOf(c.target, type);
  const want = new Set(c.expectIps.map(normalizeIp));
  const have = new Set(got.filter(isIp).map(normalizeIp));
  const ok = c.target.rcode === 'NOERROR' && want.size > 0 && want.size === have.size && [...want].every((ip) => have.has(ip));
  return verdict(ok, { ...at, seen: `SRV [${shown}]; target ${c.target.rcode}${got.length ? `, ${type} ${showIps(got)}` : `, no ${type} answers`}` });
}

export interface HostsEntry {
  ip: string;
  names: string[];
}

/** /etc/hosts lines as data: address, then its names; comments and blank lines dropped. */
export function parseHostsFile(text: string): HostsEntry[] {
  const out: HostsEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [ip, ...names] = line.split(/\s+/);
    if (ip && names.length > 0) out.push({ ip, names });
  }
  return out;
}

/**
 * The kubelet-managed /etc/hosts maps every pod IP of the family to the pod's hostname
 * (for dual-stack pods, one line per family).
 */
export function hostsFileVerdict(c: { object: string; family: IPFamily; hostname: string; podIps: readonly string[]; entries: readonly HostsEntry[]; readError?: string }): Verdict {
  const ips = c.podIps.filter((ip) => isIp(ip) && familyOf(ip) === c.family).map(normalizeIp);
  const expected = `/etc/hosts maps the pod's ${c.family} IP${ips.length === 1 ? ` ${ips[0]}` : `s ${showIps(ips)}`} to ${c.hostname}`;
  if (c.readError !== undefined) return verdict(false, { object: c.object, family: c.family, expected, seen: `could not read /etc/hosts (${clip(c.readError, 200)})` });
  if (ips.length === 0) return verdict(false, { object: c.object, family: c.family, expected: `the pod to have a ${c.family} IP`, seen: `podIPs ${showIps(c.podIps)}` });
  const ofFamily = c.entries.filter((e) => isIp(e.ip) && familyOf(e.ip) === c.family);
  const missing = ips.filter((ip) => !ofFamily.some((e) => normalizeIp(e.ip) === ip && e.names.includes(c.hostname)));
  const listed = ofFamily.map((e) => `${normalizeIp(e.ip)} ${e.names.join(' ')}`);
  return verdict(missing.length === 0, {
    object: c.object,
    family: c.family,
    expected,
    seen: missing.length === 0 ? `${listed.join('; ')}` : `no line mapping ${missing.join(', ')} to ${c.hostname}; ${c.family} lines: [${listed.join('; ')}]`,
  });
}
