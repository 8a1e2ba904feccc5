/**
 * What a run learns from, and leaves on, the cluster it tests: one inspection
 * before any test (an unreachable cluster is a clear exit 2), the check that a
 * reused lab cluster is the variant asked for, and the sweep of this run's
 * namespaces and outside-client containers.
 */
import { VersionApi, type KubeConfig } from '@kubernetes/client-node';
import type { ClusterVariant } from '../cluster/variant.ts';
import type { ClusterFacts } from '../harness/settings.ts';
import { deleteRunNamespaces, RUN_LABEL } from '../k8s/apply.ts';
import { clients, describeApiError } from '../k8s/client.ts';
import { detectClusterFamilies, type ClusterFamilies } from '../k8s/families.ts';
import { detectClusterEnvironment } from '../report/cluster-environment.ts';
import { dockerTry } from '../util/docker.ts';
import { EnvironmentError, UsageError } from '../util/errors.ts';

export interface Inspected {
  families: ClusterFamilies;
  /** `unknown` when the API server does not say (the families were read, so it answers). */
  version: string;
}

/** Talks to the cluster once before any test runs, so an unreachable one is a clear exit 2. */
export async function inspectCluster(kc: KubeConfig, label: string): Promise<Inspected> {
  let families: ClusterFamilies;
  try {
    families = await detectClusterFamilies(clients(kc).core);
  } catch (err) {
    const server = kc.getCurrentCluster()?.server ?? '?';
    const why = err instanceof Error ? (err.message.split('\n', 1)[0] ?? '') : String(err);
    throw new EnvironmentError(
      `cannot read the cluster ${label} (context ${kc.getCurrentContext()}, server ${server}): ${why.slice(0, 200)}; check --kubeconfig/--context and that the cluster is up`,
    );
  }
  const version = await kc
    .makeApiClient(VersionApi)
    .getCode()
    .then((v) => v.gitVersion, () => 'unknown');
  return { families, version };
}

/** What the lab knows of a variant's implementation, for the reports. */
export function labClusterFacts(v: ClusterVariant): ClusterFacts {
  const a = v.addressing;
  return {
    cni: v.cni === 'flannel' ? 'flannel (vxlan)' : 'kindnet (v6e2e kindnetd-compatible)',
    kubeProxyMode: v.kubeProxyMode,
    podSubnets: [...a.podSubnets],
    serviceSubnets: [...a.serviceSubnets],
    nodeCidrMasks: { ...a.nodeCidrMask },
  };
}

/** An existing cluster's implementation, as far as it shows it. */
export async function existingClusterFacts(kc: KubeConfig): Promise<ClusterFacts> {
  const seen = await detectClusterEnvironment(kc);
  return { cni: seen.cni ?? null, kubeProxyMode: seen.kubeProxyMode ?? null, podSubnets: [], serviceSubnets: [], nodeCidrMasks: {} };
}

/** A reused cluster must be the variant asked for: a report must never call an iptables cluster nftables. */
export async function assertReusedVariant(kc: KubeConfig, name: string, variant: ClusterVariant, serverVersion: string): Promise<void> {
  const seen = await detectClusterEnvironment(kc);
  const mode = seen.kubeProxyMode?.startsWith('iptables') ? 'iptables' : seen.kubeProxyMode;
  const cni = seen.cni?.includes('flannel') ? 'flannel' : seen.cni?.includes('kindnet') ? 'kindnet' : seen.cni;
  const off: string[] = [];
  if (mode !== undefined && mode !== variant.kubeProxyMode) off.push(`kube-proxy mode ${mode}, not ${variant.kubeProxyMode}`);
  if (cni !== undefined && cni !== variant.cni) off.push(`CNI ${cni}, not ${variant.cni}`);
  const tree = variant.kubernetes;
  if (tree && serverVersion !== tree.stamp.gitVersion) off.push(`Kubernetes ${serverVersion}, not ${tree.stamp.gitVersion} built from ${tree.dir}`);
  if (off.length > 0) {
    throw new UsageError(`cluster ${name} runs ${off.join(' and ')}; delete it (v6e2e down --name ${name}) or give the flags it was made with`);
  }
}

/** Best effort: a failed sweep must not turn a green run red; it is said, not hidden. */
export async function sweepNamespaces(kc: KubeConfig, runId: string, log: (line: string) => void, info: (line: string) => void): Promise<void> {
  try {
    const gone = await deleteRunNamespaces(kc, runId);
    if (gone.length > 0) info(`deleted ${gone.length} namespace(s) left by this run: ${gone.join(', ')}`);
  } catch (err) {
    log(`v6e2e: could not sweep namespaces labelled ${RUN_LABEL}=${runId}: ${describeApiError(err)}`);
  }
}

/**
 * Removes the containers labelled with this run (its outside clients) from a reused lab
 * cluster's Docker: after a Ctrl-C, the files and the CLI's own removal never ran. Best effort, said.
 */
export async function sweepRunContainers(runId: string, log: (line: string) => void, info: (line: string) => void): Promise<void> {
  const label = `${RUN_LABEL}=${runId.slice(0, 63)}`;
  try {
    const listed = await dockerTry(['ps', '-a', '-q', '--filter', `label=${label}`]);
    const ids = listed.stdout.split('\n').filter(Boolean);
    if (listed.exitCode !== 0 || ids.length === 0) return;
    const removed = await dockerTry(['rm', '-f', '-v', ...ids]);
    if (removed.exitCode === 0) info(`removed ${ids.length} container(s) left by this run`);
    else log(`v6e2e: could not remove the containers labelled ${label}: ${removed.stderr.trim()}`);
  } catch (err) {
    log(`v6e2e: could not remove the containers labelled ${label}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
