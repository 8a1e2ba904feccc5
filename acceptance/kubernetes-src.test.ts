/**
 * Acceptance of `--kubernetes-src` (vitest project `kubernetes-src`), end to end:
 * a real-shaped Kubernetes 1.34 checkout assembled offline in a temporary git
 * repository (acceptance/support/kubernetes-tree.ts), then real `v6e2e` runs on
 * dual-stack lab clusters built from it:
 *
 *   1. unpatched: every suite it runs passes, and the report names the tree;
 *   2. a compile error → exit 3 with the compiler's lines; a tree of another minor → exit 2;
 *   3. kube-proxy patched to program NodePorts for IPv4 only → exit 1, the IPv6
 *      NodePort checks fail naming the node and IPv6, IPv4's pass; `report` of
 *      runs 1 and 3 lists exactly those checks as differences;
 *   4. kubelet patched to report node IPs IPv6 first → the node-address-preference
 *      and host-IP checks fail naming the node.
 *
 * The tree is never written to (git status, ignored files included, is the same
 * before and after every build). Timings go to <report dir>/timings.json.
 *
 *   npx vitest run --project kubernetes-src      (the lab must be set up)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readSummaries, type CheckResult, type RunSummary } from '../lib/report/summary.ts';
import { applyPatch, assembleKubernetesTree, git, resetTree } from './support/kubernetes-tree.ts';
import { removeOnSignal, type SignalCleanup } from './support/signal-cleanup.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const PATCHES = path.join(REPO_ROOT, 'fixtures', 'kubernetes-patches');
const OUT = path.resolve(process.env.V6E2E_REPORT_DIR ?? path.join(REPO_ROOT, 'reports', 'kubernetes-src'));
const BIN = path.join(REPO_ROOT, 'bin', 'v6e2e.js');
/** The suites whose checks the patches break: both for the unpatched and the kubelet run, nodeport for kube-proxy's. */
const SUITES = 'address-families,nodeport';

interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Ctrl-C: the run going on deletes its cluster, then the tree goes (afterAll does not run). */
let onSignal: SignalCleanup | undefined;

async function v6e2e(...args: string[]): Promise<CliRun> {
  const t0 = Date.now();
  const child = execa('node', [BIN, ...args], { cwd: REPO_ROOT, reject: false, all: false, env: { FORCE_COLOR: '0' }, cleanup: false });
  const r = await (onSignal?.track(child) ?? child);
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr, seconds: (Date.now() - t0) / 1000 };
}

const timings: Record<string, number> = {};
let tree = '';
let workDir = '';

/** What `git status` sees, ignored files included: any write into the tree shows here. */
const treeStatus = async () => (await git(tree, 'status', '--porcelain', '--ignored')).stdout;

/** The kind clusters built from a tree (`<name>-src<state>`): other acceptances may make and delete theirs meanwhile. */
async function treeClusters(): Promise<string[]> {
  const r = await execa('docker', ['ps', '-a', '--filter', 'label=io.x-k8s.kind.cluster', '--format', '{{.Label "io.x-k8s.kind.cluster"}}'], { reject: false });
  return [...new Set(r.stdout.split('\n').filter((n) => /-src[0-9a-f]{6}$/.test(n)))].sort();
}

/** `run --kubernetes-src <tree> --profile dual` into its own report dir; the run deletes its cluster. */
async function runTree(label: string, suites = SUITES): Promise<{ run: CliRun; summary: RunSummary; dir: string }> {
  const dir = path.join(OUT, label);
  fs.rmSync(dir, { recursive: true, force: true });
  const before = await treeStatus();
  const run = await v6e2e('run', '--profile', 'dual', '--kubernetes-src', tree, '--suite', suites, '--report-dir', dir, '--no-html');
  timings[`run ${label} (s)`] = run.seconds;
  expect(await treeStatus(), `the run wrote into the tree`).toBe(before);
  const summaries = fs.existsSync(path.join(dir, 'summary.json')) ? readSummaries(dir) : [];
  if (summaries.length !== 1) throw new Error(`run ${label} wrote no summary (exit ${run.exitCode}):\n${run.stderr.split('\n').slice(-30).join('\n')}`);
  return { run, summary: summaries[0]!, dir };
}

const failed = (s: RunSummary) => s.checks.filter((c) => c.status === 'failed');
const show = (cs: CheckResult[]) => cs.map((c) => `${c.id}: ${(c.message ?? '').split('\n')[0]}`).join('\n');

