/**
 * The packed package, installed like any Node CLI (vitest project `package`):
 * `npm pack` of this checkout, `npm install -g --prefix <tmp>` of the tarball,
 * then from an unrelated directory `v6e2e --version`, `list-checks`, `lab status`
 * and — with V6E2E_PACKAGE_KUBECONFIG/V6E2E_PACKAGE_CONTEXT naming a lab cluster —
 * `run --kubeconfig … --suite address-families`, whose report must land in that
 * directory. Nothing inside the installed package may change.
 *
 *   V6E2E_PACKAGE_KUBECONFIG=~/.cache/v6e2e/kubeconfigs/dev.yaml V6E2E_PACKAGE_CONTEXT=kind-dev \
 *     npx vitest run --project package
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { listFiles } from '../lib/lab/hash.ts';
import { readSummaries } from '../lib/report/summary.ts';
import { removeOnSignal, type SignalCleanup } from './support/signal-cleanup.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const KUBECONFIG = process.env.V6E2E_PACKAGE_KUBECONFIG;
const CONTEXT = process.env.V6E2E_PACKAGE_CONTEXT;
const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

let work = '';
let installed = '';
let bin = '';
let cwd = '';
let before = '';

/** Every file of the installed package with its size and mtime: any write shows. */
async function packageState(): Promise<string> {
  const files = await listFiles(installed);
  return files.map((f) => {
    const st = fs.statSync(path.join(installed, f));
    return `${f} ${st.size} ${st.mtimeMs}`;
  }).join('\n');
}

/** Ctrl-C: the run going on finishes its cleanup, then the directories go (afterAll does not run). */
let onSignal: SignalCleanup | undefined;

const v6e2e = (...args: string[]) => {
  const child = execa(bin, args, { cwd, reject: false, env: { FORCE_COLOR: '0' }, cleanup: false });
  return onSignal?.track(child) ?? child;
};

describe('the packed package, installed into a prefix, run from an unrelated directory', () => {
  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'v6e2e-package-'));
    onSignal = removeOnSignal(() => [work, cwd]);
    const packed = await execa('npm', ['pack', '--json', '--pack-destination', work], { cwd: REPO_ROOT });
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    const paths = info!.files.map((f) => f.path);
    // Only what runs: no unit tests, acceptance, fixtures other than the guestbook manifests, screenshots.
    expect(paths.filter((p) => /\.test\.ts$/.test(p) && !p.startsWith('suites/'))).toEqual([]);
    expect(paths.filter((p) => /^(acceptance|bench|docs|ci|\.ci)\/|^fixtures\/(?!guestbook\/)|_test\.go$|\.png$/.test(p))).toEqual([]);
    const prefix = path.join(work, 'prefix');
    await execa('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', path.join(work, info!.filename)]);
    installed = path.join(prefix, 'lib', 'node_modules', pkg.name);
    bin = path.join(prefix, 'bin', 'v6e2e');
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'v6e2e-elsewhere-'));
    before = await packageState();
  }, 10 * 60_000);

  afterAll(() => {
    for (const d of [work, cwd]) if (d) fs.rmSync(d, { recursive: true, force: true });
    onSignal?.dispose();
  });

  test('--version names the package version', async () => {
    const r = await v6e2e('--version');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^v6e2e ${pkg.version.replace(/\./g, '\\.')} \\(lab: Kubernetes v1\\.34\\.`));
  });

  test('list-checks collects the suites of the installed package', async () => {
    // Checks are declared (lib/harness/check.ts): every suite lists without a cluster.
    const r = await v6e2e('list-checks', '--suite', 'nodeport,address-families', '--json');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const checks = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; kind: string });
    expect(checks.filter((c) => c.id.startsWith('nodeport/')).length).toBeGreaterThan(10);
    expect(checks.filter((c) => c.id.startsWith('address-families/')).length).toBeGreaterThan(50);
    expect(checks.some((c) => c.kind === 'fault')).toBe(true);
  }, 300_000);

  test('lab status reads the shared lab cache', async () => {
    const r = await v6e2e('lab', 'status');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^docker engine: answers/m);
    expect(r.stdout).toMatch(/present {2}v6e2e\.local\/kind-node:/);
  });

  test.skipIf(!KUBECONFIG)('run --kubeconfig writes its report into the current directory', async () => {
    const args = ['run', '--kubeconfig', KUBECONFIG!, ...(CONTEXT ? ['--context', CONTEXT] : []), '--suite', 'address-families', '--no-html'];
    const r = await v6e2e(...args);
    expect(r.exitCode, r.stderr.split('\n').slice(-15).join('\n')).toBe(0);
    const reports = fs.readdirSync(path.join(cwd, 'reports'));
    expect(reports).toHaveLength(1);
    const [summary] = readSummaries(path.join(cwd, 'reports', reports[0]!));
    expect(summary!.totals.failed).toBe(0);
    expect(summary!.totals.passed).toBeGreaterThan(10);
  }, 600_000);

  test('nothing inside the installed package was written', async () => {
    expect(await packageState()).toBe(before);
  });
});
