import type { KubeConfig } from '@kubernetes/client-node';
import { hostPort } from '../net/family.ts';
import { runSingleProbe, type ProbeResult } from './exec.ts';

export interface UdpResult extends ProbeResult {
  reply: string;
}

/** The argv sending one datagram and printing the first reply (pods and the outside container run the same). */
export function udpCommand(ip: string, port: number, message: string, timeoutS = 3, sourcePort?: number): string[] {
  const from = sourcePort === undefined ? '' : ` -p ${sourcePort}`;
  // -W 1: exit on the first reply datagram instead of idling out the -w timeout.
  return ['sh', '-c', `printf '%s' "$0" | nc -u${from} -W 1 -w ${timeoutS} "$1" "$2"`, message, ip, String(port)];
}

/**
 * One datagram to an agnhost netexec UDP port and its reply ("hostname",
 * "echo <text>", "clientip" are its commands), sent with netcat; the address
 * and port travel as separate arguments, so IPv6 literals need no brackets. An empty
 * reply means none came within the timeout, or an ICMP unreachable ended the wait.
 * `sourcePort` fixes the client's port (nc -p): repeated exchanges then share one
 * conntrack entry, which is what exposes entries left stale after an endpoint change.
 */
export async function udpExchange(kc: KubeConfig, ns: string, pod: string, ip: string, port: number, message: string, timeoutS = 3, sourcePort?: number): Promise<UdpResult> {
  const target = hostPort(ip, port);
  const r = await runSingleProbe(kc, ns, pod, ip, udpCommand(ip, port, message, timeoutS, sourcePort), timeoutS * 1000);
  const reply = r.stdout.trim();
  return { ...r, target: `udp://${target}`, ok: r.ok && reply.length > 0, reply };
}
