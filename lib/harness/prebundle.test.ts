import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bundleName, entrySource, prebundles } from './prebundle.ts';

describe('prebundle', () => {
  const dirs: string[] = [];
  const scratch = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'v6e2e-prebundle-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('names a bundle after the package and bundler versions and the install', () => {
    expect(bundleName('@kubernetes/client-node', '1.4.0', '0.28.2', '0123456789')).toBe('client-node-1.4.0-esbuild-0.28.2-0123456789-cc1.mjs');
    expect(bundleName('yaml', '2.8.0', '0.28.2', 'unlocked')).toBe('yaml-2.8.0-esbuild-0.28.2-unlocked-cc1.mjs');
  });

  it("re-exports the body's names that can be ESM names", () => {
    const src = entrySource('b.cjs', ['KubeConfig', 'CoreV1Api', 'default', '__esModule', 'not-a-name']);
    expect(src).toContain('export const { KubeConfig, CoreV1Api } = m;');
    expect(src).toContain('new URL("./b.cjs", import.meta.url)');
  });

  it('builds the client-node bundle once, leaves no temporary file, and the bundle works', async () => {
    const dir = scratch();
    const warnings: string[] = [];
    // Another install's bundle (entry, body, code cache): removed once a day old, kept before.
    const old = ['mjs', 'cjs', 'cjs.v20.0.0-x64.v8cache'].map((ext) => path.join(dir, `client-node-1.3.0-esbuild-0.28.2-0123456789-cc1.${ext}`));
    const recent = path.join(dir, 'client-node-1.3.1-esbuild-0.28.2-0123456789-cc1.mjs');
    for (const f of [...old, recent]) writeFileSync(f, '');
    for (const f of old) utimesSync(f, new Date(Date.now() - 2 * 24 * 3600_000), new Date(Date.now() - 2 * 24 * 3600_000));
    const [b] = prebundles(dir, (l) => warnings.push(l), {});
    expect(warnings).toEqual([]);
    for (const f of old) expect(existsSync(f)).toBe(false);
    expect(existsSync(recent)).toBe(true);
    rmSync(recent);
    expect(b!.specifier).toBe('@kubernetes/client-node');
    const body = path.basename(b!.file).replace(/\.mjs$/, '.cjs');
    expect(readdirSync(dir).sort()).toEqual([body, path.basename(b!.file)]);
    const { KubeConfig } = (await import(b!.file)) as typeof import('@kubernetes/client-node');
    // The first process to load it leaves the code cache the next ones start from.
    expect(readdirSync(dir).filter((n) => n.startsWith(`${body}.${process.version}-`) && n.endsWith('.v8cache'))).toHaveLength(1);
    const kc = new KubeConfig();
    kc.loadFromOptions({ clusters: [{ name: 'c', server: 'https://[::1]:6443' }], users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
    expect(kc.getCurrentCluster()?.server).toBe('https://[::1]:6443');
    expect(prebundles(dir, (l) => warnings.push(l), {})).toEqual([b]);
  }, 30_000);

  it('is off with V6E2E_PREBUNDLE=0, and a dependency it cannot build is one warning, not an error', () => {
    const dir = scratch();
    const warnings: string[] = [];
    expect(prebundles(dir, (l) => warnings.push(l), { V6E2E_PREBUNDLE: '0' }, ['yaml'])).toEqual([]);
    expect(prebundles(dir, (l) => warnings.push(l), {}, ['no-such-package-v6e2e'])).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^v6e2e: loading no-such-package-v6e2e unbundled \(could not prebundle it: /);
  });
});
