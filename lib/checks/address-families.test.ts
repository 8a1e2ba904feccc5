import fs from 'node:fs';
import path from 'node:path';
import type { V1EndpointSlice, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import { familyOf, type IPFamily } from '../net/family.ts';
import {
  checkDetectedStack,
  checkEndpointSliceAddressTypes,
  checkEndpointSliceFamily,
  checkEndpointSlices,
  checkFamiliesAgree,
  checkHostNetworkPodIPs,
  checkNodeInternalIP,
  checkNodeInternalIPOrder,
  checkNodePodCIDR,
  checkNodePodCIDRPlan,
  checkNodePodCIDRs,
  checkNoForeignEndpointSlices,
  parseNodeIpamFlags,
  checkPodCIDRsDisjoint,
  checkPodHostIPs,
  checkPodIPInNodeCIDR,
  checkPodIPs,
  checkServiceCreation,
  checkServiceFamilies,
  expectedServiceFamilies,
  familyTag,
  sameCidr,
  sameIp,
  showIps,
  type ServiceRequest,
  nodeHostIPs,
} from './address-families.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/api-objects');
type Profile = 'ipv4' | 'ipv6' | 'dual' | 'dual-v6';
const FAMILIES: Record<Profile, IPFamily[]> = {
  ipv4: ['IPv4'],
  ipv6: ['IPv6'],
  dual: ['IPv4', 'IPv6'],
  'dual-v6': ['IPv6', 'IPv4'],
};
const PROFILES = Object.keys(FAMILIES) as Profile[];

function items<T>(profile: Profile, kind: 'nodes' | 'services' | 'pods'): T[] {
  return (JSON.parse(fs.readFileSync(path.join(FIXTURES, profile, `${kind}.json`), 'utf8')) as { items: T[] }).items;
}
const nodes = (p: Profile) => items<V1Node>(p, 'nodes');
const pods = (p: Profile) => items<V1Pod>(p, 'pods');
const services = (p: Profile) => items<V1Service>(p, 'services');
const nodeOf = (p: Profile, pod: V1Pod) => nodes(p).find((n) => n.metadata?.name === pod.spec?.nodeName)!;
const svc = (p: Profile, ns: string, name: string) => services(p).find((s) => s.metadata?.namespace === ns && s.metadata?.name === name)!;

function slice(name: string, addressType: string, addresses: string[], service = 'echo'): V1EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
    addressType,
    endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready: true } })),
  };
}

describe('helpers', () => {
  test('addresses and CIDRs compare after normalisation', () => {
    expect(sameIp('fd00:10:244:0:0::5', 'fd00:10:244::5')).toBe(true);
    expect(sameIp('FD00::1', 'fd00::1')).toBe(true);
    expect(sameIp('10.0.0.1', '10.0.0.2')).toBe(false);
    expect(sameIp('10.0.0.1', undefined)).toBe(false);
    expect(sameIp('bogus', 'bogus')).toBe(false);
    expect(sameCidr('fd00:10:244:1:0::/64', 'fd00:10:244:1::/64')).toBe(true);
    expect(sameCidr('10.244.1.0/24', '10.244.1.0/25')).toBe(false);
    expect(sameCidr('10.244.1.0/24', 'fd00::/64')).toBe(false);
    expect(showIps(['10.0.0.1', 'fd00::1', 'x'])).toBe('[10.0.0.1 (IPv4), fd00::1 (IPv6), "x" (invalid)]');
    expect(familyTag(['IPv6'])).toBe('IPv6');
    expect(familyTag(['IPv4', 'IPv6'])).toBe('dual');
  });
});

