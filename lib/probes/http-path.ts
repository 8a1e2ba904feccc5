/**
 * HTTP GET that also reports the path the connection took: the local and remote
 * addresses curl used and the body size and digest. Through NAT64 this is what tells
 * "reached the origin through the translator" (remote address inside Pref64::/n)
 * from "reached it natively" (remote address = the origin's IPv4); the body never
 * crosses the exec stream whole (only its first 4 KiB, for /clientip and friends).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { isIp, normalizeIp, type IPFamily } from '../net/family.ts';
import { runSingleProbe } from './exec.ts';
import type { HttpResult } from './http.ts';

export interface PathResult extends HttpResult {
  /** The pod-side address of the connection (curl %{local_ip}); undefined when none was made. */
  localIp?: string;
  /** The address curl connected to (%{remote_ip}): for a name, what it resolved to. */
  remoteIp?: string;
  /** Body bytes received (%{size_download}). */
  bytes: number;
  /** sha256 of the whole body, hex. */
  sha256?: string;
}

export interface PathOptions {
  /** Connect timeout in seconds; the whole transfer may take `maxTimeS` (default twice this). Default 5. */
  timeoutS?: number;
  maxTimeS?: number;
  /** curl -4 / -6: which family a host name may resolve to (a literal fixes its own). */
  ipFamily?: IPFamily;
}

const MARK = '@@v6e2e-path=';
/** Bytes of the body shipped back for small answers (/clientip, /hostname). */
const BODY_HEAD = 4096;

/** Parses the marker line the probe script prints: `code|size|local|remote|sha256`. */
export function parsePathLine(stdout: string): { status?: number; bytes: number; localIp?: string; remoteIp?: string; sha256?: string; body: string } {
  const lines = stdout.split('\n');
  const i = lines.findIndex((l) => l.startsWith(MARK));
  if (i < 0) return { bytes: 0, body: stdout };
  const [code, size, local, remote, sum] = lines[i]!.slice(MARK.length).trim().split('|');
  const ip = (s: string | undefined) => (s && isIp(s) ? normalizeIp(s) : undefined);
  const bytes = Number(size) || 0;
  return {
    status: Number(code) || undefined,
    bytes,
    localIp: ip(local),
    remoteIp: ip(remote),
    sha256: bytes > 0 && sum ? sum : undefined,
    body: lines.slice(i + 1).join('\n'),
  };
}

export async function httpGetPath(kc: KubeConfig, ns: string, pod: string, url: string, opts: PathOptions = {}): Promise<PathResult> {
  const t = opts.timeoutS ?? 5;
  const max = opts.maxTimeS ?? t * 2;
  const fam = opts.ipFamily ? (opts.ipFamily === 'IPv4' ? '-4' : '-6') : '';
  const script = [
    'f=$(mktemp)',
    `w=$(curl -sS -g ${fam} --connect-timeout ${t} --max-time ${max} -o "$f" -w '%{http_code}|%{size_download}|%{local_ip}|%{remote_ip}' "$0"); rc=$?`,
    `echo "${MARK}$w|$(sha256sum < "$f" | cut -d' ' -f1)"`,
    `head -c ${BODY_HEAD} "$f"`,
    'rm -f "$f"',
    'exit $rc',
  ].join('; ');
  const r = await runSingleProbe(kc, ns, pod, url, ['sh', '-c', script, url], max * 1000);
  const p = parsePathLine(r.stdout);
  const ok = r.ok && p.status !== undefined && p.status >= 200 && p.status < 400;
  return { ...r, ok, family: r.family ?? opts.ipFamily, status: p.status, body: p.body, bytes: p.bytes, localIp: p.localIp, remoteIp: p.remoteIp, sha256: p.sha256 };
}
