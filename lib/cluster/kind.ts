import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { buildKind } from '../lab/artefacts.ts';
import { labSetup } from '../lab/index.ts';
import { LAB_DIR } from '../lab/paths.ts';
import { LAB_CLUSTER_LABEL } from '../lab/versions.ts';
import { loadKubeConfig } from '../k8s/client.ts';
import { edgeFiles, KIND_NETWORK, readEdgeInfo, startEdge, type EdgeInfo, type EdgeOptions } from '../edge/index.ts';
import { networkSubnets, type NetAddresses } from '../edge/docker.ts';
import { assertOutsideNetwork } from './addressing.ts';
import type { Dns64Mode } from '../edge/dns.ts';
import { installMetalLB } from '../edge/metallb.ts';
import { ensureAltNetwork } from '../edge/alt-network.ts';
import { detectClusterFamilies } from '../k8s/families.ts';
import { clients } from '../k8s/client.ts';
import { WELL_KNOWN_PREF64 } from '../net/rfc6052.ts';
import YAML from 'yaml';
import { installFlannel } from './flannel.ts';
import { allSettledOrThrow } from '../util/settle.ts';
import { describeTree } from '../kubesrc/tree.ts';
import { kindClusterConfig, variantLabel, type ClusterVariant } from './variant.ts';
import { docker, dockerTry } from '../util/docker.ts';
import { retryLast } from '../util/retry.ts';
import { inFlight, markInFlight, withEngineLock } from './engine-lock.ts';
import { EnvironmentError, RunBrokenError, UsageError } from '../util/errors.ts';
import type { Progress } from '../util/progress.ts';

export interface ClusterHandle {
  name: string;
  /** A kubeconfig holding only this cluster (also merged into the user's default kubeconfig by kind). */
  kubeconfigPath: string;
  context: string;
}

/** Label kind puts on its node containers; the value is the cluster name. */
export const KIND_CLUSTER_LABEL = 'io.x-k8s.kind.cluster';

export function kubeconfigPathFor(name: string): string {
  return path.join(LAB_DIR, 'kubeconfigs', `${name}.yaml`);
}

async function kindBin(progress: Progress): Promise<string> {
  return path.join(await buildKind(progress), 'kind');
}

/** Whether kind node containers of `name` exist; an engine that cannot answer throws (it is not "no cluster"). */
export async function clusterExists(name: string): Promise<boolean> {
  const r = await docker(['ps', '-a', '-q', '--filter', `label=${KIND_CLUSTER_LABEL}=${name}`]);
  return r.stdout.trim() !== '';
}

/** Streams a child's stderr lines as progress, keeping the tail for error messages. */
function follow(child: ResultPromise, progress: Progress, tail: string[]): void {
  let buf = '';
  child.stderr?.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const raw of lines) {
      const line = raw.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').trim();
      if (!line) continue;
      tail.push(line);
      if (tail.length > 20) tail.shift();
      progress.info(line);
    }
  });
}

/**
 * Creates a kind cluster of the profile from the lab's node image. The lab is
 * set up first (a no-op when current). Ctrl-C or a failure during creation
 * deletes the half-made cluster.
 */
export interface UpOptions {
  variant: ClusterVariant;
  name: string;
  progress: Progress;
  /** NAT64 prefix of the edge (default the well-known 64:ff9b::/96). */
  pref64?: string;
  /** Where DNS64 synthesizes (default CoreDNS). */
  dns64Mode?: Dns64Mode;
  /**
   * The run has LoadBalancer checks (default true): wait for MetalLB's speakers to be ready.
   * Without them the speakers come up on their own; a patched kubelet that keeps them from
   * ever turning ready cost every such run a 180-s wait.
   */
  loadBalancers?: boolean;
  /**
   * Called (not awaited) once every node is Ready and the lab resolver answers, while CoreDNS
   * and MetalLB may still be coming up: a run makes its probe pods then, so that they come up
   * beside those instead of after them. Not called when `up` fails first.
   */
  onNodesReady?: (ready: NodesReady) => void;
}

