/**
 * Probe pods: agnhost (built by the lab from the pinned Kubernetes module) as
 * server and client. Pods are pinned to nodes with nodeName so that "across
 * nodes" means it, and run in the suite's namespace so cleanup is one delete.
 */
import type { KubeConfig, V1Node, V1Pod, V1PodSpec, V1Container, V1ContainerPort, V1Probe, V1Volume } from '@kubernetes/client-node';
import { CoreV1Api } from '@kubernetes/client-node';
import { createPod } from '../k8s/apply.ts';
import { apiStatus, updateOnConflict } from '../k8s/client.ts';
import { SHELL_PORT_ANNOTATION, shellOnCluster } from '../k8s/pod-shell.ts';
import { waitFor } from '../k8s/wait.ts';
import { IMAGES } from '../lab/versions.ts';
import { familyOf, isIp, type IPFamily } from '../net/family.ts';

/** The agnhost image: the lab's, or another one for clusters with a registry. */
export const AGNHOST_IMAGE = process.env.V6E2E_AGNHOST_IMAGE ?? IMAGES.agnhost;
/** The Redis image (redis-server + redis-cli): the lab's, or another one. */
export const REDIS_IMAGE = process.env.V6E2E_REDIS_IMAGE ?? IMAGES.redis;

export interface ProbePodSpec {
  name: string;
  /** Pin to this node (bypasses the scheduler). */
  node?: string;
  hostNetwork?: boolean;
  /** agnhost arguments; default `netexec --http-port=<httpPort> --udp-port=<udpPort>`. */
  args?: string[];
  /** Replaces the image's entrypoint (e.g. `['sh', '-c', …]` or `['sleep', 'infinity']`). */
  command?: string[];
  /** Default AGNHOST_IMAGE. */
  image?: string;
  /** netexec ports when `args` is not given (defaults 8080/8081; hostNetwork pods need free node ports). */
  httpPort?: number;
  udpPort?: number;
  /**
   * What makes the pod Ready, asked until it first passes (see readyOnce): default netexec's
   * /healthz when neither args nor command are given, none otherwise (Ready when it runs).
   */
  startupProbe?: V1Probe;
  labels?: Record<string, string>;
  /** Declared container ports, e.g. a `hostPort` mapping (the CNI's portmap plugin acts on these). */
  ports?: V1ContainerPort[];
  env?: V1Container['env'];
  volumes?: V1Volume[];
  volumeMounts?: V1Container['volumeMounts'];
  /** spec.hostname / spec.subdomain: the pod's DNS name under a headless Service named like the subdomain. */
  hostname?: string;
  subdomain?: string;
  /** Default ClusterFirst (ClusterFirstWithHostNet for hostNetwork pods). */
  dnsPolicy?: V1PodSpec['dnsPolicy'];
  dnsConfig?: V1PodSpec['dnsConfig'];
  /**
   * Pod conditions that must also be True before the pod is Ready (set with
   * setPodCondition): a fault seeds its rule on the pod's IP before any traffic is sent to it.
   */
  readinessGates?: string[];
  /**
   * The harness may run commands through netexec's /shell (lib/k8s/pod-shell.ts) instead of
   * an exec, on clusters where the API server reaches pods (shellOnCluster). Only for pods
   * whose own packets no fault drops: the run's fleet, the check files' plans, and a fault
   * file's pods whose faults match only other pods, Service ports or nodes (the spec says why).
   */
  shell?: boolean;
}

/** netexec's HTTP port when the pod runs netexec (the default args, or args naming it), else undefined. */
export function netexecHttpPort(s: Pick<ProbePodSpec, 'args' | 'command' | 'httpPort'>): number | undefined {
  if (s.command) return undefined;
  if (!s.args) return s.httpPort ?? NETEXEC_HTTP_PORT;
  if (s.args[0] !== 'netexec') return undefined;
  const flag = s.args.find((a) => a.startsWith('--http-port='));
  return flag ? Number(flag.slice('--http-port='.length)) : NETEXEC_HTTP_PORT;
}

/**
 * Probe pods are Ready once they first answer, and stay so: a startup probe, not a
 * readiness probe. Asked every second, so a pod is Ready as soon as it answers, but given
 * 5 s to answer (kubelet's 1 s default timed out again and again on 2 cores), for up to
 * 3 min before kubelet restarts the container. A readiness probe asked every second for
 * the pod's life cost a run ~4 ms of CPU per HTTP probe and ~60 ms per exec probe (a
 * self-test has ~80 pods living ~50 s each), and let an endpoint flap unready, turning
 * probes into refusals; no check needs a pod to turn unready by itself.
 */
