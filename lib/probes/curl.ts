/**
 * One bounded curl GET, wherever it runs (a pod, the outside container): the argv,
 * and the HTTP status read back from a marker curl appends after the body.
 */
import type { ProbeResult } from './exec.ts';

export interface HttpResult extends ProbeResult {
  status?: number;
  body: string;
}

/** Written by `curl -w` after the body; the last one in stdout is curl's (a body could contain it too). */
export const STATUS_MARK = '\n@@v6e2e-status=';

/**
 * curl arguments for one bounded GET: `-g` keeps `[IPv6]` literals from being globbed
 * (the bug class of sonobuoy#542), --max-time bounds the whole request at twice the
 * connect timeout. `extra` goes before the timeouts (-4/-6, --resolve).
 */
export function curlCommand(url: string, timeoutS = 5, extra: readonly string[] = []): string[] {
  return ['curl', '-sS', '-g', ...extra, '--connect-timeout', String(timeoutS), '--max-time', String(timeoutS * 2), '-w', `${STATUS_MARK}%{http_code}`, url];
}

/**
 * Splits curl's output (body + status mark) into an HttpResult; ok only for a 2xx/3xx status.
 * curl -w writes the mark and a status whenever it exits 0, so exit 0 without them means the
 * exec lost the output (seen under heavy load): reported as a probe that could not run, not
 * as an answer, and httpGet asks again.
 */
export function parseCurlResult(r: ProbeResult): HttpResult {
  const i = r.stdout.lastIndexOf(STATUS_MARK);
  const status = i >= 0 ? Number(r.stdout.slice(i + STATUS_MARK.length).trim()) : undefined;
  const body = i >= 0 ? r.stdout.slice(0, i) : r.stdout;
  if (i < 0 && r.exitCode === 0) {
    const said = r.stdout.trim() ? `; it printed "${r.stdout.trim().slice(0, 200)}"` : '';
    return { ...r, ok: false, exitCode: -1, stderr: `exit 0 without curl's status mark: output lost or curl did not run${said}`, status: undefined, body, outputLost: true };
  }
  // curl exits 0 only after a response, so exit 0 with no status code (the mark cut short,
  // or 000) is a garbled exec, not an answer (seen once in CI as "HTTP ? (empty body)").
  if (r.exitCode === 0 && !status) {
    return { ...r, ok: false, exitCode: -1, stderr: `exit 0 without an HTTP status after curl's mark: output garbled`, status: undefined, body, outputLost: true };
  }
  return { ...r, ok: r.ok && status !== undefined && status >= 200 && status < 400, status: status || undefined, body };
}
