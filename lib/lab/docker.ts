import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { openSync } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { execa } from 'execa';
import { EnvironmentError } from '../util/errors.ts';
import type { Progress } from '../util/progress.ts';

/** Where the runtime wrapper is installed: a system path, so daemon.json survives the checkout. */
export const WRAPPER_PATH = '/usr/local/libexec/v6e2e/runc-wrapper';
export const WRAPPER_RUNTIME = 'v6e2e-runc';
const DAEMON_JSON = '/etc/docker/daemon.json';
const DOCKERD_LOG = '/var/log/v6e2e-dockerd.log';
/** Bit of CAP_SYS_RESOURCE in /proc/<pid>/status capability masks. */
const CAP_SYS_RESOURCE = 24n;

/** Whether an engine answers. Not through util/docker: here a missing docker binary is an answer (setup installs it). */
export async function dockerAnswers(): Promise<boolean> {
  const r = await execa('docker', ['info', '--format', '{{.ServerVersion}}'], { reject: false, timeout: 15_000 });
  return r.exitCode === 0 && r.stdout.trim() !== '';
}

/** The capability bounding set of this process, as a bit mask. */
export async function boundingSet(statusFile = '/proc/self/status'): Promise<bigint> {
  const text = await readFile(statusFile, 'utf8');
  const line = text.split('\n').find((l) => l.startsWith('CapBnd:'));
  if (!line) throw new EnvironmentError(`no CapBnd in ${statusFile}: not a Linux /proc; run the lab on Linux (or start Docker yourself and skip \`lab setup\`)`);
  return BigInt(`0x${line.slice('CapBnd:'.length).trim()}`);
}

export function lacksSysResource(mask: bigint): boolean {
  return (mask & (1n << CAP_SYS_RESOURCE)) === 0n;
}

/**
 * Makes sure a Docker engine answers. Where one already works (a laptop) it
 * changes nothing. Otherwise, as root only: installs Debian's docker.io if
 * dockerd is missing, installs the runtime wrapper when the bounding set lacks
 * CAP_SYS_RESOURCE, and starts dockerd in the background with a log file.
 */
export async function ensureDockerEngine(progress: Progress, wrapperBinary: string): Promise<void> {
  if (await dockerAnswers()) {
    await refreshInstalledWrapper(wrapperBinary);
    return;
  }
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) {
    throw new EnvironmentError(
      'no Docker engine answers and v6e2e is not root: start Docker (or run `sudo npx v6e2e lab setup`)',
    );
  }
  if (!(await hasCommand('dockerd'))) {
    await progress.step('install docker.io from Debian', async () => {
      await execa('apt-get', ['update'], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
      await execa('apt-get', ['install', '-y', '--no-install-recommends', 'docker.io'], {
        env: { DEBIAN_FRONTEND: 'noninteractive' },
      });
    });
  }
  if (lacksSysResource(await boundingSet())) {
    await progress.step('install OCI runtime wrapper (bounding set lacks CAP_SYS_RESOURCE)', async () => {
      await installWrapper(wrapperBinary);
      await configureDaemonRuntime();
    });
  }
  await progress.step('start dockerd', startDockerd);
}

async function hasCommand(cmd: string): Promise<boolean> {
  const r = await execa('sh', ['-c', `command -v ${cmd}`], { reject: false });
  return r.exitCode === 0;
}

async function installWrapper(wrapperBinary: string): Promise<void> {
  await mkdir(path.dirname(WRAPPER_PATH), { recursive: true });
  // Copy to a temporary name and rename: dockerd may be executing the old one.
  await copyFile(wrapperBinary, `${WRAPPER_PATH}.new`);
  await chmod(`${WRAPPER_PATH}.new`, 0o755);
  await rename(`${WRAPPER_PATH}.new`, WRAPPER_PATH);
}

/** A running engine that already uses our wrapper gets the current build of it (runtimes are exec'd per container). */
async function refreshInstalledWrapper(wrapperBinary: string): Promise<void> {
  if (!existsSync(WRAPPER_PATH) || process.getuid?.() !== 0) return;
  const [installed, built] = await Promise.all([readFile(WRAPPER_PATH), readFile(wrapperBinary)]);
  if (!installed.equals(built)) await installWrapper(wrapperBinary);
}

/** Merges the wrapper runtime into daemon.json and makes it the default. */
async function configureDaemonRuntime(): Promise<void> {
  let cfg: Record<string, unknown> = {};
  if (existsSync(DAEMON_JSON)) cfg = JSON.parse(await readFile(DAEMON_JSON, 'utf8')) as Record<string, unknown>;
  const runtimes = (cfg.runtimes as Record<string, unknown> | undefined) ?? {};
  runtimes[WRAPPER_RUNTIME] = { path: WRAPPER_PATH };
  cfg.runtimes = runtimes;
  cfg['default-runtime'] = WRAPPER_RUNTIME;
  await mkdir(path.dirname(DAEMON_JSON), { recursive: true });
  await writeFile(DAEMON_JSON, `${JSON.stringify(cfg, null, 2)}\n`);
}

async function startDockerd(): Promise<void> {
  const log = openSync(DOCKERD_LOG, 'a');
  // Detached with its own session: dockerd must outlive this CLI process.
  const child = spawn('dockerd', [], { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (await dockerAnswers()) return;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  // Only the error message's detail: an unreadable log leaves it out, the error is thrown either way.
  const tail = (await readFile(DOCKERD_LOG, 'utf8').catch(() => '')).split('\n').slice(-5).join(' | ');
  throw new EnvironmentError(`dockerd did not become ready within 90s; see ${DOCKERD_LOG}: ${tail}`);
}
