import type { TestSpecification, Vitest } from 'vitest/node';
import { expect, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { durationsFile, readDurations, recordDurations } from './durations.ts';
import { SerialGroupSequencer } from './sequencer.ts';

const project = { name: 'e2e', config: { sequence: { groupOrder: 0 }, isolate: false } };
const spec = (file: string) => ({ moduleId: `/r/${file}`, project }) as unknown as TestSpecification;
// No cached durations: vitest keeps the given order among files it knows nothing of.
const ctx = { config: { root: '/r' }, cache: { getFileTestResults: () => undefined, getFileStats: () => undefined } } as unknown as Vitest;

test('files of checks first, then the serial files in their barriers\' phases, those that start while namespaces go first', async () => {
  const files = [
    'suites/connectivity/disruptive.test.ts',
    'suites/loadbalancer/disruptive.test.ts',
    'suites/dns/records.test.ts',
    'suites/nat64/disruptive.test.ts',
    'suites/mtu/faults.test.ts',
    'suites/dns64/disruptive.test.ts',
  ];
  const sequencer = new SerialGroupSequencer(ctx);
  sequencer.durations = () => path.join(os.tmpdir(), 'v6e2e-no-durations', 'checks.json'); // none recorded
  const sorted = await sequencer.sort(files.map(spec));
  expect(sorted.map((s) => s.moduleId.slice('/r/'.length))).toEqual([
    'suites/dns/records.test.ts',
    'suites/mtu/faults.test.ts',
    'suites/nat64/disruptive.test.ts',
    'suites/dns64/disruptive.test.ts',
    'suites/loadbalancer/disruptive.test.ts',
    'suites/connectivity/disruptive.test.ts',
  ]);
});

test('longest first by the durations recorded for the run\'s mode; files with none first, in vitest\'s order', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'v6e2e-seq-'));
  try {
    const file = durationsFile('self-test', dir);
    recordDurations(file, [
      { file: 'suites/dns/records.test.ts', durationMs: 9_000 },
      { file: 'suites/services/faults.test.ts', durationMs: 80_000 },
      { file: 'suites/nat64/disruptive.test.ts', durationMs: 30_000 },
    ]);
    recordDurations(file, [{ file: 'suites/mtu/faults.test.ts', durationMs: 50_000 }]);
    const sequencer = new SerialGroupSequencer(ctx);
    sequencer.durations = () => file;
    const files = ['suites/dns/records.test.ts', 'suites/nat64/disruptive.test.ts', 'suites/mtu/faults.test.ts', 'suites/guestbook/guestbook.test.ts', 'suites/services/faults.test.ts'];
    const sorted = await sequencer.sort(files.map(spec));
    expect(sorted.map((s) => s.moduleId.slice('/r/'.length))).toEqual([
      'suites/guestbook/guestbook.test.ts',
      'suites/services/faults.test.ts',
      'suites/mtu/faults.test.ts',
      'suites/dns/records.test.ts',
      'suites/nat64/disruptive.test.ts',
    ]);
    expect(readDurations(durationsFile('checks', dir))).toEqual({});
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
