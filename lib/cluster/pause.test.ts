import type { V1Lease, V1Node, V1Pod } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import { unsettled } from './pause.ts';

const WOKE = Date.parse('2026-12-03T16:00:00Z');
const node = (name: string, ready: string, taint?: string): V1Node => ({
  metadata: { name },
  spec: taint ? { taints: [{ key: taint, effect: 'NoExecute' }] } : {},
  status: { conditions: [{ type: 'Ready', status: ready }] },
});
const lease = (name: string, renewMs: number): V1Lease => ({ metadata: { name }, spec: { renewTime: new Date(renewMs) } });
const pod = (name: string, ready: string, phase = 'Running'): V1Pod => ({
  metadata: { namespace: 'kube-system', name },
  status: { phase, conditions: [{ type: 'Ready', status: ready }] },
});

describe('unsettled: what keeps a woken cluster from being usable', () => {
  test('renewed leases, Ready nodes without taints and Ready pods: settled', () => {
    expect(unsettled({ wokeAtMs: WOKE, nodes: [node('w1', 'True')], leases: [lease('w1', WOKE + 500)], pods: [pod('coredns-1', 'True'), pod('job', 'False', 'Succeeded')] })).toEqual([]);
  });

  test('a lease last renewed before the wake is named (the node controller has not seen the kubelet yet)', () => {
    expect(unsettled({ wokeAtMs: WOKE, nodes: [node('w1', 'True')], leases: [lease('w1', WOKE - 60_000)], pods: [] })).toEqual([
      { kind: 'lease', object: 'node w1', seen: 'lease not renewed since the wake' },
    ]);
    expect(unsettled({ wokeAtMs: WOKE, nodes: [node('w1', 'True')], leases: [], pods: [] })[0]?.kind).toBe('lease');
  });

  test('the flap after a wake: Unknown node, unreachable taint, pods not ready are each named', () => {
    const u = unsettled({
      wokeAtMs: WOKE,
      nodes: [node('w1', 'Unknown', 'node.kubernetes.io/unreachable')],
      leases: [lease('w1', WOKE + 1_000)],
      pods: [pod('coredns-1', 'False')],
    });
    expect(u).toEqual([
      { kind: 'node', object: 'node w1', seen: 'Ready is Unknown' },
      { kind: 'node', object: 'node w1', seen: 'tainted node.kubernetes.io/unreachable' },
      { kind: 'pod', object: 'pod kube-system/coredns-1', seen: 'Ready is False' },
    ]);
  });
});