/** What `onNodesReady` is given: the cluster, and the lab resolver's address on kind's network. */
export interface NodesReady {
  handle: ClusterHandle;
  labResolver: string | undefined;
}

export async function up(opts: UpOptions): Promise<ClusterHandle> {
  const { variant, name, progress } = opts;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
    throw new UsageError(`cluster name "${name}" is not a valid DNS label (lowercase letters, digits, '-')`);
  }
  const { nodeImage } = await progress.step('lab', () => labSetup({ progress, ...(variant.kubernetes ? { kubernetes: variant.kubernetes } : {}) }));
  const kind = await kindBin(progress);
  if (await clusterExists(name)) {
    throw new UsageError(`a kind cluster named "${name}" already exists: reuse it (--reuse) or delete it (v6e2e down --name ${name})`);
  }
  // The parser checked kind's usual subnets; an existing kind network has its own.
  if ((await dockerTry(['network', 'inspect', KIND_NETWORK])).exitCode === 0) {
    assertOutsideNetwork(variant.addressing, KIND_NETWORK, await networkSubnets(KIND_NETWORK));
  }
  const tail: string[] = [];
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const config = path.join(LAB_DIR, 'kind-configs', `${name}.yaml`);
  let kindGroup: number | undefined;
  try {
    await mkdir(path.dirname(config), { recursive: true });
    await writeFile(config, YAML.stringify(kindClusterConfig(variant)));
    // Until its node containers exist, only this mark tells a deletion elsewhere that the
    // shared kind network is about to be used.
    const creating = await markInFlight(name, 'create');
    await progress.step(`kind create cluster ${name} (${describeVariant(variant)})`, async () => {
      // No --wait: kind's wait for the control plane cost 13 s that the edge and MetalLB now
      // spend coming up beside our own wait for every node (and, for flannel, a CNI kind lacks).
      // Its own process group: on Ctrl-C the `docker run`s kind started die with it (killed
      // alone, kind left them to start node containers after the half-made cluster was deleted).
      // --kubeconfig: kind writes the cluster's own file, never ~/.kube/config, whose lock
      // file two kind processes at once fail on ("failed to lock config file").
      const child = execa(kind, ['create', 'cluster', '--name', name, '--config', config,
        '--image', nodeImage, '--retain', '--kubeconfig', kubeconfigPathFor(name)], { detached: true, timeout: 600_000 });
      kindGroup = child.pid;
      const stop = () => killGroup(kindGroup);
      abort.signal.addEventListener('abort', stop, { once: true });
      follow(child, progress, tail);
      try {
        await child;
      } finally {
        abort.signal.removeEventListener('abort', stop);
      }
    }).finally(creating);
    // Ctrl-C between steps stops here: the catch below deletes what exists so far.
    const stopIfInterrupted = () => {
      if (abort.signal.aborted) throw new Error('interrupted');
    };
    stopIfInterrupted();
    const handle = await exportKubeconfig(name, progress);
    if (variant.cni === 'flannel') {
      await installFlannel(loadKubeConfig({ kubeconfig: handle.kubeconfigPath, context: handle.context }), variant, progress, abort.signal);
      stopIfInterrupted();
    }
    // The edge and MetalLB need the API and the node containers, not Ready nodes: they start
    // while the nodes finish coming up (MetalLB's pods are scheduled as soon as they are Ready).
    let resolverSeen: (addr: NetAddresses) => void = () => undefined;
    const resolver = new Promise<NetAddresses>((resolve) => (resolverSeen = resolve));
    let nodesSeen: () => void = () => undefined;
    const nodesReady = new Promise<void>((resolve) => (nodesSeen = resolve));
    const { onNodesReady } = opts;
    if (onNodesReady) {
      // Neither resolves when the wait or the edge fails first: allSettledOrThrow below reports that.
      void Promise.all([nodesReady, resolver]).then(([, dns]) => {
        if (abort.signal.aborted) return;
        progress.info('nodes Ready: the run starts its probe pods beside CoreDNS and MetalLB');
        onNodesReady({ handle, labResolver: dns.IPv6 ?? dns.IPv4 });
      });
    }
    await allSettledOrThrow([
      progress.step('wait for nodes Ready and CoreDNS', () => waitReady(name, nodesSeen)),
      progress.step('lab edge and load balancer', () => provisionAddons(handle, { ...opts, onResolver: resolverSeen })),
    ]);
    stopIfInterrupted();
    return handle;
  } catch (err) {
    // V6E2E_KEEP_FAILED=1 keeps the wreck for debugging (docker exec into the nodes).
    if (process.env.V6E2E_KEEP_FAILED !== '1') {
      // Nothing of kind's may still be creating nodes while they are deleted.
      killGroup(kindGroup);
      await groupGone(kindGroup, 15_000);
      // Best effort: the creation error below is what the user needs; a failed delete shows as its own progress step.
      await progress.step(`delete half-made cluster ${name}`, () => deleteCluster(name, progress)).catch(() => undefined);
      // The engine may still finish creates its (killed) clients had asked for.
      await sweepLateCreates(() => clusterExists(name), () => deleteCluster(name, progress));
    }
    if (abort.signal.aborted) throw new RunBrokenError(`interrupted while creating cluster ${name}; it was deleted`);
    const why = err instanceof Error ? (err as { shortMessage?: string }).shortMessage ?? err.message : String(err);
    throw new RunBrokenError(`creating kind cluster ${name} failed: ${why}\n${tail.slice(-8).join('\n')}`);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await rm(config, { force: true });
  }
}