describe('--kubernetes-src: a local Kubernetes tree, built and judged offline', () => {
  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'v6e2e-k8s-src-'));
    onSignal = removeOnSignal(() => [workDir]);
    const t0 = Date.now();
    tree = await assembleKubernetesTree(path.join(workDir, 'kubernetes'));
    timings['assemble tree (s)'] = (Date.now() - t0) / 1000;
    fs.mkdirSync(OUT, { recursive: true });
  }, 10 * 60_000);

  afterAll(() => {
    if (fs.existsSync(OUT)) fs.writeFileSync(path.join(OUT, 'timings.json'), `${JSON.stringify(timings, null, 2)}\n`);
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    onSignal?.dispose();
  });

  let base: { summary: RunSummary; dir: string } | undefined;

  test('unpatched tree: every suite it runs passes; the report names the tree, commit and state', async () => {
    const { run, summary, dir } = await runTree('unpatched');
    expect(run.exitCode, show(failed(summary))).toBe(0);
    expect(summary.totals.failed).toBe(0);
    expect(summary.totals.passed).toBeGreaterThan(40);
    const head = (await git(tree, 'rev-parse', 'HEAD')).stdout.trim();
    expect(summary.build).toEqual({ src: tree, commit: head, treeState: 'clean', version: 'v1.34.4' });
    expect(summary.profile).toMatch(/^dual-src[0-9a-f]{6}$/);
    expect(fs.readFileSync(path.join(dir, 'summary.md'), 'utf8')).toContain(`built from ${tree} (commit ${head.slice(0, 12)}, clean)`);
    const env = fs.readFileSync(path.join(dir, 'allure-results', 'environment.properties'), 'utf8');
    expect(env).toContain(`kubernetes.commit=${head}`);
    expect(env).toMatch(/kubernetes\.src=.*kubernetes/);
    base = { summary, dir };
  }, 40 * 60_000);

  test('an unchanged tree reuses every artefact (lab setup builds nothing)', async () => {
    const r = await v6e2e('lab', 'setup', '--kubernetes-src', tree);
    timings['lab setup, unchanged tree (s)'] = r.seconds;
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/▶ build kubernetes-src|▶ image |▶ node image/);
  }, 5 * 60_000);

  test('a compile error exits 3 with the compiler\'s lines and creates no cluster; another minor exits 2', async () => {
    const clusters = await treeClusters();
    fs.writeFileSync(path.join(tree, 'pkg', 'proxy', 'iptables', 'zz_broken.go'), 'package iptables\n\nfunc broken( {\n');
    try {
      const r = await v6e2e('run', '--profile', 'dual', '--kubernetes-src', tree, '--suite', 'nodeport', '--no-html', '--report-dir', path.join(OUT, 'broken'));
      expect(r.exitCode, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/pkg\/proxy\/iptables\/zz_broken\.go:3:\d+: /);
      expect(r.stderr).not.toMatch(/^\s+at .*\.(ts|js):\d+/m);
    } finally {
      fs.rmSync(path.join(tree, 'pkg', 'proxy', 'iptables', 'zz_broken.go'));
    }
    // The same tree one minor ahead: refused before anything is built.
    await git(tree, 'tag', 'v1.35.0-alpha.0', 'HEAD');
    try {
      await git(tree, 'tag', '-d', 'v1.34.4');
      const r = await v6e2e('run', '--profile', 'dual', '--kubernetes-src', tree);
      expect(r.exitCode).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/is Kubernetes v1\.35\.0-alpha\.0; the lab runs 1\.34 only/);
    } finally {
      await git(tree, 'tag', '-d', 'v1.35.0-alpha.0');
      await git(tree, 'tag', 'v1.34.4', 'HEAD');
    }
    expect(await treeClusters()).toEqual(clusters);
  }, 15 * 60_000);

  test('kube-proxy patched to program NodePorts for IPv4 only: the IPv6 NodePort checks fail naming the node, IPv4 passes', async () => {
    await applyPatch(tree, path.join(PATCHES, 'kube-proxy-nodeport-primary-only.diff'));
    try {
      const { run, summary, dir } = await runTree('kube-proxy-patch', 'nodeport');
      timings['one-line kube-proxy change → verdict (s)'] = run.seconds;
      expect(run.exitCode).toBe(1);
      expect(summary.build?.treeState).toBe('dirty');
      expect(summary.build?.version).toBe('v1.34.4-dirty');
      const bad = failed(summary);
      const v6Reach = bad.filter((c) => c.suite === 'nodeport' && c.family === 'IPv6' && /NodePort answers on every node address/.test(c.name ?? ''));
      expect(v6Reach.length, show(bad)).toBeGreaterThanOrEqual(2);
      for (const c of v6Reach) {
        expect(c.message).toMatch(/IPv6/);
        expect(c.message).toMatch(/dual-src[0-9a-f]{6}-(worker|control-plane)/);
      }
      expect(bad.filter((c) => c.family === 'IPv4'), show(bad)).toEqual([]);
      // Checks only: the faults are skipped, this run has no --self-test.
      const v4 = summary.checks.filter((c) => c.suite === 'nodeport' && c.family === 'IPv4' && c.kind === 'check');
      expect(v4.length).toBeGreaterThan(0);
      expect(v4.every((c) => c.status === 'passed' || c.status === 'flaky'), show(v4)).toBe(true);

      // report over the base run and this one: the differences are the IPv6 NodePort checks.
      const merged = await v6e2e('report', base!.dir, dir);
      expect(merged.exitCode).toBe(1);
      expect(merged.stdout).toContain('### Differences between runs');
      for (const c of v6Reach) expect(merged.stdout).toContain(`| ${c.id} | IPv6 | passed | **failed**`);
    } finally {
      await resetTree(tree);
    }
  }, 40 * 60_000);

  test('kubelet patched to report node IPs IPv6 first: the node-address-preference and host-IP checks fail naming the node', async () => {
    await applyPatch(tree, path.join(PATCHES, 'kubelet-node-ips-ipv6-first.diff'));
    try {
      const { run, summary } = await runTree('kubelet-patch');
      expect(run.exitCode).toBe(1);
      const bad = failed(summary);
      const named = (re: RegExp) => bad.filter((c) => re.test(c.name ?? ''));
      const order = named(/InternalIP per cluster family, the first of the primary family|first InternalIP has the cluster's primary family/);
      expect(order.length, show(bad)).toBeGreaterThanOrEqual(2);
      for (const c of order) expect(c.message).toMatch(/dual-src[0-9a-f]{6}-(worker|worker2|control-plane)/);
      const hostIPs = named(/hostIPs/);
      expect(hostIPs.length, show(bad)).toBeGreaterThanOrEqual(1);
      for (const c of hostIPs) expect(c.message).toMatch(/IPv6|IPv4/);
    } finally {
      await resetTree(tree);
    }
  }, 40 * 60_000);
});
