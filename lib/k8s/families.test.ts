import fs from 'node:fs';
import path from 'node:path';
import type { V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import { detectFamilies, stackOf, type ClusterObjects } from './families.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/api-objects');

function items<T>(profile: string, kind: 'nodes' | 'services' | 'pods'): T[] {
  const list = JSON.parse(fs.readFileSync(path.join(FIXTURES, profile, `${kind}.json`), 'utf8')) as { items: T[] };
  return list.items;
}

function load(profile: string): ClusterObjects {
  return { nodes: items<V1Node>(profile, 'nodes'), services: items<V1Service>(profile, 'services'), pods: items<V1Pod>(profile, 'pods') };
}

describe('detection on the recorded profiles', () => {
  test.for([
    ['ipv4', 'IPv4', ['IPv4']],
    ['ipv6', 'IPv6', ['IPv6']],
    ['dual', 'IPv4', ['IPv4', 'IPv6']],
    ['dual-v6', 'IPv6', ['IPv6', 'IPv4']],
  ] as const)('%s → primary %s, families %j', ([profile, primary, families]) => {
    const r = detectFamilies(load(profile));
    expect(r.primary).toBe(primary);
    expect(r.families).toEqual(families);
    expect(r.stack).toBe(profile);
    expect(r.warnings).toEqual([]);
    expect(r.evidence[0]).toMatch(/^service default\/kubernetes clusterIPs \[(10\.96\.0\.1|fd00:10:96::1)\] → primary/);
    expect(r.evidence.at(-1)).toBe(`→ ${profile} (primary ${primary}, families ${families.join(', ')})`);
  });

  test('evidence names every source', () => {
    const r = detectFamilies(load('dual-v6'));
    expect(r.evidence).toEqual([
      'service default/kubernetes clusterIPs [fd00:10:96::1] → primary IPv6',
      'service ClusterIPs: IPv4+IPv6 (3 services)',
      'node podCIDRs: IPv4+IPv6 (3 nodes)',
      'node InternalIPs: IPv4+IPv6',
      'pod IPs: IPv4+IPv6 (13 pods with IPs)',
      '→ dual-v6 (primary IPv6, families IPv6, IPv4)',
    ]);
  });
});

describe('inconsistent clusters', () => {
  test('IPv6 primary, but nodes only have IPv4 InternalIPs', () => {
    const objs = load('ipv6');
    const nodes = structuredClone(objs.nodes) as V1Node[];
    nodes.forEach((n, i) => {
      n.status!.addresses = [{ type: 'InternalIP', address: `172.18.0.${i + 2}` }, { type: 'Hostname', address: n.metadata!.name! }];
    });
    const r = detectFamilies({ ...objs, nodes });
    expect(r.primary).toBe('IPv6');
    expect(r.families).toEqual(['IPv6', 'IPv4']); // the union, as seen
    expect(r.stack).toBe('dual-v6');
    expect(r.evidence).toContain('node InternalIPs: IPv4');
    expect(r.warnings).toContain('primary family is IPv6 but no node has a IPv6 InternalIP (nodes have IPv4)');
    expect(r.warnings).toContain('node v6e2e-ipv6-worker has no IPv6 InternalIP');
    expect(r.warnings.some((w) => /node v6e2e-ipv6-worker has no IPv4 podCIDR/.test(w))).toBe(true);
  });

  test('dual-stack services but one node lost its IPv6 podCIDR, pods single-stack', () => {
    const objs = load('dual');
    const nodes = structuredClone(objs.nodes) as V1Node[];
    nodes[2]!.spec!.podCIDRs = ['10.244.2.0/24'];
    const pods = structuredClone(objs.pods) as V1Pod[];
    const echo = pods.find((p) => p.metadata?.name === 'echo-5d9c7f6b8c-vk7rz')!;
    echo.status!.podIPs = [{ ip: '10.244.2.7' }];
    const r = detectFamilies({ ...objs, nodes, pods });
    expect(r.stack).toBe('dual');
    expect(r.warnings).toEqual(['node v6e2e-dual-worker2 has no IPv6 podCIDR', '1 pod(s) have no IPv6 IP: default/echo-5d9c7f6b8c-vk7rz']);
  });

  test('pod CIDR order disagreeing with the service primary is flagged', () => {
    const objs = load('dual');
    const nodes = structuredClone(objs.nodes) as V1Node[];
    for (const n of nodes) n.spec!.podCIDRs = [...n.spec!.podCIDRs!].reverse();
    const r = detectFamilies({ ...objs, nodes });
    expect(r.primary).toBe('IPv4');
    expect(r.warnings).toEqual([expect.stringMatching(/node podCIDRs list IPv6 first while services are IPv4-primary/)]);
  });

  test('ipFamilies that disagree with clusterIPs, and garbage addresses', () => {
    const objs = load('ipv4');
    const services = structuredClone(objs.services) as V1Service[];
    services[1]!.spec!.ipFamilies = ['IPv6'];
    const pods = structuredClone(objs.pods) as V1Pod[];
    pods[0]!.status!.podIPs = [{ ip: 'not-an-ip' }];
    const r = detectFamilies({ ...objs, services, pods });
    expect(r.stack).toBe('ipv4');
    expect(r.warnings).toContain('service kube-system/kube-dns: spec.ipFamilies [IPv6] do not match clusterIPs [10.96.0.10]');
    expect(r.warnings).toContain('pod kube-system/coredns-66bc5c9577-7xk2p podIPs: "not-an-ip" is not a valid IP address');
  });

  test('no kubernetes service: primary guessed from nodes, with a warning', () => {
    const objs = load('dual-v6');
    const r = detectFamilies({ ...objs, services: objs.services.filter((s) => s.metadata?.name !== 'kubernetes') });
    expect(r.primary).toBe('IPv6');
    expect(r.warnings).toEqual([expect.stringMatching(/default\/kubernetes not found.*guessed/)]);
  });

  test('nothing to look at', () => {
    expect(() => detectFamilies({ nodes: [], services: [], pods: [] })).toThrow(/cannot detect IP families/);
  });

  test('headless services and pending pods are ignored', () => {
    const objs = load('ipv6');
    const headless: V1Service = { metadata: { namespace: 'default', name: 'h' }, spec: { clusterIP: 'None', clusterIPs: ['None'], ipFamilies: ['IPv6'] } };
    const pending: V1Pod = { metadata: { namespace: 'default', name: 'p' }, status: { phase: 'Pending' } };
    const r = detectFamilies({ ...objs, services: [...objs.services, headless], pods: [...objs.pods, pending] });
    expect(r.warnings).toEqual([]);
    expect(r.stack).toBe('ipv6');
  });
});

test('stackOf', () => {
  expect(stackOf('IPv6', ['IPv6'])).toBe('ipv6');
  expect(stackOf('IPv6', ['IPv6', 'IPv4'])).toBe('dual-v6');
  expect(stackOf('IPv4', ['IPv4', 'IPv6'])).toBe('dual');
});
