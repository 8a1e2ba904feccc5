import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestModule, TestSpecification } from 'vitest/node';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { serialPhaseOf } from './schedule.ts';
import { SerialBarrier, serialBarrierFile, waitForSerialBarrier, type SerialBarrierPlace } from './serial-barrier.ts';

let dir = '';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v6e2e-barrier-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const ROOT = '/r';
const spec = (file: string) => ({ moduleId: `${ROOT}/${file}` }) as TestSpecification;
const ended = (file: string) => ({ moduleId: `${ROOT}/${file}` }) as TestModule;
const barrier = (place: SerialBarrierPlace) => new SerialBarrier(place, (id) => serialPhaseOf(path.relative(ROOT, id)));
const open = (place: SerialBarrierPlace, phase: 1 | 2) => fs.existsSync(serialBarrierFile(place, phase));

test('the files of a run fall in three phases: checks, serial files, serial files holding every resource', () => {
  expect(serialPhaseOf('suites/dns/records.test.ts')).toBe(0);
  expect(serialPhaseOf('suites/mtu/faults.test.ts')).toBe(0);
  expect(serialPhaseOf('suites/dns64/disruptive.test.ts')).toBe(1);
  expect(serialPhaseOf('suites/loadbalancer/disruptive.test.ts')).toBe(1);
  expect(serialPhaseOf('suites/connectivity/disruptive.test.ts')).toBe(2);
});

test('each phase opens when the phases before it have ended, not before; the run end removes the barriers', async () => {
  const place = { dir, runId: 'run-a' };
  const b = barrier(place);
  b.onTestRunStart(['suites/dns/records.test.ts', 'suites/nat64/disruptive.test.ts', 'suites/mtu/faults.test.ts', 'suites/connectivity/disruptive.test.ts'].map(spec));
  const waiting = waitForSerialBarrier(serialBarrierFile(place, 1), { timeoutMs: 5_000, pollMs: 10 });
  let passed = false;
  void waiting.then(() => (passed = true));
  b.onTestModuleEnd(ended('suites/mtu/faults.test.ts'));
  await new Promise((r) => setTimeout(r, 50));
  expect(passed).toBe(false);
  expect(open(place, 1)).toBe(false);
  b.onTestModuleEnd(ended('suites/dns/records.test.ts'));
  await waiting;
  expect(open(place, 2)).toBe(false);
  b.onTestModuleEnd(ended('suites/nat64/disruptive.test.ts'));
  expect(open(place, 2)).toBe(true);
  b.onTestRunEnd();
  expect([open(place, 1), open(place, 2)]).toEqual([false, false]);
});

test('a phase with nothing before it opens at once; a run without serial files writes nothing', async () => {
  const only = { dir, runId: 'run-b' };
  barrier(only).onTestRunStart([spec('suites/connectivity/disruptive.test.ts')]);
  await waitForSerialBarrier(serialBarrierFile(only, 2), { timeoutMs: 100 });
  const none = { dir, runId: 'run-c' };
  const b = barrier(none);
  b.onTestRunStart([spec('lib/net/family.test.ts')]);
  b.onTestModuleEnd(ended('lib/net/family.test.ts'));
  expect(fs.readdirSync(dir).filter((n) => n.startsWith('run-c.'))).toEqual([]);
});

test('a barrier that never opens fails the wait, naming the file', async () => {
  await expect(waitForSerialBarrier(serialBarrierFile({ dir, runId: 'run-d' }, 1), { timeoutMs: 50, pollMs: 10 })).rejects.toThrow(
    /had not all ended after 0 s \(no .*run-d\.serial-phase-1\)/,
  );
});
