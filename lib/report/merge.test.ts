import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseProperties } from './environment.ts';
import { parseGate } from './gate.ts';
import { concatAllureResults, ensureOutDir, mergeReportDirs, writeMerged } from './merge.ts';
import { readSummaries, tally, writeSummaryJson, type CheckResult, type RunSummary } from './summary.ts';

// Made when the tests start, not when vitest only collects them (`vitest list` ran no afterAll).
let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'v6e2e-merge-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const c = (id: string, status: CheckResult['status'], over: Partial<CheckResult> = {}): CheckResult => ({
  id,
  suite: id.split('/')[0] ?? 'x',
  family: 'IPv6',
  status,
  durationMs: 5,
  retries: 0,
  ...over,
});

function reportDir(name: string, summary: RunSummary, allure: Record<string, string> = {}): string {
  const d = path.join(root, name);
  writeSummaryJson(d, summary);
  fs.mkdirSync(path.join(d, 'allure-results'), { recursive: true });
  for (const [f, text] of Object.entries(allure)) fs.writeFileSync(path.join(d, 'allure-results', f), text);
  return d;
}
const run = (profile: string, checks: CheckResult[]): RunSummary => ({
  profile,
  kubernetesVersion: 'v1.34.4',
  startedAt: '2026-11-22T10:00:00.000Z',
  durationMs: 1000,
  totals: tally(checks),
  checks,
});

let a: string;
let b: string;
let v6: string;
beforeAll(() => {
  a = reportDir('shard-a', run('dual', [c('af/a', 'passed'), c('af/b', 'failed', { message: 'b broke' })]), {
    'aaa-result.json': '{"name":"a"}',
    'aaa-attachment.txt': 'evidence',
    'environment.properties': 'profile=dual\ncni=kindnet\n',
  });
  b = reportDir('shard-b', run('dual', [c('cn/x', 'passed')]), {
    'bbb-result.json': '{"name":"x"}',
    'environment.properties': 'profile=dual\ncni=kindnet\nkubernetes.version=v1.34.4\n',
  });
  v6 = reportDir('ipv6', run('ipv6', [c('cn/x', 'failed', { gating: false, message: 'warn only' })]), {
    'ccc-result.json': '{"name":"x6"}',
    'environment.properties': 'profile=ipv6\n',
  });
});

describe('mergeReportDirs', () => {
  test('exit 1 when a gating check failed, per-profile summaries', () => {
    const m = mergeReportDirs({ dirs: [a, b, v6] });
    expect(m.exitCode).toBe(1);
    expect(m.summaries.map((s) => [s.profile, s.checks.length])).toEqual([
      ['dual', 3],
      ['ipv6', 1],
    ]);
  });
  test('exit 0 when only non-gating checks failed', () => {
    expect(mergeReportDirs({ dirs: [b, v6] }).exitCode).toBe(0);
  });
  test('--gate re-gates the merged checks', () => {
    const gate = parseGate('cn/*\n', 'g.txt');
    const m = mergeReportDirs({ dirs: [a, v6], gate });
    expect(m.summaries[0]?.checks.find((x) => x.id === 'af/b')?.gating).toBe(false);
    expect(m.summaries[1]?.checks[0]?.gating).toBeUndefined(); // listed now: gates
    expect(m.exitCode).toBe(1);
    expect(mergeReportDirs({ dirs: [a], gate }).exitCode).toBe(0);
  });
  test('bad input: missing dir, a file, no summary.json → one-line usage errors', () => {
    expect(() => mergeReportDirs({ dirs: [path.join(root, 'nope')] })).toThrow(/report dir .*nope does not exist \(ENOENT\)/);
    const file = path.join(root, 'a-file');
    fs.writeFileSync(file, '');
    expect(() => mergeReportDirs({ dirs: [file] })).toThrow(/is not a directory/);
    const empty = path.join(root, 'empty');
    fs.mkdirSync(empty);
    expect(() => mergeReportDirs({ dirs: [a, empty] })).toThrow(/cannot read .*empty\/summary\.json \(ENOENT\)/);
    expect(() => mergeReportDirs({ dirs: [] })).toThrow(/at least one report directory/);
  });
  test('unwritable --out', () => {
    const file = path.join(root, 'blocker');
    fs.writeFileSync(file, '');
    expect(() => ensureOutDir(path.join(file, 'out'))).toThrow(/--out .*blocker\/out is not writable \(ENOTDIR\)/);
  });
});

describe('writeMerged', () => {
  test('summary.json/md, junit.xml and concatenated allure-results', () => {
    const out = path.join(root, 'merged');
    const m = mergeReportDirs({ dirs: [a, b, v6] });
    const { allure } = writeMerged(m, [a, b, v6], ensureOutDir(out));
    expect(allure).toEqual({ files: 4, skipped: 0 });
    expect(fs.readdirSync(path.join(out, 'allure-results')).sort()).toEqual([
      'aaa-attachment.txt',
      'aaa-result.json',
      'bbb-result.json',
      'ccc-result.json',
      'environment.properties',
    ]);
    expect(parseProperties(fs.readFileSync(path.join(out, 'allure-results', 'environment.properties'), 'utf8'))).toEqual({
      profile: 'dual, ipv6',
      cni: 'kindnet',
      'kubernetes.version': 'v1.34.4',
    });
    expect(readSummaries(out).map((s) => s.profile)).toEqual(['dual', 'ipv6']);
    expect(fs.readFileSync(path.join(out, 'summary.md'), 'utf8')).toMatch(/^## ❌ v6e2e: checks failed \(1 of 4\)/);
    const junit = fs.readFileSync(path.join(out, 'junit.xml'), 'utf8');
    expect(junit).toContain('<testsuites name="v6e2e" tests="4" failures="2"');
    expect(junit).toContain('name="v6e2e.ipv6.cn"');
    // merging again (e.g. a re-run of the merge job) neither duplicates nor fails
    expect(concatAllureResults([a, b, v6], out)).toEqual({ files: 0, skipped: 4 });
    // a merged dir is itself valid input
    expect(mergeReportDirs({ dirs: [out] }).summaries).toHaveLength(2);
  });
});