export function readyOnce(probe: V1Probe): V1Probe {
  return { periodSeconds: 1, timeoutSeconds: 5, failureThreshold: 180, ...probe };
}

/** The label suites give their probe pods' roles (client, server, backend, …), for selectors. */
export const ROLE_LABEL = 'v6e2e.io/role';

export const NETEXEC_HTTP_PORT = 8080;
export const NETEXEC_UDP_PORT = 8081;

export function probePodManifest(ns: string, s: ProbePodSpec): V1Pod {
  const httpPort = s.httpPort ?? NETEXEC_HTTP_PORT;
  const shellPort = s.shell ? netexecHttpPort(s) : undefined;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: s.name,
      namespace: ns,
      labels: { 'app.kubernetes.io/name': 'v6e2e-probe', ...(s.labels ?? {}) },
      ...(shellPort !== undefined ? { annotations: { [SHELL_PORT_ANNOTATION]: String(shellPort) } } : {}),
    },
    spec: {
      nodeName: s.node,
      hostNetwork: s.hostNetwork ?? false,
      hostname: s.hostname,
      subdomain: s.subdomain,
      dnsPolicy: s.dnsPolicy ?? (s.hostNetwork ? 'ClusterFirstWithHostNet' : 'ClusterFirst'),
      dnsConfig: s.dnsConfig,
      readinessGates: s.readinessGates?.map((conditionType) => ({ conditionType })),
      terminationGracePeriodSeconds: 1,
      // No probe talks to the API server. A token volume needs the namespace's root-CA ConfigMap in
      // kubelet's cache, and a pod made with its new namespace waited seconds for it (FailedMount).
      automountServiceAccountToken: false,
      tolerations: [{ operator: 'Exists' }],
      containers: [
        {
          name: 'agnhost',
          image: s.image ?? AGNHOST_IMAGE,
          imagePullPolicy: 'IfNotPresent',
          command: s.command,
          args: s.args ?? (s.command ? undefined : ['netexec', `--http-port=${httpPort}`, `--udp-port=${s.udpPort ?? NETEXEC_UDP_PORT}`]),
          ports: s.ports,
          env: s.env,
          volumeMounts: s.volumeMounts,
          startupProbe: s.startupProbe ? readyOnce(s.startupProbe) : s.args || s.command ? undefined : readyOnce({ httpGet: { path: '/healthz', port: httpPort } }),
        },
      ],
      volumes: s.volumes,
    },
  };
}

/**
 * A hostNetwork netexec endpoint whose UDP server listens on the node's host IPs, not the
 * wildcard: a wildcard socket answers a pod on the same node from the address the kernel
 * picks for the route back — with kindnet the pod's veth gateway (10.244.x.1, fd00:10:244:x::1),
 * not the node IP the pod dialled — so conntrack cannot undo the ClusterIP DNAT and the
 * client drops the reply. Bound sockets answer from the address they were reached on.
 */
export function hostNetworkEndpoint(name: string, node: string, httpPort: number, udpPort: number, labels: Record<string, string>): ProbePodSpec {
  return {
    name,
    node,
    hostNetwork: true,
    labels,
    args: ['netexec', `--http-port=${httpPort}`, `--udp-port=${udpPort}`, '--udp-listen-addresses=$(HOST_IPS)'],
    env: [{ name: 'HOST_IPS', valueFrom: { fieldRef: { fieldPath: 'status.hostIPs' } } }],
    startupProbe: { httpGet: { path: '/healthz', port: httpPort } },
  };
}

/** Sets a readiness-gate condition of a pod True (ProbePodSpec.readinessGates). */
export async function setPodCondition(kc: KubeConfig, ns: string, name: string, type: string): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await updateOnConflict(
    () => core.readNamespacedPodStatus({ name, namespace: ns }),
    (p) => {
      const others = (p.status?.conditions ?? []).filter((c) => c.type !== type);
      p.status = { ...(p.status ?? {}), conditions: [...others, { type, status: 'True', lastTransitionTime: new Date() }] };
    },
    (p) => core.replaceNamespacedPodStatus({ name, namespace: ns, body: p }),
  );
}

/**
 * Creates the pods and waits until every one is Ready; returns them with IPs filled in.
 * `existingOk`: a pod of that name already there is taken as is (several workers start the same ones).
 */
export async function startProbePods(kc: KubeConfig, ns: string, specs: ProbePodSpec[], timeoutMs = 120_000, opts: { existingOk?: boolean } = {}): Promise<V1Pod[]> {
  await createProbePods(kc, ns, specs, opts);
  return waitPodsReady(kc, ns, specs.map((s) => s.name), timeoutMs);
}

