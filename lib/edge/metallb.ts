import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { ApiextensionsV1Api, AppsV1Api } from '@kubernetes/client-node';
import { applyObjects, parseManifests } from '../k8s/apply.ts';
import { waitFor } from '../k8s/wait.ts';
import { moduleDir } from '../lab/paths.ts';
import { LAB } from '../lab/versions.ts';
import { carveRange } from '../net/cidr.ts';
import type { IPFamily } from '../net/family.ts';
import type { Progress } from '../util/progress.ts';
import { networkSubnets } from './docker.ts';

export const METALLB_NS = 'metallb-system';
/**
 * The lab's single address pool. MetalLB takes all of a Service's addresses
 * from one IPAddressPool, so a dual-stack LoadBalancer needs one pool holding a
 * range of each family; single-stack Services get their family from it too.
 */
export const POOL_NAME = 'v6e2e';

/**
 * Pools near the top of kind's Docker subnets, far from the addresses Docker
 * hands out from the bottom. Clusters share kind's network, so each cluster
 * name gets its own slot of 32 addresses: two clusters never announce the same
 * address.
 */
export async function lbRanges(cluster: string, network = 'kind'): Promise<Partial<Record<IPFamily, string>>> {
  const subnets = await networkSubnets(network);
  let h = 0;
  for (const c of cluster) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const offsetFromEnd = 16 + (h % 64) * 32;
  const out: Partial<Record<IPFamily, string>> = {};
  if (subnets.IPv4) out.IPv4 = carveRange(subnets.IPv4, offsetFromEnd, 32);
  if (subnets.IPv6) out.IPv6 = carveRange(subnets.IPv6, offsetFromEnd, 32);
  return out;
}

export function poolObjects(ranges: Partial<Record<IPFamily, string>>, families: readonly IPFamily[]): KubernetesObject[] {
  const addresses = families.filter((f) => ranges[f]).map((f) => ranges[f]!);
  const pool = {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name: POOL_NAME, namespace: METALLB_NS },
    spec: { addresses },
  } as KubernetesObject;
  const l2 = {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'L2Advertisement',
    metadata: { name: 'v6e2e', namespace: METALLB_NS },
    spec: { ipAddressPools: [POOL_NAME] },
  } as KubernetesObject;
  return [pool, l2];
}

interface Probe {
  initialDelaySeconds?: number;
  periodSeconds?: number;
}
interface Container {
  name?: string;
  args?: string[];
  readinessProbe?: Probe;
}
interface WorkloadSpec {
  template?: { spec?: { containers?: Container[] } };
}

/**
 * The upstream manifest as the lab runs it. Without these changes MetalLB took
 * 54 s to come up: the controller serves /metrics only once its webhook
 * certificate is in the mounted secret, which kubelet refreshes only on its
 * sync period, so the liveness probe killed it after 40 s and the restart found
 * the certificate. The lab applies only its own, known-good pool, so it runs the
 * controller without webhooks (and drops their configuration, which the API
 * server would otherwise call), and probes readiness every 2 s instead of 10 s
 * after a 10 s delay. Liveness is kept as upstream has it: a loaded machine must
 * not restart a slow pod. Pure.
 */
export function labMetalLB(objects: readonly KubernetesObject[]): KubernetesObject[] {
  const out: KubernetesObject[] = [];
  for (const o of objects) {
    if (o.kind === 'ValidatingWebhookConfiguration') continue;
    if ((o.kind === 'Deployment' || o.kind === 'DaemonSet') && o.metadata?.namespace === METALLB_NS) {
      const copy = structuredClone(o) as KubernetesObject & { spec?: WorkloadSpec };
      for (const c of copy.spec?.template?.spec?.containers ?? []) {
        if (c.readinessProbe) c.readinessProbe = { ...c.readinessProbe, initialDelaySeconds: 1, periodSeconds: 2 };
        if (o.kind === 'Deployment' && c.name === 'controller') c.args = [...(c.args ?? []), '--webhook-mode=disabled', '--disable-cert-rotation=true'];
      }
      out.push(copy);
      continue;
    }
    out.push(o);
  }
  return out;
}