describe('nodes', () => {
  test.for(PROFILES)('%s fixture nodes pass every node check', (profile) => {
    const fams = FAMILIES[profile];
    for (const n of nodes(profile)) {
      for (const f of fams) {
        expect(checkNodeInternalIP(n, f).ok).toBe(true);
        expect(checkNodePodCIDR(n, f).ok).toBe(true);
      }
      expect(checkNodeInternalIPOrder(n, fams).message).toMatch(/expected \d sub-checks pass/);
      expect(checkNodeInternalIPOrder(n, fams).ok).toBe(true);
      expect(checkNodePodCIDRs(n, fams).ok).toBe(true);
    }
    for (const f of fams) expect(checkPodCIDRsDisjoint(nodes(profile), f).ok).toBe(true);
  });

  test('missing family: names node and family', () => {
    const n = structuredClone(nodes('dual')[1]!);
    n.status!.addresses = n.status!.addresses!.filter((a) => a.address !== 'fc00:f853:ccd:e793::2');
    const v = checkNodeInternalIP(n, 'IPv6');
    expect(v.ok).toBe(false);
    expect(v.message).toBe('Node v6e2e-dual-worker [IPv6]: expected an InternalIP of IPv6, saw InternalIPs [172.18.0.2 (IPv4)]');
    expect(checkNodeInternalIPOrder(n, ['IPv4', 'IPv6']).message).toContain('Node v6e2e-dual-worker [IPv6]: expected InternalIPs[1] of IPv6');
  });

  test('secondary family first fails the order check', () => {
    const n = structuredClone(nodes('dual')[1]!);
    n.status!.addresses!.reverse();
    const v = checkNodeInternalIPOrder(n, ['IPv4', 'IPv6']);
    expect(v.ok).toBe(false);
    expect(v.message).toContain('Node v6e2e-dual-worker [IPv4]: expected InternalIPs[0] of IPv4');
    expect(v.message).toContain('[fc00:f853:ccd:e793::2 (IPv6), 172.18.0.2 (IPv4)]');
  });

  test('an InternalIP of a family the cluster lacks fails the single-stack order check', () => {
    const n = structuredClone(nodes('ipv6')[1]!);
    n.status!.addresses!.push({ type: 'InternalIP', address: '172.18.0.9' });
    const v = checkNodeInternalIPOrder(n, ['IPv6']);
    expect(v.ok).toBe(false);
    expect(v.message).toContain('[IPv4]: expected 1 InternalIPs entry (one per family [IPv6])');
  });

  test('podCIDRs: wrong order, missing family, podCIDR != podCIDRs[0]', () => {
    const base = nodes('dual')[1]!;
    const swapped = structuredClone(base);
    swapped.spec!.podCIDRs!.reverse();
    const v1 = checkNodePodCIDRs(swapped, ['IPv4', 'IPv6']);
    expect(v1.ok).toBe(false);
    expect(v1.message).toContain('[IPv4]: expected podCIDRs[0] of IPv4');
    expect(v1.message).toContain('[IPv4]: expected podCIDR == podCIDRs[0]');

    const missing = structuredClone(base);
    missing.spec!.podCIDRs = ['10.244.1.0/24'];
    expect(checkNodePodCIDR(missing, 'IPv6').message).toBe(
      'Node v6e2e-dual-worker [IPv6]: expected a podCIDR of IPv6, saw podCIDRs [10.244.1.0/24 (IPv4)]',
    );

    const other = structuredClone(base);
    other.spec!.podCIDR = '10.244.2.0/24';
    const v3 = checkNodePodCIDRs(other, ['IPv4', 'IPv6']);
    expect(v3.ok).toBe(false);
    expect(v3.message).toBe(
      'Node v6e2e-dual-worker [IPv4]: expected podCIDR == podCIDRs[0], saw podCIDRs [10.244.1.0/24 (IPv4), fd00:10:244:1::/64 (IPv6)], podCIDR 10.244.2.0/24',
    );
  });

  test('overlapping podCIDRs between nodes are caught', () => {
    const ns = structuredClone(nodes('ipv6'));
    ns[2]!.spec!.podCIDRs = ['fd00:10:244:1::/80'];
    const v = checkPodCIDRsDisjoint(ns, 'IPv6');
    expect(v.ok).toBe(false);
    expect(v.message).toContain('v6e2e-ipv6-worker fd00:10:244:1::/64 overlaps v6e2e-ipv6-worker2 fd00:10:244:1::/80');
  });
});

