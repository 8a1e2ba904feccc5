import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { settings } from '../harness/settings.ts';
import { kindClusterOf } from '../cluster/context.ts';
import { environmentInfo, parseProperties, renderProperties } from './environment.ts';

// Made when the tests start, not when vitest only collects them (`vitest list` ran no afterAll).
let lab: string;
beforeAll(() => {
  lab = fs.mkdtempSync(path.join(os.tmpdir(), 'v6e2e-env-'));
  fs.mkdirSync(path.join(lab, 'edge'));
  fs.writeFileSync(path.join(lab, 'edge', 'dev.json'), JSON.stringify({ cluster: 'dev', pref64: 'fd00:64:ff9b::/96', dns64Mode: 'upstream' }));
});
afterAll(() => fs.rmSync(lab, { recursive: true, force: true }));

test('a lab cluster: kind, kindnet, iptables, NAT64/DNS64 from its edge file', () => {
  const info = environmentInfo(settings({ runId: 'r', context: 'kind-dev', profile: 'dual', kubernetesVersion: 'v1.34.4', nat64Prefix: '64:ff9b::/96' }), lab);
  expect(info).toMatchObject({
    profile: 'dual',
    'kubernetes.version': 'v1.34.4',
    cluster: 'dev',
    kind: 'v0.30.0 (v6e2e offline lab)',
    cni: 'kindnet (v6e2e kindnetd-compatible)',
    'kube-proxy.mode': 'iptables',
    'nat64.prefix': 'fd00:64:ff9b::/96',
    'dns64.mode': 'upstream',
  });
});

test('an existing cluster: only what the CLI detected or was told', () => {
  const info = environmentInfo(
    settings({ runId: 'r', context: 'prod', dns64Mode: 'upstream', cluster: { cni: 'cilium', kubeProxyMode: 'none (no kube-proxy DaemonSet)', podSubnets: [], serviceSubnets: [], nodeCidrMasks: {} } }),
    lab,
  );
  expect(info).toMatchObject({ cluster: 'prod', cni: 'cilium', 'kube-proxy.mode': 'none (no kube-proxy DaemonSet)', 'dns64.mode': 'upstream' });
  expect(info).not.toHaveProperty('kind');
  expect(kindClusterOf('kind-x')).toBe('x');
  expect(kindClusterOf('x')).toBeUndefined();
});

test('environment.properties round trip, with escaping', () => {
  const info = { 'nat64.prefix': '64:ff9b::/96', cni: 'a=b #c', 'kube-proxy.mode': 'iptables' };
  const text = renderProperties(info);
  expect(text).toBe('cni=a\\=b \\#c\nkube-proxy.mode=iptables\nnat64.prefix=64\\:ff9b\\:\\:/96\n');
  expect(parseProperties(text)).toEqual(info);
  expect(parseProperties('# comment\n\nkey = value with spaces\nk2:v2\n')).toEqual({ key: 'value with spaces', k2: 'v2' });
});
