import type { V1EndpointSlice, V1Node, V1Pod } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import { hostIpOf, hostNetworkSliceVerdict, missingHostIp, nodeAddressesOf, nodeHostIpOf } from './host-network.ts';

function node(name: string, addresses: [string, string][]): V1Node {
  return { metadata: { name }, status: { addresses: addresses.map(([type, address]) => ({ type, address })) } };
}

const w1 = node('w1', [['InternalIP', 'fc00::3'], ['InternalIP', '172.18.0.3'], ['Hostname', 'w1']]);
const w2 = node('w2', [['InternalIP', 'fc00::2'], ['InternalIP', '172.18.0.2']]);
const v4only = node('v4', [['InternalIP', '172.18.0.9']]);

describe('hostIpOf / nodeHostIpOf', () => {
  test('the pod status.hostIPs entry of the family, hostIP when the list is absent', () => {
    const pod: V1Pod = { status: { hostIP: 'fc00::3', hostIPs: [{ ip: 'fc00::3' }, { ip: '172.18.0.3' }] } };
    expect(hostIpOf(pod, 'IPv4')).toBe('172.18.0.3');
    expect(hostIpOf(pod, 'IPv6')).toBe('fc00::3');
    expect(hostIpOf({ status: { hostIP: '172.18.0.3' } }, 'IPv4')).toBe('172.18.0.3');
    expect(hostIpOf({ status: { hostIP: '172.18.0.3' } }, 'IPv6')).toBeUndefined();
  });
  test('the node host IP of the family', () => {
    expect(nodeHostIpOf(w1, 'IPv4')).toBe('172.18.0.3');
    expect(nodeHostIpOf(v4only, 'IPv6')).toBeUndefined();
  });
  test('a pod without a host IP of the family fails naming its node', () => {
    const v = missingHostIp({ metadata: { namespace: 'ns', name: 'hp' }, spec: { nodeName: 'v4', containers: [] }, status: { hostIPs: [{ ip: '172.18.0.9' }] } }, 'IPv6', 'x');
    expect(v.ok).toBe(false);
    expect(v.expected).toBe('pod ns/hp\'s node v4 to have an IPv6 host IP');
    expect(v.seen).toBe('hostIPs [172.18.0.9 (IPv4)]');
  });
});

describe('nodeAddressesOf', () => {
  test('every InternalIP of the family, per node', () => {
    const two = node('two', [['InternalIP', 'fc00::5'], ['InternalIP', 'fd00::5'], ['ExternalIP', 'fc00::99']]);
    expect(nodeAddressesOf([w1, two], 'IPv6')).toEqual({
      targets: [{ node: 'w1', address: 'fc00::3' }, { node: 'two', address: 'fc00::5' }, { node: 'two', address: 'fd00::5' }],
      missing: [],
    });
  });
  test('a node without one is a failure naming it', () => {
    const { targets, missing } = nodeAddressesOf([w1, v4only], 'IPv6');
    expect(targets).toEqual([{ node: 'w1', address: 'fc00::3' }]);
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatchObject({ ok: false, object: 'Node v4', family: 'IPv6', expected: 'an InternalIP of IPv6' });
  });
});

function slice(name: string, addressType: string, endpoints: NonNullable<V1EndpointSlice['endpoints']>): V1EndpointSlice {
  return { metadata: { name }, addressType, endpoints };
}

const eps = [
  { pod: 'ns/hep-0', node: w1 },
  { pod: 'ns/hep-1', node: w2 },
];

function ep(pod: string, address: string, nodeName: string, ready = true): NonNullable<V1EndpointSlice['endpoints']>[number] {
  return { addresses: [address], nodeName, conditions: { ready }, targetRef: { kind: 'Pod', namespace: 'ns', name: pod } };
}

describe('hostNetworkSliceVerdict', () => {
  const good = [
    slice('s-v6', 'IPv6', [ep('hep-0', 'fc00:0::3', 'w1'), ep('hep-1', 'fc00::2', 'w2')]),
    slice('s-v4', 'IPv4', [ep('hep-0', '172.18.0.3', 'w1'), ep('hep-1', '172.18.0.2', 'w2')]),
  ];
  test('passes when every endpoint is listed at its node address of the family (normalised)', () => {
    const v = hostNetworkSliceVerdict({ service: 'ns/hep', family: 'IPv6', slices: good, endpoints: eps });
    expect(v.ok).toBe(true);
    expect(v.seen).toBe('2 listed in s-v6');
    expect(hostNetworkSliceVerdict({ service: 'ns/hep', family: 'IPv4', slices: good, endpoints: eps }).ok).toBe(true);
  });
  test('no slice of the family fails per endpoint, listing the slices there are', () => {
    const v = hostNetworkSliceVerdict({ service: 'ns/hep', family: 'IPv6', slices: [good[1]!], endpoints: eps });
    expect(v.ok).toBe(false);
    expect(v.failures).toHaveLength(2);
    expect(v.failures[0]).toEqual({
      object: 'Service ns/hep EndpointSlice (IPv6) endpoint for pod ns/hep-0',
      family: 'IPv6',
      expected: "address fc00::3 (Node w1's IPv6 host IP), nodeName w1, ready",
      seen: 'no IPv6 EndpointSlice (slices: s-v4 (IPv4))',
    });
  });
  test('a wrong address, a wrong node, not ready or a missing endpoint each fail', () => {
    const bad = [slice('s-v6', 'IPv6', [ep('hep-0', 'fd00:10:244::7', 'w1'), ep('hep-1', 'fc00::2', 'w2', false)])];
    const v = hostNetworkSliceVerdict({ service: 'ns/hep', family: 'IPv6', slices: bad, endpoints: eps });
    expect(v.failures.map((f) => f.seen)).toEqual([
      's-v6: addresses [fd00:10:244::7 (IPv6)], nodeName w1, ready',
      's-v6: addresses [fc00::2 (IPv6)], nodeName w2, not ready',
    ]);
    const wrongNode = [slice('s-v6', 'IPv6', [ep('hep-0', 'fc00::3', 'w2')])];
    const w = hostNetworkSliceVerdict({ service: 'ns/hep', family: 'IPv6', slices: wrongNode, endpoints: eps });
    expect(w.failures.map((f) => f.seen)).toEqual(['s-v6: addresses [fc00::3 (IPv6)], nodeName w2, ready', 'no endpoint for the pod in s-v6']);
  });
  test('a node without a host IP of the family fails naming the node', () => {
    const v = hostNetworkSliceVerdict({ service: 'ns/hep', family: 'IPv6', slices: good, endpoints: [{ pod: 'ns/x', node: v4only }] });
    expect(v.failures[0]).toMatchObject({ expected: 'Node v4 to have an IPv6 host IP', seen: 'Node v4 host IPs [172.18.0.9 (IPv4)]' });
  });
});