/**
 * How long no node of the cluster must show before a half-made cluster counts as gone: the
 * engine may still create nodes kind's killed `docker run`s asked for. With the machine
 * saturated (a Kubernetes build beside it, CI of cd45082) all three nodes of an
 * interrupted cluster appeared after a single 5-s look; each one seen restarts the wait.
 */
const LATE_CREATE_QUIET_MS = 10_000;
const LATE_CREATE_MAX_MS = 60_000;
const LATE_CREATE_POLL_MS = 1_000;

/** Removes the cluster whenever `exists` says a node showed, until none has for LATE_CREATE_QUIET_MS (at most LATE_CREATE_MAX_MS). */
export async function sweepLateCreates(
  exists: () => Promise<boolean>,
  remove: () => Promise<void>,
  timing = { quietMs: LATE_CREATE_QUIET_MS, maxMs: LATE_CREATE_MAX_MS, pollMs: LATE_CREATE_POLL_MS },
): Promise<void> {
  const deadline = Date.now() + timing.maxMs;
  let quietSince = Date.now();
  while (Date.now() - quietSince < timing.quietMs && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, timing.pollMs));
    if (await exists().catch(() => false)) {
      // Best effort, as the first deletion: the creation error is what the user needs.
      await remove().catch(() => undefined);
      quietSince = Date.now();
    }
  }
}

/** SIGTERM to a process group, if there is one left. */
function killGroup(pgid: number | undefined): void {
  if (pgid === undefined) return;
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    // Already gone: nothing to stop.
  }
}

