import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, test } from 'vitest';
import { UsageError } from '../util/errors.ts';
import { describeToVersion, imageTagOf, inspectKubernetesTree, majorMinor } from './tree.ts';

describe('version stamping (hack/lib/version.sh semantics)', () => {
  test.each([
    ['v1.34.4', false, 'v1.34.4'],
    ['v1.34.4', true, 'v1.34.4-dirty'],
    ['v1.34.4-3-g0123456789abcd', false, 'v1.34.4-3+0123456789abcd'],
    ['v1.35.0-alpha.1-12-g0123456789abcd', true, 'v1.35.0-alpha.1.12+0123456789abcd-dirty'],
  ])('%s (dirty %s) → %s', (describe, dirty, want) => {
    expect(describeToVersion(describe, dirty)).toBe(want);
  });

  test('minor gets a + when the version is not exactly a release', () => {
    expect(majorMinor('v1.34.4')).toEqual({ major: '1', minor: '34' });
    expect(majorMinor('v1.34.4-3+0123456789abcd-dirty')).toEqual({ major: '1', minor: '34+' });
    expect(majorMinor('1.34')).toBeUndefined();
  });

  test("kubeadm's image tag has _ for +", () => {
    expect(imageTagOf('v1.34.4-3+0123456789abcd-dirty')).toBe('v1.34.4-3_0123456789abcd-dirty');
  });
});

describe('inspectKubernetesTree', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const git = (dir: string, ...args: string[]) =>
    execFileSync('git', ['-C', dir, ...args], {
      env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t', GIT_COMMITTER_DATE: '2026-03-04T05:06:07Z' },
      stdio: 'pipe',
    });
  /** The smallest thing that looks like a Kubernetes checkout: go.mod and the command folders. */
  function fakeTree(tag: string | undefined, module = 'k8s.io/kubernetes'): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'v6e2e-tree-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'go.mod'), `module ${module}\n\ngo 1.24.0\n`);
    for (const c of ['kube-proxy', 'kubelet', 'kubeadm']) {
      mkdirSync(path.join(dir, 'cmd', c), { recursive: true });
      writeFileSync(path.join(dir, 'cmd', c, 'main.go'), 'package main\n');
    }
    git(dir, 'init', '-q');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'base');
    if (tag) git(dir, 'tag', tag);
    return dir;
  }
  const usage = (fn: () => unknown): string => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      return (err as Error).message;
    }
    throw new Error('no UsageError');
  };

  test('a clean tree at a release tag stamps that release, a fixed build date from the commit', () => {
    const t = inspectKubernetesTree(fakeTree('v1.34.4'));
    expect(t.stamp).toMatchObject({ gitVersion: 'v1.34.4', gitMinor: '34', gitTreeState: 'clean', buildDate: '2026-03-04T05:06:07Z' });
    expect(t.vendored).toBe(false);
  });

  test('an edit makes the tree dirty and a new state; reverting it gives the old state back', () => {
    const dir = fakeTree('v1.34.4');
    const clean = inspectKubernetesTree(dir);
    writeFileSync(path.join(dir, 'cmd', 'kube-proxy', 'main.go'), 'package main\n// one line\n');
    const edited = inspectKubernetesTree(dir);
    expect(edited.stamp.gitVersion).toBe('v1.34.4-dirty');
    expect(edited.state).not.toBe(clean.state);
    writeFileSync(path.join(dir, 'cmd', 'kube-proxy', 'new.go'), 'package main\n');
    expect(inspectKubernetesTree(dir).state).not.toBe(edited.state);
    git(dir, 'checkout', '-q', '--', '.');
    git(dir, 'clean', '-q', '-fd');
    expect(inspectKubernetesTree(dir).state).toBe(clean.state);
  });

  test('commits past the tag: v1.34.4-1+<14 hex>', () => {
    const dir = fakeTree('v1.34.4');
    git(dir, 'commit', '-q', '--allow-empty', '-m', 'patch');
    expect(inspectKubernetesTree(dir).stamp.gitVersion).toMatch(/^v1\.34\.4-1\+[0-9a-f]{14}$/);
  });

  test('bad trees are one-line usage errors naming what was found and what works', () => {
    expect(usage(() => inspectKubernetesTree('/nonexistent/k8s'))).toMatch(/--kubernetes-src \/nonexistent\/k8s: no such directory/);
    expect(usage(() => inspectKubernetesTree(fakeTree('v1.34.4', 'example.com/other')))).toMatch(/is not a Kubernetes tree \(found a Go module example\.com\/other\)/);
    expect(usage(() => inspectKubernetesTree(fakeTree('v1.35.0')))).toMatch(/is Kubernetes v1\.35\.0; the lab runs 1\.34 only .*release-1\.34/);
    expect(usage(() => inspectKubernetesTree(fakeTree(undefined)))).toMatch(/no v\* tag reachable from HEAD/);
    const sub = fakeTree('v1.34.4');
    expect(usage(() => inspectKubernetesTree(path.join(sub, 'cmd')))).toMatch(/not a Kubernetes tree/);
    for (const m of [usage(() => inspectKubernetesTree(fakeTree('v1.33.1')))]) expect(m.split('\n')).toHaveLength(1);
  });
});
