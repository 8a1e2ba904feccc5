import type { KubeConfig } from '@kubernetes/client-node';
import { runProbe, type ProbeResult } from './exec.ts';

export type RecordType = 'A' | 'AAAA' | 'PTR' | 'CNAME' | 'SRV';

export interface DnsAnswer {
  name: string;
  type: string;
  data: string;
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
export async function dig(kc: KubeConfig, ns: string, pod: string, name: string, type: RecordType, opts: { server?: string; tcp?: boolean } = {}): Promise<DnsResult> {
  const cmd = ['dig', '+time=2', '+tries=2', '+noall', '+answer', '+comments', '+stats', ...(opts.tcp ? ['+tcp'] : []), ...(opts.server ? [`@${opts.server}`] : []), type, name];
  const r = await runProbe(kc, ns, pod, `${name} ${type}`, cmd, 20_000);
  const rcode = /status: ([A-Z]+)/.exec(r.stdout)?.[1];
  const server = /;; SERVER: (\S+)/.exec(r.stdout)?.[1];
  const answers: DnsAnswer[] = [];
  for (const line of r.stdout.split('\n')) {
    if (!line || line.startsWith(';')) continue;
    const f = line.trim().split(/\s+/);
    if (f.length >= 5) answers.push({ name: f[0]!, type: f[3]!, data: f.slice(4).join(' ') });
  }
  return { ...r, ok: r.ok && rcode === 'NOERROR', rcode, answers, server };
}

/** The data of answers of one type (e.g. the AAAA addresses). */
export function answersOf(r: DnsResult, type: RecordType): string[] {
  return r.answers.filter((a) => a.type === type).map((a) => a.data);
}
