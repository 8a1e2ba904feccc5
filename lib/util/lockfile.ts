/**
 * Lock files shared by v6e2e processes (the engine lock, the serial group's locks): a file
 * created exclusively (O_EXCL, atomic across processes) holding its holder's pid. A holder
 * killed with SIGKILL cannot release it; its lock is stale and may be taken over.
 */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';

/** A lock file being written (no pid yet) is taken as held for this long. */
const UNWRITTEN_GRACE_MS = 5_000;

export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, owned by someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock's holder is gone (killed while holding it): the lock may be taken over. */
function stale(file: string): boolean {
  try {
    const text = readFileSync(file, 'utf8').trim();
    if (text === '') return Date.now() - statSync(file).mtimeMs > UNWRITTEN_GRACE_MS;
    return !processAlive(Number(text));
  } catch {
    return false; // gone meanwhile: the next attempt takes it
  }
}

/** One attempt at `file`: true when this process now holds it; a stale lock is removed for the next attempt. */
export function tryLockFile(file: string): boolean {
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (stale(file)) rmSync(file, { force: true });
  return false;
}

/** The pid written in a lock file, '?' when there is none (or the file went). */
function lockHolder(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim() || '?';
  } catch {
    return '?';
  }
}

/**
 * Takes `file`, polling while a live process holds it; past `timeoutMs` throws what
 * `heldError` makes of the holder's pid.
 */
export async function waitForLockFile(file: string, opts: { timeoutMs: number; pollMs: number; heldError: (holder: string) => Error }): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  while (!tryLockFile(file)) {
    if (Date.now() > deadline) throw opts.heldError(lockHolder(file));
    await new Promise((r) => setTimeout(r, opts.pollMs));
  }
}
