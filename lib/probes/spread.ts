/**
 * Repeated probes in one exec: the same HTTP GET or UDP datagram sent `count` times,
 * each on a fresh connection (a new curl / nc process, so a new source port and a new
 * kube-proxy backend choice). One exec instead of `count` keeps "until every backend
 * has answered" cheap on a loaded machine. Runs in a pod or in the outside container.
 */
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { knowPod } from '../k8s/exec.ts';
import { hostPort } from '../net/family.ts';
import { curlCommand, parseCurlResult, type HttpResult } from './curl.ts';
import { runProbe, type ProbeResult } from './exec.ts';
import type { OutsideClient } from './outside.ts';
import { podLabel } from './pods.ts';
import { udpCommand, type UdpResult } from './udp.ts';

/** Where a probe command runs: its name in messages and how to run one argv there. */
export interface ProbeRunner {
  label: string;
  /** `commandMs`: how long the command itself may take; the runner adds its own slack for the exec. */
  run(target: string, command: string[], commandMs: number): Promise<ProbeResult>;
}

export function podRunner(kc: KubeConfig, pod: V1Pod): ProbeRunner {
  // The pod object says how to reach it (container, shell port): no GET of the pod before its first command.
  knowPod(kc, pod);
  return { label: podLabel(pod), run: (target, command, commandMs) => runProbe(kc, pod.metadata!.namespace!, pod.metadata!.name!, target, command, commandMs) };
}

export function outsideRunner(c: OutsideClient): ProbeRunner {
  return { label: `outside container ${c.name}`, run: (target, command) => c.exec(target, command) };
}

/** Ends each repetition's output: its exit code. */
export const EXIT_MARK = '@@v6e2e-exit=';

/**
 * `sh -c` running the argv after `count` that many times, `gapS` seconds apart, printing
 * each run's output (stderr too when `withStderr`) followed by EXIT_MARK and its exit
 * code on a line. A gap keeps requests of one exec spaced in time (session affinity's
 * timeout), which an exec per request could not do on a busy node.
 */
export function repeatCommand(count: number, argv: readonly string[], withStderr: boolean, gapS = 0): string[] {
  const errTo = withStderr ? '2>&1' : '2>/dev/null';
  const script = `n=$1; gap=$2; shift 2; i=0; while [ "$i" -lt "$n" ]; do [ "$i" -gt 0 ] && [ "$gap" != 0 ] && sleep "$gap"; out=$("$@" ${errTo}); rc=$?; printf '%s\\n${EXIT_MARK}%s\\n' "$out" "$rc"; i=$((i+1)); done`;
  return ['sh', '-c', script, 'sh', String(count), String(gapS), ...argv];
}

/**
 * `sh -c` starting the argv `count` times at once and printing, once all have ended and in
 * start order, the same output as repeatCommand. For "every backend answers" probes: under
 * a fault the unreachable backend's share of requests each waits out its timeout, which one
 * after another cost a round ~count/2 timeouts; at once it costs one.
 */
export function burstCommand(count: number, argv: readonly string[], withStderr: boolean): string[] {
  const errTo = withStderr ? '2>&1' : '2>/dev/null';
  const script = [
    `n=$1; shift; d=$(mktemp -d /tmp/v6e2e-burst.XXXXXX) || exit 125; i=0`,
    `while [ "$i" -lt "$n" ]; do (out=$("$@" ${errTo}); rc=$?; printf '%s\n${EXIT_MARK}%s\n' "$out" "$rc" > "$d/$i") & i=$((i+1)); done`,
    `wait; i=0; while [ "$i" -lt "$n" ]; do cat "$d/$i" 2>/dev/null; i=$((i+1)); done; rm -rf "$d"`,
  ].join('; ');
  return ['sh', '-c', script, 'sh', String(count), ...argv];
}

