import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { silentProgress } from '../util/progress.ts';
import { main } from './main.ts';

// Made when the tests start, not when vitest only collects them (`vitest list` ran no afterAll).
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v6e2e-main-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "https://127.0.0.1:1" } }]
contexts: [{ name: c, context: { cluster: c, user: u } }]
current-context: c
users: [{ name: u, user: { token: t } }]
`;

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), progress: silentProgress });
  return { code, stdout, stderr };
}

/** Exit 2, exactly one line on stderr starting with "v6e2e: ", no stack frames. */
function expectUsage(r: { code: number; stderr: string }, pattern: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/^v6e2e: [^\n]+\n$/);
  expect(r.stderr).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
  expect(r.stderr).toMatch(pattern);
}

describe('bad input through main → exit 2, one line, no stack', () => {
  test('unknown profile', async () => {
    expectUsage(await cli('run', '--profile', 'ipv5'), /unknown profile "ipv5"; use one of: ipv6, dual-v6, dual, ipv4, all/);
  });
  test('unknown suite', async () => {
    expectUsage(await cli('run', '--suite', 'dns65'), /unknown suite "dns65"; use one or more of: address-families/);
  });
  test('unknown flag', async () => {
    expectUsage(await cli('run', '--frobnicate'), /unknown flag --frobnicate for "run"; valid flags: --profile/);
  });
  test('missing flag value', async () => {
    expectUsage(await cli('run', '--context'), /--context needs a value/);
  });
  test('bad NAT64 prefix', async () => {
    expectUsage(await cli('run', '--nat64-prefix', '64:ff9b::/33'), /--nat64-prefix: .*length must be one of/);
  });
  test('bad variant flags: kube-proxy mode, CNI, addressing plans (refused before any cluster)', async () => {
    expectUsage(await cli('run', '--kube-proxy-mode', 'ipvs'), /unknown --kube-proxy-mode "ipvs"/);
    expectUsage(await cli('up', '--profile', 'dual', '--cni', 'cilium'), /unknown --cni "cilium"; use one of: kindnet, flannel/);
    expectUsage(await cli('run', '--profile', 'ipv6', '--pod-subnet', '10.244.0.0/16'), /--pod-subnet 10\.244\.0\.0\/16: profile ipv6 has no IPv4/);
    expectUsage(await cli('up', '--profile', 'ipv6', '--pod-subnet', 'fd00:1::/104', '--service-subnet', 'fd00:1::/112', '--node-cidr-mask-ipv6', '120'), /overlap/);
    expectUsage(await cli('up', '--profile', 'ipv6', '--pod-subnet', 'fd00:1::/104', '--node-cidr-mask-ipv6', '100'), /--node-cidr-mask-ipv6 100/);
    expectUsage(await cli('up', '--profile', 'ipv4', '--pod-subnet', '10.9.0.0/25', '--node-cidr-mask-ipv4', '26'), /node/);
  });
  // In-process CLI calls: loaded machines (a CI run beside a cluster) take longer than 5 s.
  test('unreadable kubeconfig file', { timeout: 30_000 }, async () => {
    expectUsage(await cli('run', '--kubeconfig', path.join(dir, 'missing.yaml')), /cannot read kubeconfig .*missing\.yaml \(ENOENT\); pass --kubeconfig/);
  });
  test('unparsable kubeconfig file', async () => {
    const p = path.join(dir, 'bad.yaml');
    fs.writeFileSync(p, 'clusters: [');
    expectUsage(await cli('run', '--kubeconfig', p), /kubeconfig .*bad\.yaml is not valid/);
  });
  test('unknown context', async () => {
    const p = path.join(dir, 'ctx.yaml');
    fs.writeFileSync(p, KUBECONFIG);
    expectUsage(await cli('run', '--kubeconfig', p, '--context', 'kind-x'), /context "kind-x" is not in .*; use one of: c$/m);
  });
  test('unwritable report dir (existing cluster)', async () => {
    const kc = path.join(dir, 'kc.yaml');
    fs.writeFileSync(kc, KUBECONFIG);
    const blocker = path.join(dir, 'a-file');
    fs.writeFileSync(blocker, '');
    // A path below a regular file can never be created, even by root.
    expectUsage(await cli('run', '--kubeconfig', kc, '--report-dir', path.join(blocker, 'reports')), /report dir .*a-file\/reports is not writable \(ENOTDIR\); pass --report-dir/);
  });
  test('unwritable report dir (new cluster): refused before any cluster is made', async () => {
    const blocker = path.join(dir, 'another-file');
    fs.writeFileSync(blocker, '');
    expectUsage(await cli('run', '--profile', 'ipv6', '--report-dir', path.join(blocker, 'r')), /is not writable \(ENOTDIR\)/);
  });
  test('unreadable gate file', async () => {
    expectUsage(await cli('run', '--gate', path.join(dir, 'no-gate.yaml')), /cannot read --gate file .*no-gate\.yaml \(ENOENT\)/);
  });
  test('report on a directory without summary.json', async () => {
    expectUsage(await cli('report', dir), /cannot read .*summary\.json \(ENOENT\)/);
  });
});

describe('gating and merging through main', () => {
  const summary = (profile: string, checks: object[]) =>
    JSON.stringify({ profile, kubernetesVersion: 'v1.34.4', startedAt: '2026-11-22T10:00:00.000Z', durationMs: 1000, checks });
  const mk = (name: string, text: string) => {
    const d = path.join(dir, name);
    fs.mkdirSync(path.join(d, 'allure-results'), { recursive: true });
    fs.writeFileSync(path.join(d, 'summary.json'), text);
    fs.writeFileSync(path.join(d, 'allure-results', `${name}-result.json`), '{}');
    return d;
  };
  let green: string;
  let red: string;
  beforeAll(() => {
    green = mk('green', summary('ipv6', [{ id: 'af/a', suite: 'af', family: 'IPv6', status: 'passed', durationMs: 5, retries: 0 }]));
    red = mk('red', summary('ipv6', [{ id: 'cn/x', suite: 'cn', family: 'IPv6', status: 'failed', durationMs: 5, retries: 0, message: 'x broke' }]));
  });
  const gateFile = (name: string, text: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };

  test('report: exit 0 when every gating check passed, 1 when one failed (stdout summary)', async () => {
    expect((await cli('report', green)).code).toBe(0);
    const r = await cli('report', green, red);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^## ❌ v6e2e: checks failed \(1 of 2\)/);
  });
  test('report --gate: an unlisted failure only warns (exit 0, under Warnings)', async () => {
    const r = await cli('report', green, red, '--gate', gateFile('g-af.txt', 'af/*\n'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('### Warnings');
  });
  test('report --out writes the merged files; exit code follows the gating checks', async () => {
    const out = path.join(dir, 'merged');
    const r = await cli('report', green, red, '--out', out);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/merged 2 report dir\(s\), 1 profile\(s\), 2 Allure file\(s\) into /);
    for (const f of ['summary.json', 'summary.md', 'junit.xml', 'allure-results']) expect(fs.existsSync(path.join(out, f)), f).toBe(true);
  });
  test('report: bad input → exit 2, one line', async () => {
    expectUsage(await cli('report', path.join(dir, 'absent')), /report dir .*absent does not exist \(ENOENT\)/);
    expectUsage(await cli('report', dir), /cannot read .*summary\.json \(ENOENT\)/);
    const blocker = path.join(dir, 'out-blocker');
    fs.writeFileSync(blocker, '');
    expectUsage(await cli('report', green, '--out', path.join(blocker, 'x')), /--out .*out-blocker\/x is not writable \(ENOTDIR\); pass a writable directory/);
    expectUsage(await cli('report', green, '--gate', gateFile('g-typo.txt', 'af/*\nconectivity/**\n')), /gate file .*g-typo\.txt:2: "conectivity\/\*\*" matches no check id among 1 known/);
    expectUsage(await cli('report', green, '--html'), /add --out d/);
  });
  test('run: a broken gate file or a missing --history dir is refused before any cluster (exit 2)', async () => {
    expectUsage(await cli('run', '--gate', gateFile('g-bad.yaml', 'gates:\n  - a\n')), /gate file .*g-bad\.yaml: unknown key "gates"/);
    expectUsage(await cli('run', '--gate', gateFile('g-empty.txt', '# nothing\n')), /lists no checks/);
    expectUsage(await cli('run', '--history', path.join(dir, 'no-history')), /--history .*no-history does not exist/);
  });
});

describe('normal paths', () => {
  test('help goes to stdout, exit 0', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^v6e2e: conformance/);
    expect(r.stderr).toBe('');
    expect((await cli('run', '--help')).stdout).toMatch(/^Usage: v6e2e run/);
    expect((await cli('help', 'report')).stdout).toMatch(/^Usage: v6e2e report/);
  });
  test('--version prints the package version and the lab pins on stdout', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V', 'version']) {
      const r = await cli(flag);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`v6e2e ${pkg.version} (lab: Kubernetes v1.34.4, kind v0.30.0; node ${process.version})\n`);
    }
    expect((await cli('--version', 'x')).code).toBe(2);
  });
  test('report renders summaries', async () => {
    const d = path.join(dir, 'rep');
    fs.mkdirSync(d);
    fs.writeFileSync(
      path.join(d, 'summary.json'),
      JSON.stringify({
        profile: 'ipv6',
        kubernetesVersion: 'v1.34.4',
        startedAt: '2026-11-22T10:00:00.000Z',
        durationMs: 1000,
        totals: { passed: 1, failed: 0, skipped: 0, flaky: 0 },
        checks: [{ id: 'a/b', suite: 'a', family: 'IPv6', status: 'passed', durationMs: 5, retries: 0 }],
      }),
    );
    const r = await cli('report', d);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^## ✅ v6e2e: all checks passed/);
  });
});

describe('unexpected errors', () => {
  test('exit 3, message without stack unless V6E2E_DEBUG=1', async () => {
    const summary = await import('../report/summary.ts');
    const spy = vi.spyOn(summary, 'readSummaries').mockImplementation(() => {
      throw new TypeError("Cannot read properties of undefined (reading 'x')");
    });
    try {
      const r = await cli('report', dir);
      expect(r.code).toBe(3);
      expect(r.stderr).toBe("v6e2e: unexpected error: Cannot read properties of undefined (reading 'x') (V6E2E_DEBUG=1 shows the stack)\n");
      vi.stubEnv('V6E2E_DEBUG', '1');
      const d = await cli('report', dir);
      expect(d.code).toBe(3);
      expect(d.stderr).toMatch(/TypeError: Cannot read properties[\s\S]*\n\s+at /);
    } finally {
      vi.unstubAllEnvs();
      spy.mockRestore();
    }
  });
});