describe('pods', () => {
  test.for(PROFILES)('%s fixture pods pass the pod checks', (profile) => {
    const fams = FAMILIES[profile];
    for (const p of pods(profile)) {
      const n = nodeOf(profile, p);
      expect(checkPodIPs(p, fams).ok, checkPodIPs(p, fams).message).toBe(true);
      expect(checkPodHostIPs(p, n, fams).ok, checkPodHostIPs(p, n, fams).message).toBe(true);
      if (p.spec?.hostNetwork) {
        expect(checkHostNetworkPodIPs(p, n, fams).ok, checkHostNetworkPodIPs(p, n, fams).message).toBe(true);
      } else {
        for (const f of fams) expect(checkPodIPInNodeCIDR(p, n, f).ok, checkPodIPInNodeCIDR(p, n, f).message).toBe(true);
      }
    }
  });

  const echo = () => structuredClone(pods('dual').find((p) => p.metadata?.name?.startsWith('echo-'))!);

  test('swapped podIPs: names the pod, family, expected and seen', () => {
    const p = echo();
    p.status!.podIPs!.reverse();
    const v = checkPodIPs(p, ['IPv4', 'IPv6']);
    expect(v.ok).toBe(false);
    expect(v.object).toBe('Pod default/echo-5d9c7f6b8c-2fjqn');
    expect(v.message).toContain(
      'Pod default/echo-5d9c7f6b8c-2fjqn [IPv4]: expected podIPs[0] of IPv4, saw podIPs [fd00:10:244:1::5 (IPv6), 10.244.1.5 (IPv4)], podIP 10.244.1.5',
    );
    expect(v.message).toContain('[IPv4]: expected podIP == podIPs[0]');
  });

  test('single-family pod on a dual-stack cluster', () => {
    const p = echo();
    p.status!.podIPs = [{ ip: '10.244.1.5' }];
    expect(checkPodIPs(p, ['IPv4', 'IPv6']).message).toContain('[IPv6]: expected podIPs[1] of IPv6, saw podIPs [10.244.1.5 (IPv4)]');
    expect(checkPodIPInNodeCIDR(p, nodeOf('dual', p), 'IPv6').ok).toBe(false);
  });

  test('pod IP outside its node podCIDR (checked against another node)', () => {
    const p = echo();
    const other = nodes('dual').find((n) => n.metadata?.name === 'v6e2e-dual-worker2')!;
    const v = checkPodIPInNodeCIDR(p, other, 'IPv6');
    expect(v.ok).toBe(false);
    expect(v.message).toBe(
      "Pod default/echo-5d9c7f6b8c-2fjqn [IPv6]: expected one IPv6 podIP inside Node v6e2e-dual-worker2's IPv6 podCIDR fd00:10:244:2::/64, saw podIPs [10.244.1.5 (IPv4), fd00:10:244:1::5 (IPv6)]",
    );
  });

  test('hostIPs: wrong node, swapped, hostIP != hostIPs[0]', () => {
    const p = echo();
    const own = nodeOf('dual', p);
    const other = nodes('dual').find((n) => n.metadata?.name === 'v6e2e-dual-worker2')!;
    expect(checkPodHostIPs(p, other, ['IPv4', 'IPv6']).message).toContain("[IPv4]: expected hostIPs[0] == the node's IPv4 host IP 172.18.0.4");
    const swapped = structuredClone(p);
    swapped.status!.hostIPs!.reverse();
    expect(checkPodHostIPs(swapped, own, ['IPv4', 'IPv6']).message).toContain('[IPv4]: expected hostIP == hostIPs[0]');
    const missing = structuredClone(p);
    delete missing.status!.hostIPs;
    // Before 1.29 only status.hostIP exists: it stands for the list, and the IPv6 one is missing.
    expect(checkPodHostIPs(missing, own, ['IPv4', 'IPv6']).message).toContain('[IPv6]: expected hostIPs[1] of IPv6, saw hostIPs [172.18.0.');
    delete missing.status!.hostIP;
    expect(checkPodHostIPs(missing, own, ['IPv4', 'IPv6']).message).toContain('[IPv6]: expected hostIPs[1] of IPv6, saw hostIPs []');
  });

  test('hostNetwork pod: order and node', () => {
    const kp = structuredClone(pods('dual-v6').find((p) => p.spec?.hostNetwork && p.spec.nodeName === 'v6e2e-dual-v6-worker')!);
    const own = nodeOf('dual-v6', kp);
    const v6first = ['IPv6', 'IPv4'] as const;
    expect(checkHostNetworkPodIPs(kp, own, v6first).ok).toBe(true);
    kp.status!.podIPs!.reverse();
    kp.status!.podIP = kp.status!.podIPs![0]!.ip;
    const v = checkHostNetworkPodIPs(kp, own, v6first);
    expect(v.ok).toBe(false);
    expect(v.message).toContain("[IPv6]: expected podIPs[0] == Node v6e2e-dual-v6-worker's IPv6 host IP");
    const notHost = structuredClone(pods('dual').find((p) => p.metadata?.name?.startsWith('echo-'))!);
    expect(checkHostNetworkPodIPs(notHost, nodeOf('dual', notHost), ['IPv4', 'IPv6']).message).toContain('expected spec.hostNetwork true');
  });

  test('hostNetwork pod on a node that lists its secondary family first (k/k#120720) fails the primary-first rule', () => {
    const kp = structuredClone(pods('dual-v6').find((p) => p.spec?.hostNetwork && p.spec.nodeName === 'v6e2e-dual-v6-worker')!);
    const node = structuredClone(nodeOf('dual-v6', kp));
    // The node's order and the pod's agree (IPv4 first); the cluster's primary is IPv6.
    const internal = (node.status?.addresses ?? []).filter((a) => a.type === 'InternalIP');
    const v4 = internal.filter((a) => familyOf(a.address) === 'IPv4');
    node.status!.addresses = [...v4, ...internal.filter((a) => !v4.includes(a))];
    kp.status!.podIPs = nodeHostIPs(node).map((ip) => ({ ip }));
    kp.status!.podIP = kp.status!.podIPs[0]!.ip;
    const v = checkHostNetworkPodIPs(kp, node, ['IPv6', 'IPv4']);
    expect(v.ok).toBe(false);
    expect(v.failures).toContainEqual(expect.objectContaining({ family: 'IPv6', expected: 'podIPs[0] of IPv6' }));
  });
});

