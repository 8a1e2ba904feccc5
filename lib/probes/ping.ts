/**
 * ICMP / ICMPv6 echo from inside a pod (iputils ping in the lab's agnhost image):
 * how many echo requests were sent and how many replies came back.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { IPFamily } from '../net/family.ts';
import { runProbe, type ProbeResult } from './exec.ts';

export interface PingResult extends ProbeResult {
  sent: number;
  received: number;
}

/** `3 packets transmitted, 2 received, …` → counts; absent (the probe did not run) → 0. */
export function parsePingCounts(stdout: string): { sent: number; received: number } {
  const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(stdout);
  return { sent: m ? Number(m[1]) : 0, received: m ? Number(m[2]) : 0 };
}

/** `count` echo requests 0.2 s apart, each waiting at most 2 s; `-4`/`-6` pin the family. */
export async function ping(kc: KubeConfig, ns: string, pod: string, ip: string, family: IPFamily, count = 3): Promise<PingResult> {
  const r = await runProbe(kc, ns, pod, ip, ['ping', family === 'IPv6' ? '-6' : '-4', '-c', String(count), '-i', '0.2', '-W', '2', ip], 20_000);
  return { ...r, ...parsePingCounts(r.stdout) };
}