/**
 * Installs MetalLB (L2 mode) from the pinned module's own metallb-native.yaml
 * (read from the module cache; images are the lab's local builds under the
 * upstream names, changed by labMetalLB) and one address pool per cluster family.
 */
export async function installMetalLB(
  kc: KubeConfig,
  cluster: string,
  families: readonly IPFamily[],
  progress: Progress,
  opts: { waitForSpeakers: boolean } = { waitForSpeakers: true },
): Promise<Partial<Record<IPFamily, string>>> {
  const manifest = path.join(await moduleDir('go.universe.tf/metallb', LAB.metallb), 'config', 'manifests', 'metallb-native.yaml');
  const objects = parseManifests(await readFile(manifest, 'utf8'), manifest);
  const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
  await progress.step('MetalLB CRDs', () => applyObjects(kc, crds));
  // Only the pools below need the CRDs Established; the workloads start meanwhile (their pods
  // wait for Ready nodes, seconds after this), so the CRDs' wait runs beside theirs.
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  const established = Promise.all(
    crds.map((c) =>
      waitFor(`CRD ${c.metadata!.name} Established`, async () => {
        const got = await ext.readCustomResourceDefinition({ name: c.metadata!.name! });
        return got.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True') || undefined;
      }, { timeoutMs: 60_000, intervalMs: 500 }),
    ),
  );
  established.catch(() => undefined); // awaited below; not unhandled while the workloads' wait runs
  await progress.step(opts.waitForSpeakers ? 'MetalLB controller and speaker' : 'MetalLB controller (speakers not waited for: no LoadBalancer checks in this run)', async () => {
    await applyObjects(kc, labMetalLB(objects.filter((o) => o.kind !== 'CustomResourceDefinition')));
    const apps = kc.makeApiClient(AppsV1Api);
    await waitFor('metallb controller available', async () => {
      const d = await apps.readNamespacedDeployment({ name: 'controller', namespace: METALLB_NS });
      return (d.status?.availableReplicas ?? 0) >= 1 || undefined;
    }, { timeoutMs: 180_000, intervalMs: 1000 });
    if (!opts.waitForSpeakers) return;
    try {
      await waitFor('metallb speakers ready', async () => {
        const ds = await apps.readNamespacedDaemonSet({ name: 'speaker', namespace: METALLB_NS });
        const s = ds.status;
        return (s && s.desiredNumberScheduled > 0 && s.numberReady === s.desiredNumberScheduled) || undefined;
      }, { timeoutMs: 180_000, intervalMs: 1000 });
    } catch (err) {
      // Speakers that never turn ready are a finding about the cluster (a patched kubelet can
      // cause it), not a reason to stop before any check ran: the LoadBalancer checks fail on it.
      // Only the warning's numbers ('?' when unreadable); the warning is given either way.
      const ds = await apps.readNamespacedDaemonSet({ name: 'speaker', namespace: METALLB_NS }).catch(() => undefined);
      const ready = `${ds?.status?.numberReady ?? '?'} of ${ds?.status?.desiredNumberScheduled ?? '?'}`;
      progress.info(`warning: MetalLB speakers not ready (${ready}) after 180 s; the LoadBalancer checks will fail (${err instanceof Error ? err.message.split('\n', 1)[0] : String(err)})`);
    }
  });
  await established;
  const ranges = await lbRanges(cluster);
  await progress.step(`address pools ${families.map((f) => `${f} ${ranges[f] ?? '-'}`).join(', ')}`, () =>
    // The validating webhook answers only once its certificate is in place: retry until it accepts.
    // waitFor retries a throwing attempt and names the last error when it gives up.
    waitFor('MetalLB webhook accepts the pools', async () => {
      await applyObjects(kc, poolObjects(ranges, families));
      return true;
    }, { timeoutMs: 120_000, intervalMs: 2000 }),
  );
  return ranges;
}
