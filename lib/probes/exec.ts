import type { KubeConfig } from '@kubernetes/client-node';
import { podExec } from '../k8s/exec.ts';
import { retryLast } from '../util/retry.ts';
import { recordProbe } from './journal.ts';
import { familyOf, isIp, type IPFamily } from '../net/family.ts';

/** What every probe reports: enough to write a failure message that names peer, family, expected and seen. */
export interface ProbeResult {
  ok: boolean;
  /** `namespace/pod` the probe ran in. */
  from: string;
  /** What was dialled or asked: URL, address:port, DNS name. */
  target: string;
  family?: IPFamily;
  command: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The exec said exit 0 but the command's end mark (RC_MARK) is missing: its output was lost, nothing was observed. */
  outputLost?: boolean;
}

/**
 * Ends every probe's stdout: the command's exit code, printed in the pod. Under load an
 * exec once reported exit 0 with no output for an `agnhost connect` that had timed out
 * (exit 1), read as "a UDP reply"; the code the shell saw is trusted over the exec's.
 */
export const RC_MARK = '@@v6e2e-rc=';

/** The probe command run by `sh` so that its exit code is printed after its output. */
export function withExitMark(command: readonly string[]): string[] {
  return ['sh', '-c', `"$@"; rc=$?; printf '\n${RC_MARK}%s\n' "$rc"; exit $rc`, 'sh', ...command];
}

/**
 * The command's own stdout and exit code from a withExitMark exec. Without the mark, an
 * exec that said exit 0 lost the output (outputLost, exit -1); a failed exec keeps its code.
 */
export function readExitMark(execCode: number, stdout: string, stderr: string): Pick<ProbeResult, 'exitCode' | 'stdout' | 'stderr' | 'outputLost'> {
  const m = new RegExp(`\\n${RC_MARK}(\\d+)\\n$`).exec(stdout);
  if (m) return { exitCode: Number(m[1]), stdout: stdout.slice(0, m.index), stderr };
  if (execCode !== 0) return { exitCode: execCode, stdout, stderr };
  const note = `the exec said exit 0 but the command's exit mark is missing: output lost`;
  return { exitCode: -1, stdout, stderr: stderr ? `${stderr}\n${note}` : note, outputLost: true };
}

/**
 * Added to a probe command's own time bound to cap its exec. In CI on 2 loaded cores,
 * setting an exec up (API server → kubelet → runc) took over 10 s, and over 30 s on a
 * host loaded far beyond that (2026-12-05): the cap is there to end a hung exec, not to
 * judge a slow one (a probe that "could not run" says nothing).
 */
export const EXEC_SLACK_MS = 60_000;

/** Runs a probe command in a pod; never throws for a non-zero exit (that is a result). */
export async function runProbe(
  kc: KubeConfig,
  ns: string,
  pod: string,
  target: string,
  command: string[],
  /** How long the command itself may take (its own timeouts); the exec gets EXEC_SLACK_MS more. */
  commandMs = 0,
  /** Default: the pod's default container. */
  container?: string,
): Promise<ProbeResult> {
  const family = familyOfTarget(target);
  const started = performance.now();
  let result: ProbeResult;
  try {
    const r = await podExec(kc, ns, pod, withExitMark(command), { timeoutMs: commandMs + EXEC_SLACK_MS, container });
    const own = readExitMark(r.code, r.stdout, r.stderr);
    result = { ok: own.exitCode === 0, from: `${ns}/${pod}`, target, family, command, ...own };
  } catch (err) {
    // Not swallowed: an exec that could not run is a failed probe (ok: false) carrying the error.
    const msg = err instanceof Error ? err.message : String(err);
    result = { ok: false, from: `${ns}/${pod}`, target, family, command, exitCode: -1, stdout: '', stderr: msg };
  }
  recordProbe(result, performance.now() - started);
  return result;
}

/**
 * A single probe asked again (twice at most) while its result says the output was lost,
 * which observed nothing. Never for timed series or loops, whose event is over by then
 * (they recover from their own logs).
 */
export function askAgainIfLost<T extends ProbeResult>(probe: () => Promise<T>): Promise<T> {
  return retryLast(probe, { attempts: 3, delayMs: 0, until: (r) => !r.outputLost });
}

/** runProbe for a single probe that can simply be asked again (askAgainIfLost). */
export function runSingleProbe(...args: Parameters<typeof runProbe>): Promise<ProbeResult> {
  return askAgainIfLost(() => runProbe(...args));
}

function familyOfTarget(target: string): IPFamily | undefined {
  try {
    const u = new URL(target);
    const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    return isIp(host) ? familyOf(host) : undefined;
  } catch {
    // Not a URL: the target may be a bare address.
    return isIp(target) ? familyOf(target) : undefined;
  }
}

/** One line for an assertion message: who, to what, over which family, what came back. */
export function describeProbe(r: ProbeResult): string {
  const out = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ');
  return `${r.from} → ${r.target}${r.family ? ` [${r.family}]` : ''}: exit ${r.exitCode}${out ? `: ${out}` : ''}`;
}
