/**
 * The few Docker Engine API calls the test workers make (inspect, exec), straight over the
 * daemon's unix socket. The docker CLI costs a process per call (~0.1 CPU-s), and importing
 * testcontainers ~0.7 CPU-s per worker: 5–6 s of a file's setup on 2 busy cores, spent only
 * to exec into a container that was already running.
 */
import http from 'node:http';

export class DockerApiError extends Error {
  override name = 'DockerApiError';
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
  }
}

/** `.NetworkSettings.Networks` of a container's inspect: its endpoint on each network. */
export type InspectNetworks = Record<string, { IPAddress?: string; GlobalIPv6Address?: string }>;

/** What a caller reads of `GET /containers/{name}/json`. */
export interface ContainerInspect {
  Id: string;
  Name: string;
  State: { Status: string; Running: boolean; Error?: string };
  NetworkSettings: { Networks: InspectNetworks };
}

/** The daemon answered that the container (or exec) does not exist. */
export function isNotFound(err: unknown): boolean {
  return err instanceof DockerApiError && err.statusCode === 404;
}

export interface ExecOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** DOCKER_HOST's socket when it names one, else the daemon's default. */
function socketPath(): string {
  const host = process.env.DOCKER_HOST;
  if (host?.startsWith('unix://')) return host.slice('unix://'.length);
  if (host) throw new DockerApiError(`DOCKER_HOST=${host}: only a unix:// socket is supported here`, 0);
  return '/var/run/docker.sock';
}

function request(method: string, path: string, body?: unknown, stream = false, timeoutMs?: number): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        socketPath: socketPath(),
        method,
        path,
        headers: payload === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
        // The daemon takes over an exec's connection and closes it at the end: never a pooled one.
        ...(stream ? { agent: false } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (timeoutMs !== undefined) req.setTimeout(timeoutMs, () => req.destroy(new DockerApiError(`docker API ${method} ${path}: no end in ${timeoutMs / 1000} s`, 0)));
    req.end(payload);
  });
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const r = await request(method, path, body);
  if (r.status < 200 || r.status > 299) {
    let why = r.body.toString().trim();
    try {
      why = (JSON.parse(why) as { message?: string }).message ?? why;
    } catch {
      // Not JSON: the raw text is the message.
    }
    throw new DockerApiError(`docker API ${method} ${path}: ${r.status} ${why}`, r.status);
  }
  return (r.body.length > 0 ? JSON.parse(r.body.toString()) : undefined) as T;
}

/** The container named (or with id) `container`; a DockerApiError with statusCode 404 when there is none. */
export function inspectContainer(container: string): Promise<ContainerInspect> {
  return call<ContainerInspect>('GET', `/containers/${encodeURIComponent(container)}/json`);
}

/** Removes the container (running or not, with its anonymous volumes); absent is fine. */
export async function removeContainer(container: string): Promise<void> {
  try {
    await call<void>('DELETE', `/containers/${encodeURIComponent(container)}?force=true&v=true`);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/**
 * Runs `command` in the running container and returns its exit code and output; a non-zero
 * exit is returned, not thrown. `timeoutMs` bounds the wait for its output (the process is
 * not killed: the daemon has no call for that).
 */
export async function execIn(container: string, command: readonly string[], opts: { timeoutMs?: number } = {}): Promise<ExecOutput> {
  const { Id } = await call<{ Id: string }>('POST', `/containers/${encodeURIComponent(container)}/exec`, { AttachStdout: true, AttachStderr: true, Cmd: command });
  const started = await request('POST', `/exec/${Id}/start`, { Detach: false, Tty: false }, true, opts.timeoutMs);
  if (started.status !== 200) throw new DockerApiError(`docker API exec start in ${container}: ${started.status} ${started.body.toString().trim()}`, started.status);
  const out = demux(started.body);
  // The output ends when the process does; its exit code may show a moment later.
  for (let i = 0; ; i++) {
    const e = await call<{ Running: boolean; ExitCode: number | null }>('GET', `/exec/${Id}/json`);
    if (!e.Running && e.ExitCode !== null) return { exitCode: e.ExitCode, ...out };
    if (i >= 50) throw new DockerApiError(`docker API exec in ${container}: no exit code 5 s after its output ended`, 0);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Splits an exec's multiplexed stream: frames of an 8-byte header (stream 1 stdout, 2 stderr;
 * bytes 4–7 the payload's length, big-endian) and the payload.
 */
export function demux(buf: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  for (let at = 0; at + 8 <= buf.length; ) {
    const size = buf.readUInt32BE(at + 4);
    const payload = buf.subarray(at + 8, at + 8 + size);
    (buf[at] === 2 ? err : out).push(payload);
    at += 8 + size;
  }
  return { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}
