/**
 * The guestbook fixtures (fixtures/guestbook/*.yaml), applied by the files' plans
 * (plans.ts); waits for them to be usable, and builds the GuestbookEnv the checks in
 * lib/checks/guestbook.ts work on.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import { CoreV1Api } from '@kubernetes/client-node';
import type { ComponentName, ComponentState, GuestbookEnv } from '../../lib/checks/guestbook.ts';
import { type Harness } from '../../lib/harness/context.ts';
export { skipWithoutFamily } from '../../lib/harness/context.ts';
import { parseManifests } from '../../lib/k8s/apply.ts';
import { waitForEndpoints } from '../../lib/k8s/endpoints.ts';
import { podsMatching, waitForDeployment } from '../../lib/k8s/rollout.ts';
import { fleet } from '../../lib/probes/fleet.ts';
import type { PlannedPods } from '../../lib/probes/plans.ts';
import { AGNHOST_IMAGE, REDIS_IMAGE } from '../../lib/probes/pods.ts';

export { FAMILIES } from '../../lib/harness/context.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/guestbook/', import.meta.url));
const APP_FILES = ['redis-leader.yaml', 'redis-follower.yaml', 'frontend.yaml'];
const COMPONENT_LABEL = 'app.kubernetes.io/component';

/** Fault variants that replace an object of the same kind and name. */
export type Variant = 'ipv4-only-leader';
const VARIANT_FILES: Record<Variant, string> = { 'ipv4-only-leader': 'faults/redis-leader-ipv4-only.yaml' };

const COMPONENTS: { name: ComponentName; replicas: number; servicePort: number; podPort: number }[] = [
  { name: 'redis-leader', replicas: 1, servicePort: 6379, podPort: 6379 },
  { name: 'redis-follower', replicas: 2, servicePort: 6379, podPort: 6379 },
  { name: 'frontend', replicas: 1, servicePort: 80, podPort: 8080 },
];

function load(file: string): KubernetesObject[] {
  return parseManifests(fs.readFileSync(`${FIXTURES}${file}`, 'utf8'), `fixtures/guestbook/${file}`);
}

/** The fixtures name the lab's images; clusters with a registry set V6E2E_REDIS_IMAGE / V6E2E_AGNHOST_IMAGE. */
function withImages(o: KubernetesObject): KubernetesObject {
  if (o.kind !== 'Deployment') return o;
  const d = structuredClone(o) as V1Deployment;
  for (const c of d.spec?.template.spec?.containers ?? []) {
    if (c.image?.startsWith('v6e2e.local/redis:')) c.image = REDIS_IMAGE;
    if (c.image?.startsWith('v6e2e.local/agnhost:')) c.image = AGNHOST_IMAGE;
  }
  return d as KubernetesObject;
}

export function guestbookObjects(variant?: Variant): KubernetesObject[] {
  let objs = APP_FILES.flatMap(load);
  if (variant) {
    for (const v of load(VARIANT_FILES[variant])) {
      objs = objs.map((o) => (o.kind === v.kind && o.metadata?.name === v.metadata?.name ? v : o));
    }
  }
  return objs.map(withImages);
}

/** The redis-cli pod the checks exec into (a pod of the redis image). */
export const REDIS_CLIENT = { name: 'redis-client', image: REDIS_IMAGE, command: ['sleep', 'infinity'] };

/**
 * The guestbook of a plan (plans.ts: the app's objects and its redis-cli pod, applied as the
 * run starts), once its rollouts and endpoints are done.
 */
export async function guestbookReady(h: Harness, planned: PlannedPods): Promise<GuestbookEnv> {
  const ns = planned.ns.name;
  const redisClient = planned.pod(REDIS_CLIENT.name);
  const core = h.kc.makeApiClient(CoreV1Api);
  const components = {} as Record<ComponentName, ComponentState>;
  // The components come up side by side (waited for one after another, each wait ended on its own poll tick), and so does the fleet.
  const [shared] = await Promise.all([
    fleet(h.kc, h.env.runId),
    ...COMPONENTS.map(async (c) => {
      await waitForDeployment(h.kc, ns, c.name, 180_000);
      await waitForEndpoints(h.kc, ns, c.name, h.families.families, c.replicas, 60_000);
      const [service, pods] = await Promise.all([
        core.readNamespacedService({ name: c.name, namespace: ns }),
        podsMatching(h.kc, ns, { 'app.kubernetes.io/name': 'guestbook', [COMPONENT_LABEL]: c.name }),
      ]);
      components[c.name] = { name: c.name, service, servicePort: c.servicePort, podPort: c.podPort, pods: pods.map((pod) => ({ pod })) };
    }),
  ]);
  // The HTTP client is the probe fleet's first pod (it reaches the ClusterIPs from its own namespace).
  return { kc: h.kc, ns, httpClient: shared.pods[0]!, redisClient: redisClient!, components };
}
