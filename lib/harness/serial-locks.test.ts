import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { acquireLocks, removeRunLocks } from './serial-locks.ts';
import { holdsEverySerialResource, serialResourcesOf } from './schedule.ts';

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

test('what each disruptive file holds: dns64 and nat64 share CoreDNS, the LoadBalancer faults only the pool, others everything', () => {
  expect(serialResourcesOf('suites/dns64/disruptive.test.ts')).toEqual(['coredns']);
  expect(serialResourcesOf('suites/nat64/disruptive.test.ts')).toEqual(['coredns', 'nat64-edge']);
  expect(serialResourcesOf('suites/loadbalancer/disruptive.test.ts')).toEqual(['metallb']);
  expect(serialResourcesOf('suites/connectivity/disruptive.test.ts')).toEqual(['coredns', 'nat64-edge', 'metallb']);
  // It is started last, so the pool faults are not queued behind its wait for everything.
  expect(holdsEverySerialResource('suites/connectivity/disruptive.test.ts')).toBe(true);
  expect(holdsEverySerialResource('suites/loadbalancer/disruptive.test.ts')).toBe(false);
});