/** Creates the pods without waiting for them (startProbePods without the wait). */
export async function createProbePods(kc: KubeConfig, ns: string, specs: ProbePodSpec[], opts: { existingOk?: boolean } = {}): Promise<void> {
  await Promise.all(
    specs.map(async (s) => {
      try {
        await createPod(kc, ns, probePodManifest(ns, { ...s, shell: s.shell === true && shellOnCluster(kc) }));
      } catch (err) {
        if (!(opts.existingOk && apiStatus(err) === 409)) throw err;
      }
    }),
  );
}

/**
 * Waits until every named pod of `ns` is Ready, with one LIST of the namespace per poll
 * (not a GET per pod: on 2 cores the API server's time is the run's time).
 */
export async function waitPodsReady(kc: KubeConfig, ns: string, names: readonly string[], timeoutMs = 120_000, signal?: AbortSignal): Promise<V1Pod[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const isReady = (p: V1Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  const seen = await waitFor(
    `pods ${names.join(', ')} in ${ns} Ready`,
    async () => new Map((await core.listNamespacedPod({ namespace: ns })).items.map((p) => [p.metadata?.name ?? '', p])),
    {
      timeoutMs,
      intervalMs: 500,
      until: (pods) => names.every((n) => { const p = pods.get(n); return p !== undefined && isReady(p); }),
      describe: (pods) => `not Ready: ${names.filter((n) => { const p = pods.get(n); return !p || !isReady(p); }).map((n) => `${n} (${pods.get(n)?.status?.phase ?? 'absent'})`).join(', ')}`,
      ...(signal ? { signal } : {}),
    },
  );
  return names.map((n) => seen.get(n)!);
}

export async function waitPodReady(kc: KubeConfig, ns: string, name: string, timeoutMs = 120_000): Promise<V1Pod> {
  return (await waitPodsReady(kc, ns, [name], timeoutMs))[0]!;
}

/** Names of schedulable worker nodes (control plane last, used only when alone). */
export async function workerNodes(kc: KubeConfig): Promise<string[]> {
  return workersOf((await kc.makeApiClient(CoreV1Api).listNode({})).items);
}

/** The schedulable workers among `nodes`, in their order: the nodes without the control-plane role, or every node when none is without it. Pure. */
export function workersOf(nodes: readonly V1Node[]): string[] {
  const isCp = (n: V1Node) => Object.keys(n.metadata?.labels ?? {}).includes('node-role.kubernetes.io/control-plane');
  const workers = nodes.filter((n) => !isCp(n)).map((n) => n.metadata!.name!);
  return workers.length ? workers : nodes.map((n) => n.metadata!.name!);
}

/** A pod's IPs (status.podIPs, else status.podIP), as the API reports them. */
export function podIPs(pod: V1Pod): string[] {
  const list = pod.status?.podIPs?.length ? pod.status.podIPs.map((p) => p.ip) : pod.status?.podIP ? [pod.status.podIP] : [];
  return list.filter((ip): ip is string => typeof ip === 'string' && ip !== '');
}

/** The pod's IP of one family (the first, should there be several), or undefined. */
export function podIpOf(pod: V1Pod, family: IPFamily): string | undefined {
  return podIPs(pod).find((ip) => isIp(ip) && familyOf(ip) === family);
}

/** `pod ns/name on node`: how messages name a probe pod. */
export function podLabel(pod: V1Pod): string {
  return `pod ${pod.metadata?.namespace ?? '?'}/${pod.metadata?.name ?? '?'}${pod.spec?.nodeName ? ` on ${pod.spec.nodeName}` : ''}`;
}

/** The first two workers (the first, twice, on a single-node cluster): a client's node and another. */
export function twoWorkers(workers: readonly string[]): [string, string] {
  return [workers[0]!, workers[1] ?? workers[0]!];
}

export interface NodePair {
  from: string;
  to: string;
}

/**
 * Which node pairs to probe: a ring over the first `cap` nodes (n0→n1, n1→n2, …, nk→n0),
 * so every sampled node is once a client and once a server, in `cap` pairs instead of
 * N². Two nodes give both directions; one node gives a same-node pair (the only path there is).
 */
export function nodePairs(nodes: readonly string[], cap = 3): NodePair[] {
  const sample = [...new Set(nodes)].slice(0, Math.max(1, cap));
  if (sample.length === 0) return [];
  if (sample.length === 1) return [{ from: sample[0]!, to: sample[0]! }];
  if (sample.length === 2) return [{ from: sample[0]!, to: sample[1]! }, { from: sample[1]!, to: sample[0]! }];
  return sample.map((from, i) => ({ from, to: sample[(i + 1) % sample.length]! }));
}
