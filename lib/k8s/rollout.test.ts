import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import { deploymentRolledOut, terminating } from './rollout.ts';

describe('deploymentRolledOut', () => {
  test('needs the new generation observed and every replica ready, with no old ones left', () => {
    const d: V1Deployment = { metadata: { generation: 2 }, spec: { replicas: 2, selector: {}, template: {} }, status: { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 } };
    expect(deploymentRolledOut(d)).toBe(true);
    expect(deploymentRolledOut({ ...d, status: { ...d.status, observedGeneration: 1 } })).toBe(false);
    expect(deploymentRolledOut({ ...d, status: { ...d.status, replicas: 3 } })).toBe(false);
    expect(deploymentRolledOut({ ...d, status: { ...d.status, readyReplicas: 1 } })).toBe(false);
  });
});

test('terminating names the pods with a deletionTimestamp', () => {
  const pods: V1Pod[] = [{ metadata: { name: 'new' } }, { metadata: { name: 'old', deletionTimestamp: new Date() } }];
  expect(terminating(pods)).toEqual(['old']);
  expect(terminating([])).toEqual([]);
});
