import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { inFlight, markInFlight, withEngineLock, type EngineLockPaths } from './engine-lock.ts';

let dir: string;
let paths: EngineLockPaths;
/** A pid no process has (above the default pid_max). */
const DEAD_PID = 4_999_999;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'v6e2e-engine-lock-'));
  paths = { lock: path.join(dir, 'lock'), marks: path.join(dir, 'in-flight') };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('withEngineLock', () => {
  test('one holder at a time; the next waits, and the lock is gone after', async () => {
    const order: string[] = [];
    const hold = (who: string, ms: number) =>
      withEngineLock(async () => {
        order.push(`${who} in`);
        await new Promise((r) => setTimeout(r, ms));
        order.push(`${who} out`);
      }, { paths });
    await Promise.all([hold('a', 150), hold('b', 10)]);
    expect(order).toEqual(['a in', 'a out', 'b in', 'b out']);
    expect(existsSync(paths.lock)).toBe(false);
  });

  test('released when the body throws', async () => {
    await expect(withEngineLock(() => Promise.reject(new Error('boom')), { paths })).rejects.toThrow('boom');
    expect(existsSync(paths.lock)).toBe(false);
  });

  test('a lock whose holder died is taken over', async () => {
    writeFileSync(paths.lock, String(DEAD_PID));
    await expect(withEngineLock(async () => 'mine', { paths, timeoutMs: 2_000 })).resolves.toBe('mine');
  });

  test('a live holder that never releases: a one-line error naming the file and pid', async () => {
    writeFileSync(paths.lock, String(process.ppid));
    await expect(withEngineLock(async () => 'never', { paths, timeoutMs: 300 })).rejects.toThrow(
      new RegExp(`engine lock ${paths.lock} is held by pid ${process.ppid}; if no v6e2e runs, remove the file`),
    );
  });
});

describe('in-flight marks', () => {
  test('a live mark counts until released; a dead process\'s mark does not and is removed', async () => {
    const release = await markInFlight('v6e2e-a', 'create', paths);
    mkdirSync(paths.marks, { recursive: true });
    writeFileSync(path.join(paths.marks, `v6e2e-b.delete.${DEAD_PID}`), '');
    expect(inFlight(paths)).toEqual(['v6e2e-a.create']);
    expect(existsSync(path.join(paths.marks, `v6e2e-b.delete.${DEAD_PID}`))).toBe(false);
    release();
    expect(inFlight(paths)).toEqual([]);
  });

  test('no marks directory: nothing in flight', () => {
    expect(inFlight(paths)).toEqual([]);
  });
});