describe('service defaulting model (alloc.go initIPFamilyFields)', () => {
  const dual: IPFamily[] = ['IPv4', 'IPv6'];
  const v6: IPFamily[] = ['IPv6'];
  test.for([
    [{}, dual, 'SingleStack', ['IPv4']],
    [{}, v6, 'SingleStack', ['IPv6']],
    [{ families: ['IPv6'] }, dual, 'SingleStack', ['IPv6']],
    [{ policy: 'SingleStack', families: ['IPv4'] }, dual, 'SingleStack', ['IPv4']],
    [{ policy: 'PreferDualStack' }, dual, 'PreferDualStack', ['IPv4', 'IPv6']],
    [{ policy: 'PreferDualStack' }, v6, 'PreferDualStack', ['IPv6']],
    [{ policy: 'PreferDualStack', families: ['IPv6'] }, dual, 'PreferDualStack', ['IPv6', 'IPv4']],
    [{ policy: 'RequireDualStack' }, ['IPv6', 'IPv4'], 'RequireDualStack', ['IPv6', 'IPv4']],
    [{ policy: 'RequireDualStack', families: ['IPv6', 'IPv4'] }, dual, 'RequireDualStack', ['IPv6', 'IPv4']],
    [{ headless: true }, dual, 'SingleStack', ['IPv4']],
    [{ headless: true, policy: 'RequireDualStack' }, dual, 'RequireDualStack', ['IPv4', 'IPv6']],
    [{ headless: true, selector: false }, v6, 'RequireDualStack', ['IPv6', 'IPv4']],
    [{ headless: true, selector: false, policy: 'SingleStack' }, v6, 'SingleStack', ['IPv6']],
  ] as [ServiceRequest, IPFamily[], string, IPFamily[]][])('%j on %j → %s %j', ([req, cluster, policy, families]) => {
    const e = expectedServiceFamilies(req, cluster);
    expect(e).toMatchObject({ accepted: true, policy, families });
  });

  test.for([
    [{ policy: 'RequireDualStack' }, v6, ['RequireDualStack']],
    [{ policy: 'RequireDualStack', families: ['IPv4', 'IPv6'] }, v6, ['RequireDualStack', 'IPv4']],
    [{ policy: 'SingleStack', families: ['IPv4'] }, v6, ['IPv4']],
    [{ families: ['IPv4'] }, v6, ['IPv4']],
    [{ policy: 'PreferDualStack', families: ['IPv4'] }, v6, ['IPv4']],
    [{ policy: 'SingleStack', families: ['IPv4', 'IPv6'] }, dual, ['SingleStack']],
  ] as [ServiceRequest, IPFamily[], string[]][])('%j on %j → rejected naming %j', ([req, cluster, mentions]) => {
    expect(expectedServiceFamilies(req, cluster)).toMatchObject({ accepted: false, mentions });
  });
});

