import type { KubeConfig } from '@kubernetes/client-node';
import { podExec } from '../k8s/exec.ts';
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
}

/**
 * Added to a probe command's own time bound to cap its exec. In CI on 2 loaded cores,
 * setting an exec up (API server → kubelet → runc) took over 10 s: the cap is there to
 * end a hung exec, not to judge a slow one (a probe that "could not run" says nothing).
 */
export const EXEC_SLACK_MS = 30_000;

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
    const r = await podExec(kc, ns, pod, command, { timeoutMs: commandMs + EXEC_SLACK_MS, container });
    result = { ok: r.code === 0, from: `${ns}/${pod}`, target, family, command, exitCode: r.code, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    // Not swallowed: an exec that could not run is a failed probe (ok: false) carrying the error.
    const msg = err instanceof Error ? err.message : String(err);
    result = { ok: false, from: `${ns}/${pod}`, target, family, command, exitCode: -1, stdout: '', stderr: msg };
  }
  recordProbe(result, performance.now() - started);
  return result;
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