/** Splits repeatCommand's output into each run's output and exit code; a run cut short is missing, not invented. */
export function splitRepeats(stdout: string): { out: string; exitCode: number }[] {
  const runs: { out: string; exitCode: number }[] = [];
  const re = new RegExp(`([\\s\\S]*?)\\n${EXIT_MARK}(\\d+)\\n`, 'g');
  for (const m of stdout.matchAll(re)) runs.push({ out: m[1]!, exitCode: Number(m[2]) });
  return runs;
}

/**
 * `count` GETs of `url`, each a new connection; one HttpResult per GET that ran. A GET
 * that failed carries curl's message as stderr, as a single httpGet would.
 */
export async function httpRepeated(from: ProbeRunner, url: string, count: number, timeoutS = 2, gapS = 0): Promise<HttpResult[]> {
  const cmd = repeatCommand(count, curlCommand(url, timeoutS), true, gapS);
  return httpRuns(await from.run(url, cmd, count * (timeoutS * 2 + gapS) * 1000));
}

/** `count` GETs of `url` started at once (burstCommand), each a new connection; results in start order. */
export async function httpBurst(from: ProbeRunner, url: string, count: number, timeoutS = 2): Promise<HttpResult[]> {
  return httpRuns(await from.run(url, burstCommand(count, curlCommand(url, timeoutS), true), (timeoutS * 2 + count) * 1000));
}

/** The HttpResults of a repeated or burst exec; an exec that ran nothing is one failed result carrying its error. */
function httpRuns(r: ProbeResult): HttpResult[] {
  const runs = splitRepeats(r.stdout);
  if (runs.length === 0) return [parseCurlResult({ ...r, ok: false, stdout: '' })];
  return runs.map(({ out, exitCode }) => curlRun(r, out, exitCode));
}

/** One curl run of a repeated or timed probe: a failed one carries curl's message as stderr, as a single httpGet would. */
export function curlRun(exec: ProbeResult, out: string, exitCode: number): HttpResult {
  const parsed = parseCurlResult({ ...exec, ok: exitCode === 0, exitCode, stdout: out, stderr: '' });
  return exitCode === 0 ? parsed : { ...parsed, body: '', stderr: parsed.body };
}

/** `count` datagrams with `message`, each from a new socket; one UdpResult per exchange that ran. */
export async function udpRepeated(from: ProbeRunner, ip: string, port: number, message: string, count: number, timeoutS = 2): Promise<UdpResult[]> {
  const target = `udp://${hostPort(ip, port)}`;
  const cmd = repeatCommand(count, udpCommand(ip, port, message, timeoutS), false);
  return udpRuns(await from.run(ip, cmd, count * (timeoutS + 1) * 1000), target);
}

/** `count` datagrams with `message` sent at once (burstCommand), each from a new socket; results in start order. */
export async function udpBurst(from: ProbeRunner, ip: string, port: number, message: string, count: number, timeoutS = 2): Promise<UdpResult[]> {
  const target = `udp://${hostPort(ip, port)}`;
  return udpRuns(await from.run(ip, burstCommand(count, udpCommand(ip, port, message, timeoutS), false), (timeoutS + 1 + count) * 1000), target);
}

/** The UdpResults of a repeated or burst exec; an exec that ran nothing is one failed result, so the verdict can say why. */
function udpRuns(r: ProbeResult, target: string): UdpResult[] {
  const runs = splitRepeats(r.stdout);
  if (runs.length === 0) return [{ ...r, target, ok: false, reply: '' }];
  return runs.map(({ out, exitCode }) => udpRun({ ...r, target }, out, exitCode));
}

/** One nc run of a repeated or timed probe: its reply is the output of a run that exited 0. */
export function udpRun(exec: ProbeResult, out: string, exitCode: number): UdpResult {
  const reply = out.trim();
  return { ...exec, ok: exitCode === 0 && reply.length > 0, exitCode, stdout: out, stderr: '', reply };
}

/** One datagram, from wherever `from` runs (the pod-only udpExchange's twin for the outside container). */
export async function udpOnce(from: ProbeRunner, ip: string, port: number, message: string, timeoutS = 2): Promise<UdpResult> {
  return (await udpRepeated(from, ip, port, message, 1, timeoutS))[0]!;
}