describe('services', () => {
  test.for(PROFILES)('%s fixture kubernetes and kube-dns Services are SingleStack primary', (profile) => {
    const primary = FAMILIES[profile][0]!;
    for (const [ns, name] of [
      ['default', 'kubernetes'],
      ['kube-system', 'kube-dns'],
    ] as const) {
      const v = checkServiceFamilies(svc(profile, ns, name), { policy: 'SingleStack', families: [primary] });
      expect(v.ok, v.message).toBe(true);
    }
  });

  test('dual fixture echo Service is PreferDualStack [IPv4, IPv6]', () => {
    expect(checkServiceFamilies(svc('dual', 'default', 'echo'), { policy: 'PreferDualStack', families: ['IPv4', 'IPv6'] }).ok).toBe(true);
  });

  test('a dual-stack Service downgraded to SingleStack [IPv4] fails the RequireDualStack check naming IPv6', () => {
    const s = structuredClone(svc('dual', 'default', 'echo'));
    s.spec!.ipFamilyPolicy = 'SingleStack';
    s.spec!.ipFamilies = ['IPv4'];
    s.spec!.clusterIPs = ['10.96.0.44'];
    const v = checkServiceFamilies(s, { policy: 'RequireDualStack', families: ['IPv4', 'IPv6'] });
    expect(v.ok).toBe(false);
    expect(v.message.split('\n')).toEqual([
      'Service default/echo [dual]: expected ipFamilyPolicy RequireDualStack, saw ipFamilyPolicy SingleStack, ipFamilies [IPv4]',
      'Service default/echo [IPv6]: expected ipFamilies[1] = IPv6 (ipFamilies [IPv4, IPv6]), saw ipFamilyPolicy SingleStack, ipFamilies [IPv4]',
      'Service default/echo [IPv6]: expected clusterIPs[1] of IPv6, saw clusterIPs [10.96.0.44 (IPv4)], clusterIP 10.96.0.44',
    ]);
  });

  test('clusterIPs swapped against ipFamilies, and clusterIP != clusterIPs[0]', () => {
    const s = structuredClone(svc('dual', 'default', 'echo'));
    s.spec!.clusterIPs!.reverse();
    const v = checkServiceFamilies(s, { policy: 'PreferDualStack', families: ['IPv4', 'IPv6'] });
    expect(v.ok).toBe(false);
    expect(v.message).toContain('Service default/echo [IPv4]: expected clusterIPs[0] of IPv4');
    expect(v.message).toContain('Service default/echo [IPv6]: expected clusterIPs[1] of IPv6');
    expect(v.message).toContain('[IPv4]: expected clusterIP == clusterIPs[0]');
  });

  test('headless Services: clusterIPs [None]', () => {
    const s = structuredClone(svc('dual', 'default', 'echo'));
    s.spec!.clusterIP = 'None';
    s.spec!.clusterIPs = ['None'];
    expect(checkServiceFamilies(s, { policy: 'PreferDualStack', families: ['IPv4', 'IPv6'], headless: true }).ok).toBe(true);
    expect(checkServiceFamilies(s, { policy: 'PreferDualStack', families: ['IPv4', 'IPv6'] }).ok).toBe(false);
    s.spec!.clusterIPs = ['10.96.0.44'];
    expect(checkServiceFamilies(s, { policy: 'PreferDualStack', families: ['IPv4', 'IPv6'], headless: true }).message).toContain(
      'expected headless: clusterIPs [None], clusterIP None',
    );
  });

  test('creation outcomes: accepted, rejected as expected, rejected with the wrong reason, accepted when it should not be', () => {
    const created = { service: svc('ipv6', 'kube-system', 'kube-dns') };
    expect(checkServiceCreation('ns/a', {}, created, ['IPv6']).ok).toBe(true);

    const reason = 'Service "r" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services';
    const req: ServiceRequest = { policy: 'RequireDualStack' };
    expect(checkServiceCreation('ns/r', req, { error: { status: 422, message: `HTTP 422: ${reason}` } }, ['IPv6']).ok).toBe(true);

    const wrongReason = checkServiceCreation('ns/r', req, { error: { status: 422, message: 'HTTP 422: something else' } }, ['IPv6']);
    expect(wrongReason.ok).toBe(false);
    expect(wrongReason.message).toBe(
      'Service ns/r (ipFamilyPolicy RequireDualStack, ipFamilies (unset)) [dual]: expected rejected with HTTP 422 naming RequireDualStack (RequireDualStack on a single-stack IPv6 cluster), saw rejected: HTTP 422: something else',
    );
    expect(checkServiceCreation('ns/r', req, { error: { status: 500, message: reason } }, ['IPv6']).ok).toBe(false);

    const v4 = checkServiceCreation('ns/s', { policy: 'SingleStack', families: ['IPv4'] }, created, ['IPv6']);
    expect(v4.ok).toBe(false);
    expect(v4.message).toContain('[IPv4]: expected rejected with HTTP 422 naming IPv4');
    expect(v4.message).toContain('saw created: ipFamilyPolicy SingleStack, ipFamilies [IPv6]');

    const refused = checkServiceCreation('ns/a', {}, { error: { status: 500, message: 'HTTP 500: boom' } }, ['IPv6']);
    expect(refused.message).toBe(
      'Service ns/a (ipFamilyPolicy (unset), ipFamilies (unset)) [IPv6]: expected created with ipFamilyPolicy SingleStack, ipFamilies [IPv6], saw rejected: HTTP 500: boom',
    );
  });
});

