/**
 * UDP through a Service's node or load-balancer addresses: netexec's UDP `hostname`
 * must come back from one of the Service's backends where kube-proxy is expected to
 * serve the address, and nothing where it is not. Pure: probe results in, Verdict out.
 */
import type { IPFamily } from '../net/family.ts';
import type { UdpResult } from '../probes/udp.ts';
import type { Expectation } from './nodeport.ts';
import { clip, lastLine } from './text.ts';
import { all, verdict, type CheckFamily, type Verdict } from './verdict.ts';

export interface UdpAddressProbe {
  /** `Service ns/np NodePort 31234/udp on node w1 InternalIP … from outside container …`. */
  object: string;
  family: IPFamily;
  expect: Expectation;
  result: UdpResult;
  /** Backend pod names: netexec answers `hostname` with its pod name. */
  backends: readonly string[];
}

export function describeUdpOutcome(r: UdpResult): string {
  if (r.reply) return `reply "${clip(r.reply)}"`;
  if (r.exitCode === -1) return `probe could not run (${clip(lastLine(r.stderr), 200)})`;
  return `no reply (timeout or ICMP unreachable; nc exit ${r.exitCode})`;
}

export function udpAnswerVerdict(p: UdpAddressProbe): Verdict {
  const seen = describeUdpOutcome(p.result);
  const c = { object: p.object, family: p.family };
  if (p.expect.reachable === undefined) return verdict(true, { ...c, expected: `anything (${p.expect.why})`, seen });
  if (!p.expect.reachable) return verdict(!p.result.reply, { ...c, expected: `no reply (${p.expect.why})`, seen });
  const ok = p.result.ok && p.backends.includes(p.result.reply);
  const one = p.backends.length === 1 ? `"${p.backends[0]}"` : `one of [${p.backends.join(', ')}]`;
  return verdict(ok, { ...c, expected: `UDP reply ${one} (${p.expect.why})`, seen: ok || !p.result.reply ? seen : `${seen} (not a backend)` });
}

/** Every probed address behaves as expected; the message names each failing one. */
export function checkUdpAnswers(object: string, family: CheckFamily, probes: readonly UdpAddressProbe[]): Verdict {
  if (probes.length === 0) return verdict(false, { object, family, expected: `at least one ${family} address to probe`, seen: 'none' });
  return all(probes.map(udpAnswerVerdict), `${object} (${probes.length} addresses)`, family);
}
