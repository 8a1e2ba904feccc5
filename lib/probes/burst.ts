/**
 * Several bounded curl GETs from one pod in a single exec: a session-affinity check
 * needs its requests close together (an exec per request can take seconds on a busy
 * node, longer than a short affinity timeout), and one exec is cheaper than ten.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { curlCommand, parseCurlResult, type HttpResult } from './curl.ts';
import { runProbe } from './exec.ts';

/** Written after each curl with its exit code, so every request keeps its own outcome. */
export const EXIT_MARK = '\n@@v6e2e-exit=';

/** The shell loop: `n` runs of the curl argv, `gapS` seconds apart, each followed by EXIT_MARK and its exit code. */
export function burstCommand(url: string, n: number, timeoutS: number, gapS: number): string[] {
  const loop = 'n=$1; gap=$2; shift 2; i=0; while [ $i -lt $n ]; do [ $i -gt 0 ] && sleep $gap; "$@"; printf "' + EXIT_MARK.replace('\n', '\\n') + '%s\\n" $?; i=$((i+1)); done';
  return ['sh', '-c', loop, 'sh', String(n), String(gapS), ...curlCommand(url, timeoutS)];
}

/** Splits the loop's output into one HttpResult per request (a request with no exit mark did not run). */
export function parseBurst(stdout: string, base: { from: string; target: string; command: string[]; stderr: string }): HttpResult[] {
  const out: HttpResult[] = [];
  const parts = stdout.split(EXIT_MARK);
  for (let i = 0; i + 1 < parts.length; i++) {
    // parts[i+1] starts with this request's exit code; what follows its newline is the next request's output.
    const body = i === 0 ? parts[0]! : parts[i]!.slice(parts[i]!.indexOf('\n') + 1);
    const code = Number.parseInt(parts[i + 1]!, 10);
    const exitCode = Number.isNaN(code) ? -1 : code;
    out.push(parseCurlResult({ ...base, ok: exitCode === 0, exitCode, stdout: body, stderr: exitCode === 0 ? '' : base.stderr }));
  }
  return out;
}

/** `n` GETs of `url` from the pod, `gapS` seconds apart, in one exec; one result per request, in order. */
export async function httpBurst(kc: KubeConfig, ns: string, pod: string, url: string, n: number, opts: { timeoutS?: number; gapS?: number } = {}): Promise<HttpResult[]> {
  const t = opts.timeoutS ?? 3;
  const gap = opts.gapS ?? 0;
  const cmd = burstCommand(url, n, t, gap);
  const r = await runProbe(kc, ns, pod, url, cmd, (n * (t * 2 + gap) + 15) * 1000);
  const results = parseBurst(r.stdout, { from: r.from, target: r.target, command: cmd, stderr: r.stderr });
  // The exec itself failed before any request ran: one failed result says why.
  if (results.length === 0) return [parseCurlResult({ ...r, ok: false })];
  return results.map((x) => ({ ...x, family: r.family }));
}
