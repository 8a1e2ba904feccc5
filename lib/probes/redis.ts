/**
 * redis-cli from inside a pod running the Redis image (redis-tools). The host goes to
 * redis-cli as its own argument, so IPv6 literals need no brackets.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { hostPort, isIp } from '../net/family.ts';
import { runSingleProbe, type ProbeResult } from './exec.ts';

export const REDIS_PORT = 6379;

export interface RedisResult extends ProbeResult {
  /** Reply text (redis-cli prints raw replies when stdout is not a terminal). */
  reply: string;
}

/** Lines of redis-cli's reply that are error replies (`ERR …`, `READONLY …`, `(error) …`). */
function errorReply(stdout: string): string | undefined {
  const line = stdout.split('\n').map((l) => l.trim()).find((l) => /^(\(error\) )?(ERR|WRONGTYPE|READONLY|NOAUTH|DENIED|MASTERDOWN|LOADING|NOSCRIPT|EXECABORT|MISCONF)\b/.test(l));
  return line;
}

/**
 * `redis-cli -h <host> -p <port> <args…>`, bounded by coreutils `timeout` (redis-cli
 * would otherwise wait on an unanswered SYN for the kernel's connect timeout).
 */
export async function redisCli(kc: KubeConfig, ns: string, pod: string, host: string, args: string[], opts: { port?: number; timeoutS?: number } = {}): Promise<RedisResult> {
  const port = opts.port ?? REDIS_PORT;
  const t = opts.timeoutS ?? 5;
  const cmd = ['timeout', String(t), 'redis-cli', '-h', host, '-p', String(port), ...args];
  const target = isIp(host) ? host : hostPort(host, port);
  const r = await runSingleProbe(kc, ns, pod, target, cmd, t * 1000);
  const reply = r.stdout.replace(/\r/g, '').trim();
  const err = errorReply(reply);
  const result: RedisResult = { ...r, target: `redis://${hostPort(host, port)}`, ok: r.ok && !err && !/^Could not connect/m.test(r.stderr + reply), reply };
  if (r.exitCode === 124) result.stderr = `${r.stderr}${r.stderr ? '\n' : ''}redis-cli timed out after ${t}s`.trim();
  return result;
}

/** `INFO <section>` as key → value (`master_link_status` → `up`). */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '').trim();
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i <= 0) continue;
    out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** One line for a message: what redis-cli said, or why it could not say anything. */
export function describeRedis(r: RedisResult): string {
  if (r.exitCode === 124) return `timeout (no reply from ${r.target})`;
  const err = (r.stderr || '').replace(/\r/g, '').trim().split('\n').filter(Boolean).slice(-1)[0];
  const notConnected = /Could not connect[^\n]*/.exec(`${r.stderr}\n${r.reply}`)?.[0];
  if (notConnected) return notConnected.includes('refused') ? `connection refused (${notConnected})` : notConnected;
  if (r.exitCode === -1) return `exec failed: ${err ?? 'no output'}`;
  const reply = r.reply.split('\n').slice(0, 3).join(' | ');
  return `${reply ? `reply "${reply}"` : 'empty reply'}${r.exitCode !== 0 ? ` (exit ${r.exitCode}${err ? `: ${err}` : ''})` : ''}`;
}
