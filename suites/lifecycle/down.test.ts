/**
 * `v6e2e down` leaves nothing behind: no node or edge container, no lab file, no lab
 * network, no volume the cluster used. Runs in the `lifecycle` project, last, against
 * the clusters named by V6E2E_LIFECYCLE_CLUSTER (comma-separated; the test command
 * keeps its clusters for this); deleting them, all at once, is the test.
 */
import { describe, expect, test } from 'vitest';
import { clusterExists, clusterVolumes, down, leftovers } from '../../lib/cluster/kind.ts';
import { silentProgress } from '../../lib/util/progress.ts';

const names = (process.env.V6E2E_LIFECYCLE_CLUSTER ?? '').split(',').filter(Boolean);

// At once: deletions side by side must each leave nothing too (lib/cluster/engine-lock.ts).
describe.concurrent('cluster lifecycle', () => {
  if (names.length === 0) test.skip('v6e2e down removes every container, network and volume of the cluster (V6E2E_LIFECYCLE_CLUSTER names none)', () => {});
  test.for(names)('v6e2e down %s removes every container, network and volume of the cluster and its lab edge', { timeout: 300_000 }, async (cluster) => {
    expect(await clusterExists(cluster), `cluster ${cluster} should exist before down`).toBe(true);
    const before = await leftovers(cluster);
    expect(before.containers.length, 'the cluster has node and edge containers before down').toBeGreaterThanOrEqual(3);
    const volumes = await clusterVolumes(cluster);
    await down({ name: cluster, progress: silentProgress });
    const after = await leftovers(cluster, volumes);
    expect(before.files.length, 'the cluster has its kubeconfig and edge files before down').toBeGreaterThanOrEqual(1);
    expect(after, `left behind by down of ${cluster}`).toEqual({ containers: [], networks: [], volumes: [], files: [] });
  });
});
