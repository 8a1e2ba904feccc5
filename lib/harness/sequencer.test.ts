import type { TestSpecification, Vitest } from 'vitest/node';
import { expect, test } from 'vitest';
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
  const sorted = await new SerialGroupSequencer(ctx, false).sort(files.map(spec));
  expect(sorted.map((s) => s.moduleId.slice('/r/'.length))).toEqual([
    'suites/dns/records.test.ts',
    'suites/mtu/faults.test.ts',
    'suites/nat64/disruptive.test.ts',
    'suites/dns64/disruptive.test.ts',
    'suites/loadbalancer/disruptive.test.ts',
    'suites/connectivity/disruptive.test.ts',
  ]);
});

test('a self-test run starts the fault files first, then the files of checks; a run of checks starts them last', async () => {
  const files = ['suites/dns/records.test.ts', 'suites/services/edge-faults.test.ts', 'suites/nat64/disruptive.test.ts', 'suites/mtu/faults.test.ts', 'suites/mtu/payloads.test.ts'];
  const order = async (selfTest: boolean) => (await new SerialGroupSequencer(ctx, selfTest).sort(files.map(spec))).map((s) => s.moduleId.slice('/r/'.length));
  expect(await order(true)).toEqual(['suites/services/edge-faults.test.ts', 'suites/mtu/faults.test.ts', 'suites/dns/records.test.ts', 'suites/mtu/payloads.test.ts', 'suites/nat64/disruptive.test.ts']);
  expect(await order(false)).toEqual(['suites/dns/records.test.ts', 'suites/mtu/payloads.test.ts', 'suites/services/edge-faults.test.ts', 'suites/mtu/faults.test.ts', 'suites/nat64/disruptive.test.ts']);
});

test('files of checks that wait for a rollout start after the other files of checks', async () => {
  const files = ['suites/guestbook/guestbook.test.ts', 'suites/guestbook/faults.test.ts', 'suites/dns/records.test.ts', 'suites/mtu/payloads.test.ts'];
  const order = async (selfTest: boolean) => (await new SerialGroupSequencer(ctx, selfTest).sort(files.map(spec))).map((s) => s.moduleId.slice('/r/'.length));
  expect(await order(false)).toEqual(['suites/dns/records.test.ts', 'suites/mtu/payloads.test.ts', 'suites/guestbook/guestbook.test.ts', 'suites/guestbook/faults.test.ts']);
  expect(await order(true)).toEqual(['suites/guestbook/faults.test.ts', 'suites/dns/records.test.ts', 'suites/mtu/payloads.test.ts', 'suites/guestbook/guestbook.test.ts']);
});