/** Waits until no process of the group is left (or `timeoutMs` passed: an unreaped zombie keeps it "alive"). */
async function groupGone(pgid: number | undefined, timeoutMs: number): Promise<void> {
  if (pgid === undefined) return;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    if (Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** `profile dual, kube-proxy nftables, CNI flannel, pods 10.244.0.0/16 + …` for progress lines. */
export function describeVariant(v: ClusterVariant): string {
  const a = v.addressing;
  const masks = Object.entries(a.nodeCidrMask).map(([f, m]) => `${f} /${m}`).join(', ');
  const k8s = v.kubernetes ? `, Kubernetes ${describeTree(v.kubernetes)}` : '';
  return `${variantLabel(v)}: profile ${v.profile}, kube-proxy ${v.kubeProxyMode}, CNI ${v.cni}, pods ${a.podSubnets.join(' + ')}, services ${a.serviceSubnets.join(' + ')}, node masks ${masks}${k8s}`;
}

/**
 * What a lab cluster has beyond kind's defaults: the NAT64/DNS64 edge (every
 * profile, so CoreDNS never forwards beyond the lab) and MetalLB with a pool
 * per cluster family.
 */
export async function provisionAddons(handle: ClusterHandle, opts: Omit<UpOptions, 'variant'> & Pick<EdgeOptions, 'onResolver'>): Promise<EdgeInfo> {
  const kc = loadKubeConfig({ kubeconfig: handle.kubeconfigPath, context: handle.context });
  // Independent of each other: the edge's CoreDNS rollout and MetalLB's pods come up side by side.
  const edgeOpts: EdgeOptions = { cluster: handle.name, pref64: opts.pref64 ?? WELL_KNOWN_PREF64, dns64Mode: opts.dns64Mode ?? 'coredns' };
  const edge = startEdge(kc, opts.onResolver ? { ...edgeOpts, onResolver: opts.onResolver } : edgeOpts, opts.progress);
  const lb = detectClusterFamilies(clients(kc).core).then((f) =>
    installMetalLB(kc, handle.name, f.families, opts.progress, { waitForSpeakers: opts.loadBalancers ?? true }),
  );
  await allSettledOrThrow([edge, lb]);
  await opts.progress.step('alternate node addresses (not host IPs)', () => ensureAltNetwork(handle.name));
  return edge;
}

/** Writes a standalone kubeconfig for an existing kind cluster. */
export async function exportKubeconfig(name: string, progress: Progress): Promise<ClusterHandle> {
  const kind = await kindBin(progress);
  const kc = await execa(kind, ['get', 'kubeconfig', '--name', name]);
  const file = kubeconfigPathFor(name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, kc.stdout, { mode: 0o600 });
  return { name, kubeconfigPath: file, context: `kind-${name}` };
}

/** Every node Ready (then `onNodes`) and CoreDNS rolled out (kind is asked not to wait at all). */
async function waitReady(name: string, onNodes: () => void = () => undefined): Promise<void> {
  const node = `${name}-control-plane`;
  const kubectl = (...args: string[]) =>
    docker(['exec', node, 'kubectl', '--kubeconfig', '/etc/kubernetes/admin.conf', ...args], {
      timeout: 320_000,
      hint: 'V6E2E_KEEP_FAILED=1 keeps the cluster to look into',
    });
  try {
    await kubectl('wait', '--for=condition=Ready', 'nodes', '--all', '--timeout=300s');
    onNodes();
    await kubectl('-n', 'kube-system', 'rollout', 'status', 'deployment/coredns', '--timeout=300s');
  } catch (err) {
    // Say what is not ready, not just that a wait timed out.
    // Diagnostics only: a failure here leaves "(none)" in a message that already reports the failed wait.
    const pods = await dockerTry(['exec', node, 'kubectl', '--kubeconfig', '/etc/kubernetes/admin.conf',
      'get', 'pods', '-A', '-o', 'wide', '--no-headers']);
    const notRunning = pods.stdout.split('\n').filter((l) => l && !/\sRunning\s/.test(l)).slice(0, 8);
    const why = err instanceof Error ? err.message : String(err);
    throw new RunBrokenError(`${why}\npods not running:\n${notRunning.join('\n') || '(none)'}`);
  }
}

/** Deletes the cluster and everything the lab added for it (edge containers, networks). */
export async function deleteCluster(name: string, progress: Progress): Promise<void> {
  const kind = await kindBin(progress);
  // `docker rm -v` can drop a busy anonymous volume (a node's /var) with only a warning: remember them.
  const volumes = await clusterVolumes(name);
  const deleting = await markInFlight(name, 'delete');
  // Everything below still runs when kind fails; the failure is reported at the end.
  // The cluster's own kubeconfig (as at create): deletions side by side lock different files.
  // Docker once failed to kill a node just woken from pause ("did not receive an exit event")
  // and removed it on the next try: kind delete is tried again before anything is reported.
  const kindDelete = await retryLast(
    () => execa(kind, ['delete', 'cluster', '--name', name, '--kubeconfig', kubeconfigPathFor(name)], { reject: false }),
    { attempts: KIND_DELETE_ATTEMPTS, delayMs: SWEEP_GAP_MS, until: (r) => r.exitCode === 0 },
  );
  // After Ctrl-C during the suites the cluster's networks were once left behind, busy although
  // its containers were gone (a late container or a slow endpoint release): sweep again until they go.
  await retryLast(() => sweepClusterLeftovers(name), { attempts: SWEEP_PASSES, delayMs: SWEEP_GAP_MS, until: (gone) => gone });
  await withEngineLock(async () => {
    deleting();
    await removeSharedNetworkIfLast();
  });
  await removeVolumes(volumes);
  // The standalone kubeconfig and the edge's files describe a cluster that no longer exists
  // (so does a lock kind left on that kubeconfig when it was killed mid-write).
  for (const f of [...clusterFiles(name), `${kubeconfigPathFor(name)}.lock`]) await rm(f, { recursive: true, force: true });
  if (kindDelete.exitCode !== 0) {
    const tail = (kindDelete.stderr || kindDelete.shortMessage || '').trim().split('\n').slice(-5).join('\n');
    throw new EnvironmentError(`kind delete cluster --name ${name} failed; remove its node containers by hand (\`docker rm -f $(docker ps -aq --filter label=${KIND_CLUSTER_LABEL}=${name})\`)\n${tail}`);
  }
}

const SWEEP_PASSES = 4;
const KIND_DELETE_ATTEMPTS = 3;
const SWEEP_GAP_MS = 2_000;

/**
 * Removes the cluster's labelled containers, then its networks; true when no network of the
 * cluster remains. A container that went meanwhile is fine; one that stays shows in `leftovers()`.
 */
async function sweepClusterLeftovers(name: string): Promise<boolean> {
  const ids = (await docker(['ps', '-a', '-q', '--filter', `label=${LAB_CLUSTER_LABEL}=${name}`])).stdout.split('\n').filter(Boolean);
  if (ids.length) await dockerTry(['rm', '-f', '-v', ...ids]);
  let left = 0;
  const nets = await docker(['network', 'ls', '-q', '--filter', `label=${LAB_CLUSTER_LABEL}=${name}`]);
  for (const id of nets.stdout.split('\n').filter(Boolean)) if ((await dockerTry(['network', 'rm', id])).exitCode !== 0) left++;
  return left === 0;
}

/** No kind node container, and no cluster being created or deleted: call under the engine lock. */
async function lastKindCluster(): Promise<boolean> {
  const anyKind = await docker(['ps', '-a', '-q', '--filter', `label=${KIND_CLUSTER_LABEL}`]);
  return !anyKind.stdout.trim() && inFlight().length === 0;
}

/**
 * kind's shared "kind" network goes once the last kind cluster is gone (under the engine lock).
 * A late probe container can hold it, so a failed removal is retried; one that another container keeps stays.
 */
async function removeSharedNetworkIfLast(): Promise<void> {
  if (!(await lastKindCluster())) return;
  await retryLast(
    async () => (await dockerTry(['network', 'rm', KIND_NETWORK])).exitCode === 0 || (await dockerTry(['network', 'inspect', KIND_NETWORK])).exitCode !== 0,
    { attempts: SWEEP_PASSES, delayMs: SWEEP_GAP_MS, until: (gone) => gone },
  );
}

/** Files under the lab dir that belong to cluster `name` (kubeconfig, edge description, DNS config). */
export function clusterFiles(name: string): string[] {
  return [kubeconfigPathFor(name), ...edgeFiles(name)];
}

export async function down(opts: { name: string; progress: Progress }): Promise<void> {
  await opts.progress.step(`delete cluster ${opts.name}`, () => deleteCluster(opts.name, opts.progress));
}

/**
 * For a reused lab cluster: makes the edge match the requested prefix and
 * DNS64 mode (rebuilding only the edge), or provisions everything if the
 * cluster has no edge yet (e.g. made by plain kind from the lab image).
 */
export async function ensureEdge(handle: ClusterHandle, opts: Omit<UpOptions, 'variant'>): Promise<EdgeInfo> {
  const current = await readEdgeInfo(handle.name);
  const pref64 = opts.pref64 ?? current?.pref64 ?? WELL_KNOWN_PREF64;
  const dns64Mode = opts.dns64Mode ?? current?.dns64Mode ?? 'coredns';
  if (!current) return provisionAddons(handle, { ...opts, pref64, dns64Mode });
  await ensureAltNetwork(handle.name);
  // An edge file from before the IPv6 world existed is rebuilt too, so reused clusters gain it.
  if (current.pref64 === pref64 && current.dns64Mode === dns64Mode && current.origin6) return current;
  const kc = loadKubeConfig({ kubeconfig: handle.kubeconfigPath, context: handle.context });
  return opts.progress.step(`reconfigure edge: ${pref64}, DNS64 in ${dns64Mode}`, () =>
    startEdge(kc, { cluster: handle.name, pref64, dns64Mode }, opts.progress),
  );
}

/** What `down` must leave: nothing of the cluster, nothing the lab added for it. */
export interface Leftovers {
  containers: string[];
  networks: string[];
  volumes: string[];
  /** The cluster's files under the lab dir (kubeconfig, edge files). */
  files: string[];
}

/**
 * Lists everything still on the engine that belongs to cluster `name`:
 * kind's node containers, the lab's edge containers and networks, and which of
 * `volumesBefore` (see clusterVolumes) still exist. kind's shared `kind`
 * network counts too when no kind cluster remains and none is being created or deleted.
 */
export async function leftovers(name: string, volumesBefore: readonly string[] = []): Promise<Leftovers> {
  // An engine that cannot answer throws: "nothing listed" must mean nothing is left.
  const lines = async (args: string[]) => (await docker(args)).stdout.split('\n').filter(Boolean);
  const containers = [
    ...(await lines(['ps', '-a', '--filter', `label=${KIND_CLUSTER_LABEL}=${name}`, '--format', '{{.Names}}'])),
    ...(await lines(['ps', '-a', '--filter', `label=${LAB_CLUSTER_LABEL}=${name}`, '--format', '{{.Names}}'])),
  ];
  const networks = await lines(['network', 'ls', '--filter', `label=${LAB_CLUSTER_LABEL}=${name}`, '--format', '{{.Name}}']);
  // Read under the lock: a deletion elsewhere decides about the shared network under it.
  networks.push(...(await withEngineLock(async () => ((await lastKindCluster()) ? lines(['network', 'ls', '--filter', 'name=^kind$', '--format', '{{.Name}}']) : []))));
  const existing = new Set(await lines(['volume', 'ls', '-q']));
  const volumes = volumesBefore.filter((v) => existing.has(v));
  const files = clusterFiles(name).filter((f) => existsSync(f));
  return { containers, networks, volumes, files };
}

/** Removes the volumes that outlived their containers; a few tries, as a just-unmounted one may still be busy. */
async function removeVolumes(volumes: readonly string[]): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const existing = new Set((await docker(['volume', 'ls', '-q'])).stdout.split('\n').filter(Boolean));
    const left = volumes.filter((v) => existing.has(v));
    if (left.length === 0) return;
    // Failure is judged by the next listing (and in the end by `leftovers()`), not by rm's exit code.
    await dockerTry(['volume', 'rm', '-f', ...left]);
    if (attempt > 0) await new Promise((r) => setTimeout(r, 1_000));
  }
}

/** Named and anonymous volumes mounted by the cluster's containers (kind's /var, the edge's). */
export async function clusterVolumes(name: string): Promise<string[]> {
  const ids: string[] = [];
  for (const label of [KIND_CLUSTER_LABEL, LAB_CLUSTER_LABEL]) {
    const r = await docker(['ps', '-a', '-q', '--filter', `label=${label}=${name}`]);
    ids.push(...r.stdout.split('\n').filter(Boolean));
  }
  if (ids.length === 0) return [];
  // A container may go between the listing and the inspect (a cluster being deleted): inspect what is left.
  const r = await dockerTry(['inspect', '--format', '{{range .Mounts}}{{if .Name}}{{.Name}} {{end}}{{end}}', ...ids]);
  return [...new Set(r.stdout.split(/\s+/).filter(Boolean))];
}
