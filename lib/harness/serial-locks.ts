/**
 * The serial group's files run in the e2e workers, several at once; each holds, while it
 * runs, a lock on every shared resource its faults change or its checks depend on
 * (schedule.ts serialResourcesOf). Files that share one run one after another, the
 * others side by side; a file may also hold one for some steps only (holdDuring). Each lock
 * is a lock file (lib/util/lockfile.ts), one per run and resource.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LAB_DIR } from '../lab/paths.ts';
import { stepResourcesOf, type SerialResource } from './schedule.ts';
import { waitForLockFile } from '../util/lockfile.ts';

/** Where a run's serial locks live: the lab cache, so an interrupted run leaves nothing in /tmp. */
export function serialLockDir(): string {
  return path.join(LAB_DIR, 'locks');
}

export interface HeldLocks {
  /** Removes every lock held; safe to call twice. */
  release(): void;
}

export interface LockOptions {
  /** Where lock files live (one per run and resource). */
  dir: string;
  /** Locks of different runs never meet: a run's id is part of each name. */
  runId: string;
  pollMs?: number;
  timeoutMs?: number;
}

const lockPath = (o: LockOptions, resource: string) => path.join(o.dir, `${o.runId}.${resource}.lock`);

/**
 * Takes the locks of `resources`, in one fixed order (no two files wait on each other),
 * waiting for each while another file holds it.
 */
export async function acquireLocks(resources: readonly string[], o: LockOptions): Promise<HeldLocks> {
  fs.mkdirSync(o.dir, { recursive: true });
  const held: string[] = [];
  const release = () => {
    for (const f of held.splice(0)) fs.rmSync(f, { force: true });
  };
  const timeoutMs = o.timeoutMs ?? 300_000;
  const deadline = Date.now() + timeoutMs;
  try {
    for (const r of [...new Set(resources)].sort()) {
      const file = lockPath(o, r);
      await waitForLockFile(file, {
        timeoutMs: Math.max(0, deadline - Date.now()),
        pollMs: o.pollMs ?? 250,
        heldError: (holder) => new Error(`serial lock on ${r} still held by process ${holder} after ${Math.round(timeoutMs / 1000)} s (${file})`),
      });
      held.push(file);
    }
  } catch (err) {
    release();
    throw err;
  }
  return { release };
}

/** Removes a run's files here, its locks and phase barriers (its end, or after an interrupted run's workers were killed). */
export function removeRunLocks(dir: string, runId: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) if (n.startsWith(`${runId}.`)) fs.rmSync(path.join(dir, n), { force: true });
}

/**
 * Holds `resource` around `fn`, inside a serial file that holds its own locks: for a step
 * that needs it (schedule.ts stepResourcesOf `file` must list it, so the declaration and
 * the use cannot part).
 */
export async function holdDuring<T>(file: string, resource: SerialResource, o: LockOptions, fn: () => Promise<T>): Promise<T> {
  if (!stepResourcesOf(file).includes(resource)) throw new Error(`${file} takes ${resource} for a step without declaring it: add it to STEP_RESOURCES in lib/harness/schedule.ts`);
  const held = await acquireLocks([resource], o);
  try {
    return await fn();
  } finally {
    held.release();
  }
}
