import { ApiException } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import { labelValue, namespaceName, parseManifests, refusedForServiceAccount } from './apply.ts';

describe('parseManifests', () => {
  test('multi-doc with empty and comment-only documents', () => {
    const objs = parseManifests(`---
# just a comment
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec: { ipFamilyPolicy: RequireDualStack, ipFamilies: [IPv6, IPv4], ports: [{ port: 80 }] }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
---
`);
    expect(objs.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(['Service/web', 'Deployment/web']);
    expect((objs[0] as unknown as { spec: { ipFamilies: string[] } }).spec.ipFamilies).toEqual(['IPv6', 'IPv4']);
  });
  test('errors name the document', () => {
    expect(() => parseManifests('apiVersion: v1\nkind: Pod\nmetadata: {}\n', 'web.yaml')).toThrow('web.yaml document 1 (Pod) has no metadata.name');
    expect(() => parseManifests('apiVersion: v1\nkind: Namespace\nmetadata: { name: a }\n---\nfoo: bar\n')).toThrow(/document 2 is not a Kubernetes object/);
    expect(() => parseManifests('a: [1,')).toThrow(/document 1:/);
  });
});

test('namespaceName is a DNS-1123 label', () => {
  expect(namespaceName('connectivity', 'abc123')).toBe('v6e2e-connectivity-abc123');
  expect(namespaceName('Address_Families!', 'abc123')).toBe('v6e2e-address-families-abc123');
  const long = namespaceName('x'.repeat(100));
  expect(long.length).toBeLessThanOrEqual(63);
  expect(long).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  expect(namespaceName('---', 'ff00ff')).toBe('v6e2e-suite-ff00ff');
  expect(namespaceName('a')).toMatch(/^v6e2e-a-[0-9a-f]{6}$/);
});

test('labelValue', () => {
  expect(labelValue('20261122-0510-ipv6')).toBe('20261122-0510-ipv6');
  expect(labelValue('2026-11-22T05:10:00Z')).toBe('2026-11-22T05-10-00Z');
  expect(labelValue('-x-'.repeat(40)).length).toBeLessThanOrEqual(63);
  expect(labelValue('///')).toBe('unknown');
});

test('a pod refused for its namespace\'s missing default ServiceAccount is told apart from other refusals', () => {
  const status = (code: number, message: string) => new ApiException(code, 'x', JSON.stringify({ kind: 'Status', status: 'Failure', message, code }), {});
  expect(refusedForServiceAccount(status(403, 'pods "echo-0" is forbidden: error looking up service account v6e2e-x/default: serviceaccount "default" not found'))).toBe(true);
  expect(refusedForServiceAccount(status(403, 'pods "echo-0" is forbidden: violates PodSecurity "baseline:latest"'))).toBe(false);
  expect(refusedForServiceAccount(status(404, 'serviceaccount "default" not found'))).toBe(false);
  expect(refusedForServiceAccount(new Error('socket hang up'))).toBe(false);
});
