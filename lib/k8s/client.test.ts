import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiException } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { UsageError } from '../util/errors.ts';
import { clients, describeApiError, isNotFound, loadKubeConfig, updateOnConflict } from './client.ts';

// Made when the tests start, not when vitest only collects them (`vitest list` ran no afterAll).
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v6e2e-kc-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

const GOOD = `apiVersion: v1
kind: Config
clusters:
- name: kind-v6e2e-ipv6
  cluster:
    server: https://[::1]:41234
    insecure-skip-tls-verify: true
contexts:
- name: kind-v6e2e-ipv6
  context: { cluster: kind-v6e2e-ipv6, user: kind-v6e2e-ipv6 }
- name: other
  context: { cluster: kind-v6e2e-ipv6, user: kind-v6e2e-ipv6 }
- name: dangling
  context: { cluster: nowhere, user: kind-v6e2e-ipv6 }
current-context: kind-v6e2e-ipv6
users:
- name: kind-v6e2e-ipv6
  user: { token: abc }
`;

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    const msg = (err as Error).message;
    expect(msg).not.toContain('\n');
    return msg;
  }
  throw new Error('expected a UsageError');
}

describe('loadKubeConfig', () => {
  test('a good file, default and explicit context', () => {
    const p = file('good.yaml', GOOD);
    expect(loadKubeConfig({ kubeconfig: p }).getCurrentContext()).toBe('kind-v6e2e-ipv6');
    const kc = loadKubeConfig({ kubeconfig: p, context: 'other' });
    expect(kc.getCurrentContext()).toBe('other');
    const c = clients(kc);
    expect(c.core).toBeDefined();
    expect(c.apps).toBeDefined();
    expect(c.discovery).toBeDefined();
  });
  test('missing file', () => {
    expect(usage(() => loadKubeConfig({ kubeconfig: path.join(dir, 'nope.yaml') }))).toMatch(/cannot read kubeconfig .*nope\.yaml \(ENOENT\); pass --kubeconfig/);
  });
  test('a directory', () => {
    expect(usage(() => loadKubeConfig({ kubeconfig: dir }))).toMatch(/not a regular file/);
  });
  test('unparsable and empty files', () => {
    expect(usage(() => loadKubeConfig({ kubeconfig: file('bad.yaml', 'clusters: [1,2') }))).toMatch(/is not valid \(.*\); pass a kubeconfig/);
    expect(usage(() => loadKubeConfig({ kubeconfig: file('empty.yaml', '') }))).toMatch(/is not valid/);
    expect(usage(() => loadKubeConfig({ kubeconfig: file('str.yaml', 'hello') }))).toMatch(/has no contexts/);
  });
  test('unknown context lists the known ones', () => {
    expect(usage(() => loadKubeConfig({ kubeconfig: file('good2.yaml', GOOD), context: 'kind-nope' }))).toBe(
      `context "kind-nope" is not in ${path.join(dir, 'good2.yaml')}; use one of: kind-v6e2e-ipv6, other, dangling`,
    );
  });
  test('context pointing at an undefined cluster', () => {
    expect(usage(() => loadKubeConfig({ kubeconfig: file('good3.yaml', GOOD), context: 'dangling' }))).toMatch(/refers to a cluster that is not defined/);
  });
  test('no current-context', () => {
    const p = file('nocur.yaml', GOOD.replace('current-context: kind-v6e2e-ipv6\n', ''));
    expect(usage(() => loadKubeConfig({ kubeconfig: p }))).toMatch(/no usable current-context; pass --context with one of: kind-v6e2e-ipv6/);
  });
  test('no file given and none at $KUBECONFIG', () => {
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = path.join(dir, 'absent-a') + path.delimiter + path.join(dir, 'absent-b');
    try {
      expect(usage(() => loadKubeConfig())).toMatch(/no kubeconfig found \(looked at .*absent-a, .*absent-b\); pass --kubeconfig/);
      process.env.KUBECONFIG = file('env.yaml', GOOD);
      expect(loadKubeConfig().getCurrentContext()).toBe('kind-v6e2e-ipv6');
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  });
});

test('describeApiError pulls the Status message out of the raw body', () => {
  const body = JSON.stringify({ kind: 'Status', status: 'Failure', message: 'namespaces "x" not found', reason: 'NotFound', code: 404 });
  const err = new ApiException(404, 'HTTP-Code: 404 Message: … Body: …', body, {});
  expect(describeApiError(err)).toBe('HTTP 404: namespaces "x" not found');
  expect(isNotFound(err)).toBe(true);
  expect(describeApiError(new ApiException(401, 'x', undefined, {}))).toBe('HTTP 401');
  expect(describeApiError(new ApiException(500, 'x', '<html>oops', {}))).toBe('HTTP 500: <html>oops');
  expect(describeApiError(new Error('connect ECONNREFUSED ::1:6443\nstack'))).toBe('connect ECONNREFUSED ::1:6443');
  expect(isNotFound(new Error('x'))).toBe(false);
});

describe('updateOnConflict: read, change, replace, again on 409', () => {
  /** An object store whose version another writer bumps `interferences` times between our read and replace. */
  function store(interferences: number) {
    let stored = { version: 1, value: 'a' };
    let reads = 0;
    return {
      reads: () => reads,
      read: async () => {
        reads++;
        const copy = { ...stored };
        if (interferences-- > 0) stored = { ...stored, version: stored.version + 1 }; // a controller writes status
        return copy;
      },
      replace: async (o: { version: number; value: string }) => {
        if (o.version !== stored.version) throw new ApiException(409, 'Conflict', { reason: 'Conflict' }, {});
        stored = { ...o, version: o.version + 1 };
        return stored;
      },
    };
  }

  test('a conflict is read again and the change applied to the fresh object', async () => {
    const s = store(2);
    const out = await updateOnConflict(s.read, (o) => void (o.value = 'b'), s.replace);
    expect(out.value).toBe('b');
    expect(s.reads()).toBe(3);
  });

  test('other errors, and conflicts past the attempts, are thrown', async () => {
    const s = store(10);
    await expect(updateOnConflict(s.read, () => undefined, s.replace, 3)).rejects.toMatchObject({ code: 409 });
    expect(s.reads()).toBe(3);
    const boom = new ApiException(403, 'Forbidden', {}, {});
    await expect(updateOnConflict(async () => ({}), () => undefined, async () => { throw boom; })).rejects.toBe(boom);
  });
});
