import type { KubeConfig } from '@kubernetes/client-node';
import type { IPFamily } from '../net/family.ts';
import { curlCommand, parseCurlResult, type HttpResult } from './curl.ts';
import { askAgainIfLost, runProbe, runSingleProbe, type ProbeResult } from './exec.ts';

export type { HttpResult } from './curl.ts';

export interface HttpOptions {
  /** Connect timeout in seconds; the whole request may take twice that. Default 5. */
  timeoutS?: number;
  /** curl --resolve entry (`host:port:addr`). */
  resolve?: string;
  /**
   * Resolve a host name to this family only (curl -4/-6), for "Service by DNS name over
   * IPv6". Ignored by curl for IP literals, whose family is already fixed.
   */
  ipFamily?: IPFamily;
}

function familyFlag(f: IPFamily | undefined): string[] {
  if (!f) return [];
  return [f === 'IPv4' ? '-4' : '-6'];
}

/** HTTP GET from inside a pod with curl (curl.ts: `-g` for IPv6 literals, bounded by --max-time). */
export async function httpGet(kc: KubeConfig, ns: string, pod: string, url: string, opts: HttpOptions = {}): Promise<HttpResult> {
  const t = opts.timeoutS ?? 5;
  const cmd = curlCommand(url, t, [...familyFlag(opts.ipFamily), ...(opts.resolve ? ['--resolve', opts.resolve] : [])]);
  // Judged after parsing: curl's own status mark missing is a lost output too.
  const result = await askAgainIfLost(async () => parseCurlResult(await runProbe(kc, ns, pod, url, cmd, t * 2 * 1000)));
  if (opts.ipFamily && !result.family) result.family = opts.ipFamily;
  return result;
}

export interface DownloadResult {
  result: ProbeResult;
  status?: number;
  /** Bytes curl received (of the body). */
  bytes: number;
  /** sha256 of the received body, hex; undefined when nothing was received. */
  sha256?: string;
}

const DL_MARK = '@@v6e2e-download=';

/**
 * Downloads a (large) body inside the pod — optionally the answer to a POST of `post` —
 * and reports how many bytes arrived and their sha256, without shipping the body back over the exec stream. The body goes
 * to a temporary file that is removed afterwards.
 */
export async function httpDownload(kc: KubeConfig, ns: string, pod: string, url: string, timeoutS = 20, post?: string): Promise<DownloadResult> {
  // With `post`, the request is a POST of that body (form-encoded, as curl --data-binary sends
  // it), passed as an argument so it never crosses the exec stream as shell text.
  const data = post !== undefined ? ' --data-binary "$1"' : '';
  const script = [
    'f=$(mktemp)',
    `code=$(curl -sS -g --connect-timeout 5 --max-time ${timeoutS}${data} -o "$f" -w '%{http_code}' "$0"); rc=$?`,
    `echo "${DL_MARK}$code $(wc -c < "$f") $(sha256sum < "$f" | cut -d' ' -f1)"`,
    'rm -f "$f"',
    'exit $rc',
  ].join('; ');
  const r = await runSingleProbe(kc, ns, pod, url, ['sh', '-c', script, url, ...(post !== undefined ? [post] : [])], (timeoutS + 5) * 1000);
  return parseDownload(r);
}

/** httpDownload's result from its exec: the marked line's status, size and sha256. */
export function parseDownload(r: ProbeResult): DownloadResult {
  const line = r.stdout.split('\n').find((l) => l.startsWith(DL_MARK));
  const [code, size, sum] = line ? line.slice(DL_MARK.length).trim().split(' ') : [];
  const status = Number(code) || undefined;
  const bytes = Number(size) || 0;
  return { result: { ...r, ok: r.ok && status !== undefined && status >= 200 && status < 300 }, status, bytes, sha256: bytes > 0 ? sum : undefined };
}

/** Bytes received for a large body (kept for callers that need only the size). */
export async function httpBodySize(kc: KubeConfig, ns: string, pod: string, url: string, timeoutS = 20): Promise<{ result: ProbeResult; bytes: number }> {
  const d = await httpDownload(kc, ns, pod, url, timeoutS);
  return { result: d.result, bytes: d.bytes };
}
