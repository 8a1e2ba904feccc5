/**
 * One bounded connection attempt with `agnhost connect` (in every probe pod), for the
 * outcomes curl cannot report: a UDP datagram refused (ICMP/ICMPv6 port unreachable
 * read back as ECONNREFUSED) versus silence. agnhost prefixes its error with a fixed
 * word (REFUSED, TIMEOUT, DNS, OTHER, UNKNOWN) that upstream's e2e tests match too.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { hostPort } from '../net/family.ts';
import { runSingleProbe, type ProbeResult } from './exec.ts';

export type ConnectProtocol = 'tcp' | 'udp';

/** `connected`: TCP handshake done, or a UDP reply came back. `probe-failed`: the exec itself did not run. */
export type ConnectOutcome = 'connected' | 'refused' | 'timeout' | 'dns' | 'other' | 'unknown' | 'probe-failed';

export interface ConnectResult extends ProbeResult {
  protocol: ConnectProtocol;
  /** agnhost's --timeout, in seconds: a `timeout` outcome took this long. */
  timeoutS: number;
  outcome: ConnectOutcome;
  /** agnhost's error line (empty when connected). */
  detail: string;
}

const PREFIXES: ReadonlyArray<readonly [string, ConnectOutcome]> = [
  ['REFUSED', 'refused'],
  ['TIMEOUT', 'timeout'],
  ['DNS', 'dns'],
  ['OTHER', 'other'],
  ['UNKNOWN', 'unknown'],
];

/** The outcome of one `agnhost connect` run, from its exit code and its fixed error prefix. Pure. */
export function connectOutcome(r: Pick<ProbeResult, 'exitCode' | 'stdout' | 'stderr'>): { outcome: ConnectOutcome; detail: string } {
  if (r.exitCode === -1) return { outcome: 'probe-failed', detail: r.stderr.trim() };
  const detail = `${r.stderr}\n${r.stdout}`.split('\n').map((l) => l.trim()).find((l) => PREFIXES.some(([p]) => l.startsWith(p))) ?? '';
  if (r.exitCode === 0) return { outcome: 'connected', detail: '' };
  const hit = PREFIXES.find(([p]) => detail.startsWith(p));
  return { outcome: hit ? hit[1] : 'unknown', detail: detail || (r.stderr || r.stdout).trim() };
}

/** `agnhost connect --protocol=<p> --timeout=<t>s ip:port` from inside a pod (UDP sends netexec's `hostname` command). */
export async function agnhostConnect(kc: KubeConfig, ns: string, pod: string, ip: string, port: number, protocol: ConnectProtocol, timeoutS = 2): Promise<ConnectResult> {
  const target = hostPort(ip, port);
  const cmd = ['/agnhost', 'connect', `--protocol=${protocol}`, `--timeout=${timeoutS}s`, target];
  const r = await runSingleProbe(kc, ns, pod, ip, cmd, timeoutS * 1000);
  return { ...r, target: `${protocol}://${target}`, protocol, timeoutS, ...connectOutcome(r) };
}
