/**
 * Probe pods: agnhost (built by the lab from the pinned Kubernetes module) as
 * server and client. Pods are pinned to nodes with nodeName so that "across
 * nodes" means it, and run in the suite's namespace so cleanup is one delete.
 */
import type { KubeConfig, V1Pod, V1Container } from '@kubernetes/client-node';
import { CoreV1Api } from '@kubernetes/client-node';
import { waitFor } from '../k8s/wait.ts';
import { IMAGES } from '../lab/versions.ts';

/** The agnhost image: the lab's, or another one for clusters with a registry. */
export const AGNHOST_IMAGE = process.env.V6E2E_AGNHOST_IMAGE ?? IMAGES.agnhost;

export interface ProbePodSpec {
  name: string;
  /** Pin to this node (bypasses the scheduler). */
  node?: string;
  hostNetwork?: boolean;
  /** agnhost arguments; default `netexec --http-port=8080 --udp-port=8081`. */
  args?: string[];
  labels?: Record<string, string>;
  env?: V1Container['env'];
}

export const NETEXEC_HTTP_PORT = 8080;
export const NETEXEC_UDP_PORT = 8081;

export function probePodManifest(ns: string, s: ProbePodSpec): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: s.name, namespace: ns, labels: { 'app.kubernetes.io/name': 'v6e2e-probe', ...(s.labels ?? {}) } },
    spec: {
      nodeName: s.node,
      hostNetwork: s.hostNetwork ?? false,
      dnsPolicy: s.hostNetwork ? 'ClusterFirstWithHostNet' : 'ClusterFirst',
      terminationGracePeriodSeconds: 1,
      tolerations: [{ operator: 'Exists' }],
      containers: [
        {
          name: 'agnhost',
          image: AGNHOST_IMAGE,
          imagePullPolicy: 'IfNotPresent',
          args: s.args ?? ['netexec', `--http-port=${NETEXEC_HTTP_PORT}`, `--udp-port=${NETEXEC_UDP_PORT}`],
          env: s.env,
          readinessProbe: s.args ? undefined : { httpGet: { path: '/healthz', port: NETEXEC_HTTP_PORT }, periodSeconds: 1 },
        },
      ],
    },
  };
}

/** Creates the pods and waits until every one is Ready; returns them with IPs filled in. */
export async function startProbePods(kc: KubeConfig, ns: string, specs: ProbePodSpec[], timeoutMs = 120_000): Promise<V1Pod[]> {
  const core = kc.makeApiClient(CoreV1Api);
  await Promise.all(specs.map((s) => core.createNamespacedPod({ namespace: ns, body: probePodManifest(ns, s) })));
  return Promise.all(specs.map((s) => waitPodReady(kc, ns, s.name, timeoutMs)));
}

export async function waitPodReady(kc: KubeConfig, ns: string, name: string, timeoutMs = 120_000): Promise<V1Pod> {
  const core = kc.makeApiClient(CoreV1Api);
  const pod = await waitFor(
    `pod ${ns}/${name} Ready`,
    async () => {
      const p = await core.readNamespacedPod({ name, namespace: ns });
      const ready = p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      return ready ? p : undefined;
    },
    { timeoutMs, intervalMs: 500 },
  );
  return pod!;
}

/** Names of schedulable worker nodes (control plane last, used only when alone). */
export async function workerNodes(kc: KubeConfig): Promise<string[]> {
  const nodes = await kc.makeApiClient(CoreV1Api).listNode({});
  const isCp = (n: (typeof nodes.items)[number]) => Object.keys(n.metadata?.labels ?? {}).includes('node-role.kubernetes.io/control-plane');
  const workers = nodes.items.filter((n) => !isCp(n)).map((n) => n.metadata!.name!);
  return workers.length ? workers : nodes.items.map((n) => n.metadata!.name!);
}
