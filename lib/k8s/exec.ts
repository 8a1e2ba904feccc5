/**
 * Pod exec over the WebSocket API, made safe for tests (client-node 1.4):
 * - `Exec.exec` resolves when the socket opens, not when the command ends, so we
 *   wait for the status frame (channel 3), which is the only source of the exit code;
 * - the library `.end()`s the streams it was given, so every call gets fresh ones;
 * - the status callback has been seen not to fire (client-node #714), so a socket
 *   `close` without status fails the call after a short grace, and a hard timeout
 *   closes the socket and fails with whatever output arrived.
 * Pass data as arguments, not stdin: stdin handling loses the status on old servers.
 */
import { PassThrough } from 'node:stream';
import { CoreV1Api, Exec, type KubeConfig, type V1Pod, type V1Status } from '@kubernetes/client-node';
import { podShell, PodShellError, shellPortOf } from './pod-shell.ts';

export interface ExecOptions {
  /** Default: the pod's `kubectl.kubernetes.io/default-container`, else its first container. */
  container?: string;
  /** Default 60 s. */
  timeoutMs?: number;
  /** Cap on captured bytes per stream, so a runaway command cannot eat the heap. Default 4 MiB. */
  maxOutputBytes?: number;
}

export interface ExecResult {
  /** Exit code of the command (0 on success). */
  code: number;
  stdout: string;
  stderr: string;
  /** True when output was cut at maxOutputBytes. */
  truncated: boolean;
}

export class ExecError extends Error {
  override name = 'ExecError';
  constructor(
    message: string,
    readonly partial: { stdout: string; stderr: string },
  ) {
    super(message);
  }
}

/** How long to wait for a status frame after the socket closed before giving up. */
const CLOSE_GRACE_MS = 200;

/** Exit code from the status frame; undefined when the status is not about the command's exit. */
export function exitCodeFromStatus(status: V1Status): number | undefined {
  if (status.status === 'Success') return 0;
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
    const code = Number(cause?.message);
    return Number.isInteger(code) ? code : undefined;
  }
  return undefined;
}

/** The container an exec without one goes to: `kubectl.kubernetes.io/default-container`, else the first. */
export function defaultContainerOf(p: V1Pod): string | undefined {
  return p.metadata?.annotations?.['kubectl.kubernetes.io/default-container'] ?? p.spec?.containers[0]?.name;
}

/** How the harness runs a command in a pod: the container an exec goes to, and netexec's shell port when the pod offers it (pod-shell.ts). */
interface PodRoute {
  container: string;
  shellPort?: number;
}

/**
 * Routes already known, per client and `namespace/pod`: a probe pod is exec'd into dozens
 * of times a run, and a GET before each was a third of a run's pod reads. An entry goes
 * when a command through it fails (the pod may have been made anew).
 */
const knownRoutes = new WeakMap<KubeConfig, Map<string, PodRoute>>();

function routes(kc: KubeConfig): Map<string, PodRoute> {
  let known = knownRoutes.get(kc);
  if (!known) knownRoutes.set(kc, (known = new Map()));
  return known;
}

function routeOf(p: V1Pod): PodRoute | undefined {
  const container = defaultContainerOf(p);
  if (!container) return undefined;
  const shellPort = shellPortOf(p.metadata?.annotations);
  return { container, ...(shellPort !== undefined ? { shellPort } : {}) };
}

/** Remembers how to reach a pod the caller already holds, so its first command needs no GET. */
export function knowPod(kc: KubeConfig, p: V1Pod): void {
  const route = routeOf(p);
  if (route && p.metadata?.namespace && p.metadata.name) routes(kc).set(`${p.metadata.namespace}/${p.metadata.name}`, route);
}

async function routeTo(kc: KubeConfig, namespace: string, pod: string): Promise<PodRoute> {
  const hit = routes(kc).get(`${namespace}/${pod}`);
  if (hit !== undefined) return hit;
  const route = routeOf(await kc.makeApiClient(CoreV1Api).readNamespacedPod({ name: pod, namespace }));
  if (!route) throw new ExecError(`pod ${namespace}/${pod} has no containers to exec into`, { stdout: '', stderr: '' });
  routes(kc).set(`${namespace}/${pod}`, route);
  return route;
}

/** Forgets a pod's route (see knownRoutes). */
function forgetRoute(kc: KubeConfig, namespace: string, pod: string): void {
  knownRoutes.get(kc)?.delete(`${namespace}/${pod}`);
}

/**
 * Runs `command` in a pod and resolves with its exit code and output. A non-zero exit
 * is a result, not an error; errors are reserved for "could not find out" (timeout,
 * lost connection, container not found). A pod with a shell port (pod-shell.ts) and no
 * container asked for gets the command through netexec; one the API server cannot reach
 * that way is exec'd into from then on.
 */
