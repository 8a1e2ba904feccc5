/**
 * A command in a netexec pod through the API server's pod proxy (`POST …/pods/<pod>:<port>/proxy/shell`):
 * netexec runs it with `sh -c` in its own container, the same network namespace and
 * environment an exec gets. An exec costs ~50 ms of machine CPU on 2 cores (API server →
 * kubelet → containerd → a runc process); this costs ~5 ms, and a run makes hundreds.
 *
 * Only pods that say so take this way (SHELL_PORT_ANNOTATION, set by probePodManifest for
 * pods whose traffic no fault touches): a fault that drops packets to or from a pod's IP would
 * also cut the API server's path to it, which an exec (through the kubelet) does not need.
 *
 * netexec answers `{"output": <stdout and stderr>, "error": "exit status N"}`, so the
 * script keeps stderr in a file and prints it after a mark carrying the exit code.
 */
import { randomBytes } from 'node:crypto';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { kindClusterOf } from '../cluster/context.ts';
import { shellQuote } from '../util/shell.ts';

/** On a probe pod: netexec's HTTP port, where its `/shell` takes commands for the harness. */
export const SHELL_PORT_ANNOTATION = 'v6e2e.io/shell-port';

/**
 * Whether this cluster's pods may offer the shell: on kind (context `kind-<name>`) the API
 * server reaches every pod IP. Elsewhere it may not (a firewalled pod network answers only
 * after the API server's dial timeout), so pods there are exec'd into as before.
 */
export function shellOnCluster(kc: KubeConfig): boolean {
  return kindClusterOf(kc.getCurrentContext()) !== undefined;
}

/** The pod's shell port from its annotation, or undefined (exec it is). */
export function shellPortOf(annotations: Readonly<Record<string, string>> | undefined): number | undefined {
  const raw = annotations?.[SHELL_PORT_ANNOTATION];
  const port = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}

/** The mark that ends stdout: `\n<mark><exit code>\n`, then the command's stderr. */
export function newMark(): string {
  return `@@v6e2e-shell-${randomBytes(6).toString('hex')}=`;
}

/** The script netexec runs: argv, its stderr kept aside, then the mark with its exit code, then that stderr. Pure. */
export function shellScript(argv: readonly string[], mark: string): string {
  return [
    'e=$(mktemp /tmp/v6e2e-shell.XXXXXX) || exit 125',
    `${argv.map(shellQuote).join(' ')} 2>"$e"; rc=$?`,
    `printf '\\n${mark}%s\\n' "$rc"; cat "$e"; rm -f "$e"`,
  ].join('\n');
}

export interface ShellReply {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * netexec's answer split back into exit code, stdout and stderr; undefined when it is not
 * netexec's JSON or the mark is missing (the script did not run to its end). Pure.
 */
export function parseShellReply(body: string, mark: string): ShellReply | undefined {
  let reply: unknown;
  try {
    reply = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof reply !== 'object' || reply === null) return undefined;
  const output = (reply as { output?: unknown }).output;
  const text = typeof output === 'string' ? output : '';
  const at = text.lastIndexOf(`\n${mark}`);
  if (at < 0) return undefined;
  const m = /^(\d+)\n/.exec(text.slice(at + mark.length + 1));
  if (!m) return undefined;
  return { code: Number(m[1]), stdout: text.slice(0, at), stderr: text.slice(at + mark.length + 1 + m[0].length) };
}

/** Why the shell way gave no answer: `unreachable` (the API server could not reach netexec; nothing ran) or `lost`. */
export class PodShellError extends Error {
  override name = 'PodShellError';
  constructor(
    message: string,
    readonly kind: 'unreachable' | 'lost' | 'timeout',
  ) {
    super(message);
  }
}

/**
 * Runs argv in the pod through netexec's `/shell` on `port`; resolves with its exit code
 * and output. Throws PodShellError: `unreachable` when the API server answered for
 * netexec (it could not reach it: nothing ran), `timeout` after `timeoutMs`, else `lost`.
 */
export async function podShell(kc: KubeConfig, namespace: string, pod: string, port: number, argv: readonly string[], timeoutMs: number): Promise<ShellReply> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new PodShellError('no current cluster in the kubeconfig', 'unreachable');
  const mark = newMark();
  const body = new URLSearchParams({ cmd: shellScript(argv, mark) }).toString();
  const url = new URL(`${server.replace(/\/$/, '')}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}:${port}/proxy/shell`);
  const opts: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  return new Promise<ShellReply>((resolve, reject) => {
    const req = https.request(url, {
      ...opts,
      method: 'POST',
      headers: { ...(opts.headers ?? {}), 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new PodShellError(`timed out after ${timeoutMs} ms`, 'timeout'));
    }, timeoutMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(new PodShellError(err.message, 'lost'));
      });
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        const reply = res.statusCode === 200 ? parseShellReply(text, mark) : undefined;
        if (reply) return resolve(reply);
        // A Status from the API server (503 "error trying to reach service", 403): netexec never had it.
        const status = res.statusCode !== 200 && /"kind"\s*:\s*"Status"/.test(text);
        reject(new PodShellError(`HTTP ${res.statusCode ?? '?'}: ${text.slice(0, 300).replace(/\s+/g, ' ')}`, status ? 'unreachable' : 'lost'));
      });
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(new PodShellError(err.message, 'lost'));
    });
    req.end(body);
  });
}
