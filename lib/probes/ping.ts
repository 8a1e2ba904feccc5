/**
 * ICMP / ICMPv6 echo from inside a pod (iputils ping in the lab's agnhost image):
 * how many echo requests were sent and how many replies came back.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { IPFamily } from '../net/family.ts';
import { runSingleProbe, type ProbeResult } from './exec.ts';

export interface PingResult extends ProbeResult {
  sent: number;
  received: number;
}

/** `3 packets transmitted, 2 received, …` → counts; absent (the probe did not run) → 0. */
export function parsePingCounts(stdout: string): { sent: number; received: number } {
  const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(stdout);
  return { sent: m ? Number(m[1]) : 0, received: m ? Number(m[2]) : 0 };
}

export interface PingOptions {
  /** Payload bytes (ping -s); the packet adds 8 (ICMP) + 20 (IPv4) or 40 (IPv6) header bytes. */
  payload?: number;
  /** Forbid fragmentation (ping -M do): a packet over the path MTU is refused, never split. */
  dontFragment?: boolean;
  /** Seconds to wait for each reply (default 2). */
  waitS?: number;
}

/** `count` echo requests 0.2 s apart, each waiting at most 2 s; `-4`/`-6` pin the family. */
export async function ping(kc: KubeConfig, ns: string, pod: string, ip: string, family: IPFamily, count = 3, opts: PingOptions = {}): Promise<PingResult> {
  const extra = [...(opts.payload !== undefined ? ['-s', String(opts.payload)] : []), ...(opts.dontFragment ? ['-M', 'do'] : [])];
  const cmd = ['ping', family === 'IPv6' ? '-6' : '-4', ...extra, '-c', String(count), '-i', '0.2', '-W', String(opts.waitS ?? 2), ip];
  const r = await runSingleProbe(kc, ns, pod, ip, cmd, (count * 0.2 + (opts.waitS ?? 2)) * 1000);
  return { ...r, ...parsePingCounts(r.stdout) };
}

/** IP + ICMP header bytes ping adds to its payload: the packet size is payload + this. */
export function pingOverhead(family: IPFamily): number {
  return family === 'IPv6' ? 48 : 28;
}

/**
 * The MTU ping was told about when a don't-fragment packet was too big: by the local
 * stack (`local error: message too long, mtu: 1500` / `mtu=1500`) or by a router's ICMP
 * error (`Frag needed and DF set (mtu = 1400)`, `Packet too big: mtu=1400`). Undefined when
 * nothing said so (a silent drop looks like a plain timeout).
 */
export function parseTooBig(output: string): { mtu: number; local: boolean } | undefined {
  const local = /message too long, mtu[:=]\s*(\d+)/i.exec(output);
  if (local) return { mtu: Number(local[1]), local: true };
  const remote = /(?:Frag needed and DF set \(mtu = |Packet too big: mtu=)(\d+)/i.exec(output);
  return remote ? { mtu: Number(remote[1]), local: false } : undefined;
}
