/**
 * Which addresses a pod listens on, read from /proc/net/{tcp,tcp6,udp,udp6} inside the
 * pod (what `ss -ltn` shows, without needing iproute2 in the image). The kernel prints
 * each address as host-order 32-bit words in hex; the bytes are reordered here and the
 * address itself is built by ip-address.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { Address4, Address6 } from 'ip-address';
import { hostPort, type IPFamily } from '../net/family.ts';
import { runSingleProbe, type ProbeResult } from './exec.ts';

export type SocketProto = 'tcp' | 'udp';

export interface ListeningSocket {
  proto: SocketProto;
  family: IPFamily;
  /** RFC 5952 / dotted form; `::` and `0.0.0.0` are the wildcards. */
  address: string;
  port: number;
}

const TCP_LISTEN = '0A';
const UDP_UNCONNECTED = '07';

/** Host-order hex words (little-endian hosts: x86-64, arm64) → network-order bytes. */
function hexWordsToBytes(hex: string): number[] {
  if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length % 8 !== 0) throw new Error(`not a /proc/net address: ${hex}`);
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8) {
    const word: number[] = [];
    for (let b = 0; b < 8; b += 2) word.push(parseInt(hex.slice(w + b, w + b + 2), 16));
    bytes.push(...word.reverse());
  }
  return bytes;
}

function procAddress(hex: string): { family: IPFamily; address: string } {
  const bytes = hexWordsToBytes(hex);
  if (bytes.length === 4) {
    const a = Address4.fromHex(bytes.map((b) => b.toString(16).padStart(2, '0')).join(''));
    return { family: 'IPv4', address: a.correctForm() };
  }
  if (bytes.length === 16) return { family: 'IPv6', address: Address6.fromByteArray(bytes).correctForm() };
  throw new Error(`unexpected /proc/net address length ${bytes.length}`);
}

/**
 * Parses the concatenated tables, each introduced by a line `@@ <tcp|tcp6|udp|udp6>`.
 * Keeps listening TCP sockets and unconnected (bound) UDP sockets; malformed lines are skipped.
 */
export function parseProcNet(text: string): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  let table: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('@@ ')) {
      table = line.slice(3).trim();
      continue;
    }
    if (!table || !/^\d+:/.test(line)) continue;
    const fields = line.split(/\s+/);
    const local = fields[1];
    const st = fields[3];
    const proto: SocketProto = table.startsWith('udp') ? 'udp' : 'tcp';
    if (!local || !st || st.toUpperCase() !== (proto === 'tcp' ? TCP_LISTEN : UDP_UNCONNECTED)) continue;
    const colon = local.indexOf(':');
    if (colon < 0) continue;
    try {
      const { family, address } = procAddress(local.slice(0, colon));
      const port = parseInt(local.slice(colon + 1), 16);
      if (!Number.isInteger(port) || port < 1) continue;
      out.push({ proto, family, address, port });
    } catch {
      // Not a socket line this parser knows (a kernel's own format): not a listener to report.
      continue;
    }
  }
  return out;
}

export interface ListenersResult {
  result: ProbeResult;
  sockets: ListeningSocket[];
}

/** Listening sockets of the pod's network namespace (one exec, `cat` only). */
export async function listeningSockets(kc: KubeConfig, ns: string, pod: string, container?: string): Promise<ListenersResult> {
  const script = 'for t in tcp tcp6 udp udp6; do echo "@@ $t"; cat /proc/net/$t 2>/dev/null; done';
  const cmd = ['sh', '-c', script];
  const r = await runSingleProbe(kc, ns, pod, 'listening sockets', cmd, 0, container);
  return { result: r, sockets: r.ok ? parseProcNet(r.stdout) : [] };
}

function isLoopback(s: ListeningSocket): boolean {
  if (s.family === 'IPv4') return new Address4(s.address).isInSubnet(new Address4('127.0.0.0/8'));
  const a = new Address6(s.address);
  return a.isLoopback() || (a.is4() && a.to4().isInSubnet(new Address4('127.0.0.0/8')));
}

function isWildcard(s: ListeningSocket): boolean {
  return s.address === '0.0.0.0' || s.address === '::';
}

/**
 * Does something listen on `port` where connections of `family` from other pods can land?
 * IPv6: `::` or a non-loopback IPv6 address. IPv4: `0.0.0.0`, a non-loopback IPv4 address,
 * or `::` (a dual-stack socket, unless the program set IPV6_V6ONLY, which /proc does not show).
 */
export function listensOn(sockets: readonly ListeningSocket[], port: number, family: IPFamily, proto: SocketProto = 'tcp'): boolean {
  return sockets.some((s) => {
    if (s.proto !== proto || s.port !== port || isLoopback(s)) return false;
    if (s.family === family) return true;
    if (family === 'IPv4' && s.family === 'IPv6') {
      if (isWildcard(s)) return true;
      const a = new Address6(s.address);
      return a.is4();
    }
    return false;
  });
}

/** `0.0.0.0:6379, [::]:6379` — what a message shows as "listening on". */
export function describeListeners(sockets: readonly ListeningSocket[], port: number, proto: SocketProto = 'tcp'): string {
  const hits = sockets.filter((s) => s.proto === proto && s.port === port);
  if (hits.length === 0) return `nothing listening on ${proto} port ${port}`;
  const list = [...new Set(hits.map((s) => hostPort(s.address, s.port)))];
  return `listening on ${list.join(', ')}`;
}
