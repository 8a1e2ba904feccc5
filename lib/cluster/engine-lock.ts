/**
 * kind's shared `kind` network goes with the last kind cluster. Several v6e2e processes may
 * create and delete clusters at once (parallel profiles, CI steps side by side), so "is this
 * the last cluster?" is decided under one lock, counting the clusters being created or
 * deleted: a deletion never pulls the network from under a creation that has not made its
 * node containers yet, and of two deletions at once the later one removes it.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LAB_DIR } from '../lab/paths.ts';
import { EnvironmentError } from '../util/errors.ts';
import { processAlive, waitForLockFile } from '../util/lockfile.ts';

export type LifecycleOp = 'create' | 'delete';

export interface EngineLockPaths {
  lock: string;
  marks: string;
}

export const ENGINE_LOCK: EngineLockPaths = {
  lock: path.join(LAB_DIR, 'engine', 'lock'),
  marks: path.join(LAB_DIR, 'engine', 'in-flight'),
};

const POLL_MS = 100;

/** Runs `fn` holding the engine lock (one holder across every v6e2e process of this lab). */
export async function withEngineLock<T>(fn: () => Promise<T>, opts: { paths?: EngineLockPaths; timeoutMs?: number } = {}): Promise<T> {
  const { lock } = opts.paths ?? ENGINE_LOCK;
  mkdirSync(path.dirname(lock), { recursive: true });
  await waitForLockFile(lock, {
    timeoutMs: opts.timeoutMs ?? 120_000,
    pollMs: POLL_MS,
    heldError: (holder) => new EnvironmentError(`the lab's engine lock ${lock} is held by pid ${holder}; if no v6e2e runs, remove the file`),
  });
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

const markName = (cluster: string, op: LifecycleOp, pid: number) => `${cluster}.${op}.${pid}`;

/**
 * Marks cluster `cluster` as being created or deleted by this process, under the lock;
 * the returned function removes the mark (the caller decides whether under the lock).
 */
export async function markInFlight(cluster: string, op: LifecycleOp, paths: EngineLockPaths = ENGINE_LOCK): Promise<() => void> {
  const file = path.join(paths.marks, markName(cluster, op, process.pid));
  await withEngineLock(async () => {
    mkdirSync(paths.marks, { recursive: true });
    writeFileSync(file, '');
  }, { paths });
  return () => rmSync(file, { force: true });
}

/** Clusters some live process is creating or deleting now (`<cluster>.<op>`); call under the lock. */
export function inFlight(paths: EngineLockPaths = ENGINE_LOCK): string[] {
  let names: string[];
  try {
    names = readdirSync(paths.marks);
  } catch {
    return [];
  }
  const live: string[] = [];
  for (const n of names) {
    const m = /^(.+)\.(create|delete)\.(\d+)$/.exec(n);
    if (m && processAlive(Number(m[3]))) live.push(`${m[1]}.${m[2]}`);
    // A dead process's mark says nothing any more.
    else rmSync(path.join(paths.marks, n), { force: true });
  }
  return live.sort();
}
