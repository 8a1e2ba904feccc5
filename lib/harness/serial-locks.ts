/**
 * The serial group runs in two worker processes; each disruptive file holds, while it
 * runs, a lock on every shared resource its faults change or its checks depend on
 * (schedule.ts serialResourcesOf). Files that share one run one after another, the
 * others side by side. A lock is a file created exclusively (O_EXCL: atomic across
 * processes) holding its holder's pid; a holder that died leaves a stale lock, taken over.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LAB_DIR } from '../lab/paths.ts';

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

function holderAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One attempt: true when taken; a lock whose holder process is gone is removed and retried. */
function tryTake(file: string): boolean {
  try {
    fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return false; // released meanwhile: the next attempt takes it
  }
  const pid = Number(text.trim() || NaN);
  // An empty file is a holder between create and write: held.
  if (Number.isInteger(pid) && pid !== process.pid && !holderAlive(pid)) fs.rmSync(file, { force: true });
  return false;
}

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
  const deadline = Date.now() + (o.timeoutMs ?? 300_000);
  try {
    for (const r of [...new Set(resources)].sort()) {
      const file = lockPath(o, r);
      while (!tryTake(file)) {
        if (Date.now() > deadline) {
          const holder = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
          throw new Error(`serial lock on ${r} still held by process ${holder || '?'} after ${Math.round((o.timeoutMs ?? 300_000) / 1000)} s (${file})`);
        }
        await new Promise((res) => setTimeout(res, o.pollMs ?? 250));
      }
      held.push(file);
    }
  } catch (err) {
    release();
    throw err;
  }
  return { release };
}

/** Removes a run's lock files (its end, or after an interrupted run's workers were killed). */
export function removeRunLocks(dir: string, runId: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) if (n.startsWith(`${runId}.`) && n.endsWith('.lock')) fs.rmSync(path.join(dir, n), { force: true });
}