export async function podExec(kc: KubeConfig, namespace: string, pod: string, command: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  if (command.length === 0) throw new ExecError('podExec: empty command', { stdout: '', stderr: '' });
  if (opts.container !== undefined) return execIn(kc, namespace, pod, opts.container, command, opts);
  const route = await routeTo(kc, namespace, pod);
  const viaShell = route.shellPort === undefined ? undefined : await shellIn(kc, namespace, pod, route, command, opts);
  if (viaShell) return viaShell;
  return execIn(kc, namespace, pod, route.container, command, opts).catch((err: unknown) => {
    forgetRoute(kc, namespace, pod);
    throw err;
  });
}

/** The command through netexec's shell; undefined when the API server could not reach it (nothing ran: exec instead). */
async function shellIn(kc: KubeConfig, namespace: string, pod: string, route: PodRoute, command: string[], opts: ExecOptions): Promise<ExecResult | undefined> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const maxBytes = opts.maxOutputBytes ?? 4 * 1024 * 1024;
  try {
    const r = await podShell(kc, namespace, pod, route.shellPort!, command, timeoutMs);
    const cut = (t: string) => (Buffer.byteLength(t) > maxBytes ? Buffer.from(t).subarray(0, maxBytes).toString('utf8') : t);
    const truncated = Buffer.byteLength(r.stdout) > maxBytes || Buffer.byteLength(r.stderr) > maxBytes;
    return { code: r.code, stdout: cut(r.stdout), stderr: cut(r.stderr), truncated };
  } catch (err) {
    if (err instanceof PodShellError && err.kind === 'unreachable') {
      routes(kc).set(`${namespace}/${pod}`, { container: route.container });
      return undefined;
    }
    forgetRoute(kc, namespace, pod);
    const msg = err instanceof Error ? err.message : String(err);
    throw new ExecError(`shell in ${namespace}/${pod} (netexec :${route.shellPort}): ${command.join(' ')}: ${msg}`, { stdout: '', stderr: '' });
  }
}

/** The exec itself, into a known container. */
function execIn(kc: KubeConfig, namespace: string, pod: string, container: string, command: string[], opts: ExecOptions): Promise<ExecResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const maxBytes = opts.maxOutputBytes ?? 4 * 1024 * 1024;
  const what = `exec in ${namespace}/${pod}[${container}]: ${command.join(' ')}`;

  const stdoutStream = new PassThrough();
  const stderrStream = new PassThrough();
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  const sizes = { stdout: 0, stderr: 0 };
  let truncated = false;
  const collect = (which: 'stdout' | 'stderr') => (d: Buffer | string) => {
    const buf = typeof d === 'string' ? Buffer.from(d) : d;
    const room = maxBytes - sizes[which];
    if (room <= 0) {
      truncated = true;
      return;
    }
    const part = buf.length > room ? buf.subarray(0, room) : buf;
    if (part.length < buf.length) truncated = true;
    chunks[which].push(part);
    sizes[which] += part.length;
  };
  stdoutStream.on('data', collect('stdout'));
  stderrStream.on('data', collect('stderr'));
  const output = () => ({
    stdout: Buffer.concat(chunks.stdout).toString('utf8'),
    stderr: Buffer.concat(chunks.stderr).toString('utf8'),
  });

  return new Promise<ExecResult>((resolve, reject) => {
    let settled = false;
    let socket: { close(): void } | undefined;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      finish(() => {
        try {
          socket?.close();
        } catch {
          // closing a half-open socket can throw; the timeout is what we report
        }
        reject(new ExecError(`${what}: timed out after ${timeoutMs} ms`, output()));
      });
    }, timeoutMs);

    const onStatus = (status: V1Status) => {
      // Let the stream 'data' events queued before the status frame drain first.
      setImmediate(() =>
        finish(() => {
          const code = exitCodeFromStatus(status);
          if (code === undefined) {
            reject(new ExecError(`${what}: ${status.reason ?? status.status ?? 'failed'}: ${status.message ?? 'no message'}`, output()));
          } else {
            resolve({ code, ...output(), truncated });
          }
        }),
      );
    };

    new Exec(kc)
      .exec(namespace, pod, container, command, stdoutStream, stderrStream, null, false, onStatus)
      .then((ws) => {
        socket = ws;
        if (settled) {
          ws.close(); // timed out while connecting
          return;
        }
        ws.on('close', () => {
          setTimeout(() => finish(() => reject(new ExecError(`${what}: connection closed without an exit status`, output()))), CLOSE_GRACE_MS);
        });
        ws.on('error', (err: Error) => finish(() => reject(new ExecError(`${what}: ${err.message}`, output()))));
      })
      .catch((err: unknown) => {
        finish(() => reject(new ExecError(`${what}: ${err instanceof Error ? err.message : String(err)}`, output())));
      });
  });
}
