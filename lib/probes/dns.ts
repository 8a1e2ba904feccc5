import type { KubeConfig } from '@kubernetes/client-node';
import { Address6 } from 'ip-address';
import { familyOf, normalizeIp, parseIp } from '../net/family.ts';
import { runSingleProbe, type ProbeResult } from './exec.ts';

export type RecordType = 'A' | 'AAAA' | 'PTR' | 'CNAME' | 'SRV';

export interface DnsAnswer {
  name: string;
  type: string;
  data: string;
  /** Remaining TTL in seconds (a cached answer counts down). */
  ttl?: number;
}

export interface DnsResult extends ProbeResult {
  /** NOERROR, NXDOMAIN, SERVFAIL…; undefined when dig got no reply at all. */
  rcode?: string;
  answers: DnsAnswer[];
  /** The resolver that answered (dig's SERVER line), for messages. */
  server?: string;
}

/**
 * A DNS query from inside a pod with dig, through the pod's resolver unless a
 * server is given. Returns the rcode and the answer section, parsed from
 * dig's stable `+noall +answer +comments` layout (the data are not addresses
 * until callers parse them with ip-address).
 */
export async function dig(kc: KubeConfig, ns: string, pod: string, name: string, type: RecordType, opts: { server?: string; tcp?: boolean; search?: boolean } = {}): Promise<DnsResult> {
  // search: expand a partial name through resolv.conf's search list and ndots, as a resolver library would.
  const cmd = ['dig', '+time=2', '+tries=2', '+noall', '+answer', '+comments', '+stats', ...(opts.tcp ? ['+tcp'] : []), ...(opts.search ? ['+search'] : []), ...(opts.server ? [`@${opts.server}`] : []), type, name];
  const r = await runSingleProbe(kc, ns, pod, `${name} ${type}`, cmd, 20_000);
  const rcode = /status: ([A-Z]+)/.exec(r.stdout)?.[1];
  const server = /;; SERVER: (\S+)/.exec(r.stdout)?.[1];
  const answers: DnsAnswer[] = [];
  for (const line of r.stdout.split('\n')) {
    if (!line || line.startsWith(';')) continue;
    const f = line.trim().split(/\s+/);
    if (f.length >= 5) answers.push({ name: f[0]!, type: f[3]!, data: f.slice(4).join(' '), ttl: Number.isInteger(Number(f[1])) ? Number(f[1]) : undefined });
  }
  return { ...r, ok: r.ok && rcode === 'NOERROR', rcode, answers, server };
}

/** The data of answers of one type (e.g. the AAAA addresses). */
export function answersOf(r: DnsResult, type: RecordType): string[] {
  return r.answers.filter((a) => a.type === type).map((a) => a.data);
}

/** The reverse-lookup name of an address (`…in-addr.arpa.` / nibble `…ip6.arpa.`), built by ip-address. */
export function reverseName(ip: string): string {
  const a = parseIp(ip);
  return a instanceof Address6 ? a.reverseForm() : a.reverseForm();
}

/** PTR lookup of an address from inside a pod. */
export async function digPtr(kc: KubeConfig, ns: string, pod: string, ip: string, opts: { server?: string } = {}): Promise<DnsResult> {
  const r = await dig(kc, ns, pod, reverseName(ip), 'PTR', opts);
  return { ...r, target: `PTR ${normalizeIp(ip)}`, family: familyOf(ip) };
}

/**
 * The cluster domain as the pod's resolver sees it: the `search` list of a ClusterFirst
 * pod starts with `<namespace>.svc.<domain>`. Falls back to cluster.local.
 */
export function clusterDomainFromResolvConf(resolvConf: string, namespace: string): string | undefined {
  for (const line of resolvConf.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words[0] !== 'search') continue;
    const prefix = `${namespace}.svc.`;
    const first = words.slice(1).find((w) => w.startsWith(prefix));
    if (first) return first.slice(prefix.length).replace(/\.$/, '');
  }
  return undefined;
}

export async function clusterDomain(kc: KubeConfig, ns: string, pod: string): Promise<string> {
  const r = await runSingleProbe(kc, ns, pod, '/etc/resolv.conf', ['cat', '/etc/resolv.conf']);
  return (r.ok && clusterDomainFromResolvConf(r.stdout, ns)) || 'cluster.local';
}

/** DNS names compare case-insensitively and with or without the root dot. */
export function sameDnsName(a: string, b: string): boolean {
  const n = (s: string) => s.trim().toLowerCase().replace(/\.$/, '');
  return n(a) === n(b);
}
