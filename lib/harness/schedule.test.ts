import { expect, test } from 'vitest';
import { declared } from './check.ts';
import { concurrentFilesGone, durationsCacheDir, isFaultFile, isSerialFile, startsWhileConcurrentFilesGo, workersPerProfile } from './schedule.ts';
import { decodeSettings, encodeSettings, settings } from './settings.ts';

test('the serial group starts one wait for the concurrent files; dns64 and nat64 run meanwhile, the others wait', async () => {
  let started = 0;
  const wait = () => {
    started++;
    return Promise.resolve();
  };
  const first = concurrentFilesGone(wait);
  expect(concurrentFilesGone(wait)).toBe(first);
  await first;
  expect(started).toBe(1);
  expect(startsWhileConcurrentFilesGo('suites/dns64/disruptive.test.ts')).toMatch(/probe fleet/);
  expect(startsWhileConcurrentFilesGo('suites/nat64/disruptive.test.ts')).toMatch(/probe fleet/);
  expect(startsWhileConcurrentFilesGo('suites/loadbalancer/disruptive.test.ts')).toBeUndefined();
  expect(startsWhileConcurrentFilesGo('suites/connectivity/disruptive.test.ts')).toBeUndefined();
});

test('only disruptive.test.ts files run serially; fault files and files of checks do not', () => {
  expect(isSerialFile('/r/suites/nat64/disruptive.test.ts')).toBe(true);
  expect(isSerialFile('/r/suites/nat64/faults.test.ts')).toBe(false);
  expect(isSerialFile('/r/suites/connectivity/cni-faults.test.ts')).toBe(false);
  expect(isSerialFile('/r/suites/nat64/nat64.test.ts')).toBe(false);
  expect(isSerialFile('/r/suites/x/nodisruptive.test.ts')).toBe(false);
});

test('faults.test.ts and <x>-faults.test.ts hold fault tests only: a check declared there fails at declaration', () => {
  expect(isFaultFile('/r/suites/dns/faults.test.ts')).toBe(true);
  expect(isFaultFile('/r/suites/services/edge-faults.test.ts')).toBe(true);
  expect(isFaultFile('/r/suites/x/nofaults.test.ts')).toBe(false);
  expect(isFaultFile('/r/suites/dns/records.test.ts')).toBe(false);
  const decl = { id: 'dns/x/a-record', family: 'IPv6' as const, title: 'a record' };
  expect(() => declared(decl, '/r/suites/dns/faults.test.ts')).toThrow(/dns\/x\/a-record is declared in faults\.test\.ts, which holds fault tests only/);
  expect(declared({ ...decl, kind: 'fault' }, '/r/suites/dns/faults.test.ts').kind).toBe('fault');
  expect(declared(decl, '/r/suites/dns/records.test.ts').kind).toBe('check');
});

test('a disruptive check outside disruptive.test.ts fails at declaration, naming where it belongs', () => {
  const decl = { id: 'nat64/x/stop-the-translator', family: 'IPv6' as const, disruptive: true, title: 'stops the translator' };
  const where = /nat64\/x\/stop-the-translator is disruptive: declare it in suites\/nat64\/disruptive\.test\.ts/;
  expect(() => declared(decl, '/r/suites/nat64/nat64.test.ts')).toThrow(where);
  // A fault file is no exception any more: it runs with the concurrent files.
  expect(() => declared(decl, '/r/suites/nat64/faults.test.ts')).toThrow(where);
  expect(declared(decl, '/r/suites/nat64/disruptive.test.ts').disruptive).toBe(true);
  // The id keeps its describe segment wherever the check moves: only the suite is checked.
  expect(declared({ ...decl, id: 'nat64/nat64-faults/stop-the-translator' }, '/r/suites/nat64/disruptive.test.ts').id).toBe('nat64/nat64-faults/stop-the-translator');
});

test('concurrency travels in the settings and is validated', () => {
  const s = settings({ runId: 'r1', workers: 2 });
  expect(decodeSettings(encodeSettings(s)).workers).toBe(2);
  expect(decodeSettings({ V6E2E_CONCURRENCY: '4' }).workers).toBe(4);
  expect(decodeSettings({}).workers).toBeNull();
  expect(() => decodeSettings({ V6E2E_CONCURRENCY: '0' })).toThrow(/V6E2E_CONCURRENCY=0 must be a whole number ≥ 1/);
  expect(() => decodeSettings(encodeSettings({ ...s, workers: 1.5 }))).toThrow(/workers must be a whole number ≥ 1 or null/);
});

test('profiles at once share the default workers, at least 2 each', () => {
  expect(workersPerProfile(1)).toBe(6);
  expect(workersPerProfile(2)).toBe(3);
  expect(workersPerProfile(4)).toBe(2);
  // Self-tests get more files at once (their faults mostly wait): 8 alone, 4 each for two.
  expect(workersPerProfile(1, true)).toBe(8);
  expect(workersPerProfile(2, true)).toBe(4);
});

test('file durations are cached per kind of cluster and of run, one cache per Kubernetes tree', () => {
  expect(durationsCacheDir({ profile: 'ipv6', variant: null, kubeconfig: null, selfTest: true })).toBe('ipv6/self-test');
  expect(durationsCacheDir({ profile: 'ipv4', variant: null, kubeconfig: null, selfTest: false })).toBe('ipv4/checks');
  expect(durationsCacheDir({ profile: 'ipv6', variant: 'ipv6-nft-flannel', kubeconfig: null, selfTest: true })).toBe('ipv6-nft-flannel/self-test');
  expect(durationsCacheDir({ profile: 'dual', variant: 'dual-src1a2b3c', kubeconfig: null, selfTest: false })).toBe('dual-src/checks');
  expect(durationsCacheDir({ profile: 'dual', variant: 'dual-src1a2b3c-nft', kubeconfig: null, selfTest: false })).toBe('dual-src-nft/checks');
  expect(durationsCacheDir({ profile: null, variant: null, kubeconfig: '/k.yaml', selfTest: true })).toBe('kubeconfig/self-test');
  expect(durationsCacheDir({ profile: null, variant: null, kubeconfig: null, selfTest: false })).toBe('no-cluster/checks');
});