describe('endpoint slices', () => {
  const echo = () => svc('dual', 'default', 'echo');
  const backends = () => pods('dual').filter((p) => p.metadata?.name?.startsWith('echo-')).flatMap((p) => p.status!.podIPs!.map((x) => x.ip));

  test('one slice per family with the pods’ addresses (compared after normalisation) passes', () => {
    const slices = [
      slice('echo-a', 'IPv4', ['10.244.1.5', '10.244.2.7']),
      slice('echo-b', 'IPv6', ['fd00:10:244:1:0:0:0:5', 'fd00:10:244:2::7']),
    ];
    const v = checkEndpointSlices(echo(), slices, backends());
    expect(v.ok, v.message).toBe(true);
  });

  test('addresses may be spread over several slices of a family', () => {
    const slices = [
      slice('echo-a', 'IPv4', ['10.244.1.5']),
      slice('echo-c', 'IPv4', ['10.244.2.7']),
      slice('echo-b', 'IPv6', ['fd00:10:244:1::5', 'fd00:10:244:2::7']),
    ];
    expect(checkEndpointSlices(echo(), slices, backends()).ok).toBe(true);
  });

  test('missing family names the family', () => {
    const slices = [slice('echo-a', 'IPv4', ['10.244.1.5', '10.244.2.7'])];
    const v = checkEndpointSlices(echo(), slices, backends());
    expect(v.ok).toBe(false);
    expect(v.message).toBe(
      'Service default/echo EndpointSlices [IPv6]: expected an EndpointSlice of addressType IPv6 listing [fd00:10:244:1::5, fd00:10:244:2::7], saw no IPv6 EndpointSlice (slices: echo-a (IPv4: 10.244.1.5, 10.244.2.7))',
    );
  });

  test('foreign addressType and wrong addresses', () => {
    const single = structuredClone(echo());
    single.spec!.ipFamilies = ['IPv4'];
    single.spec!.ipFamilyPolicy = 'SingleStack';
    const slices = [slice('echo-a', 'IPv4', ['10.244.1.5', '192.0.2.1']), slice('echo-b', 'IPv6', ['fd00:10:244:1::5'])];
    const v = checkEndpointSlices(single, slices, backends());
    expect(v.ok).toBe(false);
    expect(v.message).toContain('[IPv4]: expected an EndpointSlice of addressType IPv4 listing [10.244.1.5, 10.244.2.7], saw IPv4 addresses [10.244.1.5, 192.0.2.1] (missing [10.244.2.7]; unexpected [192.0.2.1])');
    expect(checkNoForeignEndpointSlices(single, slices).message).toBe(
      'Service default/echo EndpointSlices [IPv6]: expected only EndpointSlices of addressType [IPv4] (the Service\'s ipFamilies), saw unexpected echo-b (IPv6: fd00:10:244:1::5)',
    );
  });

  test('address types only: one slice per family, none foreign', () => {
    const s = svc('dual', 'default', 'echo');
    expect(checkEndpointSliceAddressTypes(s, [slice('a', 'IPv4', ['172.18.0.3']), slice('b', 'IPv6', ['fc00::3'])]).ok).toBe(true);
    const v = checkEndpointSliceAddressTypes(s, [slice('a', 'IPv4', ['172.18.0.3'])]);
    expect(v.message).toBe('Service default/echo EndpointSlices [IPv6]: expected an EndpointSlice of addressType IPv6, saw slices: a (IPv4: 172.18.0.3)');
  });

  test('an address of the wrong family inside a slice is caught', () => {
    const slices = [slice('echo-a', 'IPv4', ['10.244.1.5', '10.244.2.7', 'fd00:10:244:1::5']), slice('echo-b', 'IPv6', ['fd00:10:244:1::5', 'fd00:10:244:2::7'])];
    const v = checkEndpointSliceFamily(echo(), slices, backends(), 'IPv4');
    expect(v.ok).toBe(false);
    expect(v.message).toContain('not IPv4: [fd00:10:244:1::5 (IPv6)]');
  });
});

