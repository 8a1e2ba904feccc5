/**
 * The one way lib runs the docker CLI. `docker()` throws an EnvironmentError that
 * names the command, docker's own last words and what to do; `dockerTry()` hands a
 * non-zero exit back to callers for whom it is an answer (inspect of something
 * absent, rm of something already gone). Both throw when docker cannot be run at all.
 */
import { execa } from 'execa';
import { EnvironmentError } from './errors.ts';

export interface DockerOptions {
  /** Written to docker's stdin (`docker exec -i … sh -c 'cat > f'`). */
  input?: string;
  /** Milliseconds; past it docker is killed and the result has no exit code. */
  timeout?: number;
  /** Extra environment for the docker CLI (DOCKER_BUILDKIT). */
  env?: Record<string, string>;
  /** What to do when the command fails; default: check the engine. */
  hint?: string;
}

export interface DockerResult {
  /** undefined when docker was killed (timeout). */
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as docker wrote them (`docker logs` writes to both). */
  all: string;
}

const ENGINE_HINT = 'check that the Docker engine answers (`docker info`; `sudo npx v6e2e lab setup` starts one)';

/** `docker network create --subnet 100.64.1.0/24 …`: enough of the command to recognise it, never a whole script. */
export function describeDocker(args: readonly string[]): string {
  const shown = args.slice(0, 6).map((a) => (a.length > 60 ? `${a.slice(0, 57)}...` : a.replace(/\n/g, ' ')));
  return `docker ${shown.join(' ')}${args.length > 6 ? ' …' : ''}`;
}

/** Runs docker; a non-zero exit (or a timeout) is returned, not thrown. */
export async function dockerTry(args: readonly string[], opts: DockerOptions = {}): Promise<DockerResult> {
  const r = await execa('docker', args, {
    reject: false,
    all: true,
    ...(opts.input !== undefined ? { input: opts.input } : {}),
    ...(opts.timeout !== undefined ? { timeout: opts.timeout } : {}),
    ...(opts.env !== undefined ? { env: opts.env } : {}),
  });
  // No exit code and not killed: the docker binary itself could not be started.
  if (r.exitCode === undefined && !r.isTerminated) {
    throw new EnvironmentError(`cannot run ${describeDocker(args)} (${r.code ?? r.shortMessage}); install Docker (\`sudo npx v6e2e lab setup\` does)`);
  }
  return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, all: r.all ?? '' };
}

/** Runs docker; any failure is an EnvironmentError naming the command, its stderr tail and what to do. */
export async function docker(args: readonly string[], opts: DockerOptions = {}): Promise<DockerResult> {
  const r = await dockerTry(args, opts);
  if (r.exitCode !== 0) throw dockerFailed(args, r, opts.hint);
  return r;
}

/** The error for a docker command that ran and failed (for callers of dockerTry that still want to throw). */
export function dockerFailed(args: readonly string[], r: DockerResult, hint = ENGINE_HINT): EnvironmentError {
  const how = r.exitCode === undefined ? 'timed out' : `failed (exit ${r.exitCode})`;
  const tail = r.stderr.trim().split('\n').slice(-8).join('\n');
  return new EnvironmentError(`${describeDocker(args)} ${how}; ${hint}${tail ? `\n${tail}` : ''}`);
}
