import type { KubeConfig } from '@kubernetes/client-node';
import { runProbe, type ProbeResult } from './exec.ts';

export interface HttpResult extends ProbeResult {
  status?: number;
  body: string;
}

const STATUS_MARK = '\n@@v6e2e-status=';

/**
 * HTTP GET from inside a pod with curl. `-g` keeps IPv6 literals in brackets
 * from being globbed (the bug class of sonobuoy#542); --max-time bounds it.
 */
export async function httpGet(kc: KubeConfig, ns: string, pod: string, url: string, opts: { timeoutS?: number; resolve?: string } = {}): Promise<HttpResult> {
  const t = opts.timeoutS ?? 5;
  const cmd = ['curl', '-sS', '-g', '--connect-timeout', String(t), '--max-time', String(t * 2), '-w', `${STATUS_MARK}%{http_code}`, url];
  const r = await runProbe(kc, ns, pod, url, cmd, (t * 2 + 10) * 1000);
  const i = r.stdout.lastIndexOf(STATUS_MARK);
  const status = i >= 0 ? Number(r.stdout.slice(i + STATUS_MARK.length).trim()) : undefined;
  const body = i >= 0 ? r.stdout.slice(0, i) : r.stdout;
  return { ...r, ok: r.ok && status !== undefined && status >= 200 && status < 400, status: status || undefined, body };
}

/** Bytes received for a large body (agnhost netexec /echo?msg=… is small; use a sized endpoint where needed). */
export async function httpBodySize(kc: KubeConfig, ns: string, pod: string, url: string, timeoutS = 20): Promise<{ result: ProbeResult; bytes: number }> {
  const cmd = ['sh', '-c', `curl -sS -g --max-time ${timeoutS} "$0" | wc -c`, url];
  const r = await runProbe(kc, ns, pod, url, cmd, (timeoutS + 10) * 1000);
  return { result: r, bytes: Number(r.stdout.trim()) || 0 };
}