describe('the cluster', () => {
  const detected = { stack: 'dual', evidence: ['nodes: IPv4, IPv6'], warnings: [] as string[] };

  test('the detected stack must be the declared profile', () => {
    expect(checkDetectedStack('kind-x', detected, 'dual').ok).toBe(true);
    const v = checkDetectedStack('kind-x', detected, 'ipv6');
    expect(v.failures).toEqual([{ object: 'cluster kind-x', family: 'dual', expected: 'stack ipv6', seen: 'stack dual (nodes: IPv4, IPv6)' }]);
  });

  test('a warning from family detection fails the agreement check, naming it', () => {
    expect(checkFamiliesAgree('kind-x', detected).ok).toBe(true);
    const v = checkFamiliesAgree('kind-x', { ...detected, warnings: ['pod a/b has IPv4 only'] });
    expect(v.ok).toBe(false);
    expect(v.seen).toBe('pod a/b has IPv4 only');
  });
});

describe('node CIDR plan (kube-controller-manager flags)', () => {
  const argv = ['kube-controller-manager', '--allocate-node-cidrs=true', '--cluster-cidr=2001:db8:42::/104', '--node-cidr-mask-size-ipv6=120'];
  const node = (cidr: string) => ({ metadata: { name: 'n1' }, spec: { podCIDR: cidr, podCIDRs: [cidr] } }) as V1Node;

  test('reads cluster CIDRs and masks, with kube-controller-manager defaults', () => {
    expect(parseNodeIpamFlags(argv, 's')).toEqual({ clusterCidrs: ['2001:db8:42::/104'], masks: { IPv6: 120 }, source: 's' });
    expect(parseNodeIpamFlags(['--allocate-node-cidrs=true', '--cluster-cidr=10.244.0.0/16,fd00:10:244::/56'], 's')!.masks).toEqual({ IPv4: 24, IPv6: 64 });
    expect(parseNodeIpamFlags(['--cluster-cidr=10.244.0.0/16'], 's')).toBeUndefined();
  });

  test('a /120 inside the /104 passes; another size or range fails naming both', () => {
    const cfg = parseNodeIpamFlags(argv, 'kcm flags')!;
    expect(checkNodePodCIDRPlan(node('2001:db8:42::100/120'), 'IPv6', cfg).ok).toBe(true);
    const wide = checkNodePodCIDRPlan(node('2001:db8:42::/119'), 'IPv6', cfg);
    expect(wide.ok).toBe(false);
    expect(wide.message).toMatch(/^Node n1 \[IPv6\]: expected a IPv6 podCIDR of size \/120 inside 2001:db8:42::\/104 \(kcm flags\), saw podCIDR 2001:db8:42::\/119 \(\/119\)/);
    expect(checkNodePodCIDRPlan(node('fd00::/120'), 'IPv6', cfg).message).toContain('outside the cluster CIDR');
  });
});

describe('nodeHostIPs: the one host-IP rule (kubelet GetNodeHostIPs)', () => {
  const node = (addresses: [string, string][]): V1Node => ({ metadata: { name: 'n' }, status: { addresses: addresses.map(([type, address]) => ({ type, address })) } });
  test('first InternalIP, then the first address of the other family', () => {
    expect(nodeHostIPs(node([['InternalIP', '172.18.0.8'], ['InternalIP', '172.18.0.9'], ['InternalIP', 'fc00::8']]))).toEqual(['172.18.0.8', 'fc00::8']);
  });
  test('ExternalIP stands in when the node has no InternalIP of a family', () => {
    expect(nodeHostIPs(node([['InternalIP', 'fd00::1'], ['ExternalIP', '203.0.113.5']]))).toEqual(['fd00::1', '203.0.113.5']);
    expect(nodeHostIPs(node([['ExternalIP', '203.0.113.5']]))).toEqual(['203.0.113.5']);
    expect(nodeHostIPs(node([['Hostname', 'n']]))).toEqual([]);
  });
});
