import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { acquireLocks, holdDuring, removeRunLocks } from './serial-locks.ts';
import { declaredSerialFiles, holdsEverySerialResource, serialResourcesOf, stepResourcesOf } from './schedule.ts';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v6e2e-locks-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('files sharing a resource take turns; files sharing none do not wait', async () => {
  const o = { dir, runId: 'r1', pollMs: 10 };
  const dns64 = await acquireLocks(['coredns'], o);
  const lb = await acquireLocks(['metallb'], o);
  let natTook = false;
  const nat = acquireLocks(['nat64-edge', 'coredns'], o).then((l) => ((natTook = true), l));
  await new Promise((r) => setTimeout(r, 60));
  expect(natTook).toBe(false);
  dns64.release();
  (await nat).release();
  expect(natTook).toBe(true);
  lb.release();
  lb.release(); // twice is harmless
  expect(fs.readdirSync(dir)).toEqual([]);
});

test('a lock whose holder died is taken over; a live holder makes it time out, naming it', async () => {
  const o = { dir, runId: 'r2', pollMs: 10 };
  // No process has pid 2^22+1 (above Linux's pid_max limit).
  fs.writeFileSync(path.join(dir, 'r2.coredns.lock'), String(4_194_305));
  (await acquireLocks(['coredns'], o)).release();
  fs.writeFileSync(path.join(dir, 'r2.metallb.lock'), String(process.ppid));
  await expect(acquireLocks(['coredns', 'metallb'], { ...o, timeoutMs: 50 })).rejects.toThrow(
    new RegExp(`serial lock on metallb still held by process ${process.ppid} after 0 s`),
  );
  // The failed attempt let go of what it had taken (coredns, first in order).
  (await acquireLocks(['coredns'], { ...o, timeoutMs: 50 })).release();
  // An interrupted run's phase barrier goes with its locks; another run's stays.
  fs.writeFileSync(path.join(dir, 'r2.serial-phase-1'), '1\n');
  fs.writeFileSync(path.join(dir, 'r3.serial-phase-1'), '1\n');
  removeRunLocks(dir, 'r2');
  expect(fs.readdirSync(dir)).toEqual(['r3.serial-phase-1']);
  fs.rmSync(path.join(dir, 'r3.serial-phase-1'));
});

test('what each disruptive file holds: dns64 CoreDNS, nat64 the edge (CoreDNS for some steps), the LoadBalancer faults only the pool, others everything', () => {
  expect(serialResourcesOf('suites/dns64/disruptive.test.ts')).toEqual(['coredns']);
  expect(serialResourcesOf('suites/nat64/disruptive.test.ts')).toEqual(['nat64-edge']);
  expect(stepResourcesOf('suites/nat64/disruptive.test.ts')).toEqual(['coredns']);
  expect(stepResourcesOf('suites/dns64/disruptive.test.ts')).toEqual([]);
  expect(serialResourcesOf('suites/loadbalancer/disruptive.test.ts')).toEqual(['metallb']);
  expect(serialResourcesOf('suites/connectivity/disruptive.test.ts')).toEqual(['coredns', 'nat64-edge', 'metallb']);
  // It is started last, so the pool faults are not queued behind its wait for everything.
  expect(holdsEverySerialResource('suites/connectivity/disruptive.test.ts')).toBe(true);
  expect(holdsEverySerialResource('suites/loadbalancer/disruptive.test.ts')).toBe(false);
});

test('a step lock is out of the fixed order: every phase-1 file holding one file-wide holds nothing else', () => {
  const files = declaredSerialFiles();
  const stepped = new Set(files.flatMap((f) => stepResourcesOf(f)));
  for (const f of files) {
    const whole = serialResourcesOf(f);
    if (holdsEverySerialResource(f)) continue; // phase 2: starts after every phase-1 file has ended
    if (whole.some((r) => stepped.has(r))) expect(whole, f).toHaveLength(1);
    // A file never takes for a step what it already holds.
    expect(whole.filter((r) => stepResourcesOf(f).includes(r)), f).toEqual([]);
  }
});

test('holdDuring holds a declared step resource around its step, and refuses an undeclared one', async () => {
  const o = { dir, runId: 'step-run', pollMs: 10, timeoutMs: 2_000 };
  const nat64 = 'suites/nat64/disruptive.test.ts';
  const lock = path.join(dir, 'step-run.coredns.lock');
  let during = false;
  expect(await holdDuring(nat64, 'coredns', o, async () => ((during = fs.existsSync(lock)), 7))).toBe(7);
  expect(during).toBe(true);
  expect(fs.existsSync(lock)).toBe(false);
  // Released on a failed step too.
  await expect(holdDuring(nat64, 'coredns', o, () => Promise.reject(new Error('step failed')))).rejects.toThrow('step failed');
  expect(fs.existsSync(lock)).toBe(false);
  // A step waits while a file holds the resource.
  const dns64 = await acquireLocks(['coredns'], o);
  let entered = false;
  const step = holdDuring(nat64, 'coredns', o, async () => {
    entered = true;
  });
  await new Promise((r) => setTimeout(r, 100));
  expect(entered).toBe(false);
  dns64.release();
  await step;
  expect(entered).toBe(true);
  await expect(holdDuring('suites/dns64/disruptive.test.ts', 'nat64-edge', o, async () => 1)).rejects.toThrow(
    'suites/dns64/disruptive.test.ts takes nat64-edge for a step without declaring it: add it to STEP_RESOURCES in lib/harness/schedule.ts',
  );
});
