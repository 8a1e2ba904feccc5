import type { KubeConfig } from '@kubernetes/client-node';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { clients, updateOnConflict } from '../k8s/client.ts';
import { waitFor } from '../k8s/wait.ts';
import { restartDeployment } from '../k8s/rollout.ts';
import { hostPort } from '../net/family.ts';
import type { Pref64 } from '../net/rfc6052.ts';
import type { Dns64Mode } from './dns.ts';

export interface CorefileOptions {
  /** The lab's upstream resolver (an address the pods' CoreDNS can reach). */
  upstream: string;
  mode: Dns64Mode;
  pref64: Pref64;
  /** Whether CoreDNS' dns64 also answers queries that arrive over IPv4 (plugin option allow_ipv4). */
  allowIPv4?: boolean;
}

/**
 * A rollout (applyCorefile's first Corefile, or a reload that did not come) waits for the
 * replaced pods to be gone: kubeadm's 5 s lameduck and 10 s readiness period made each roll
 * ~10 s. 2 s still outlasts kube-proxy's usual update (~1 s); a slower one is covered by that wait.
 */
const LAMEDUCK_S = 2;
const READINESS_PERIOD_S = 1;

/**
 * The reload plugin's check of the mounted Corefile, at its minimum (2 s, jitter 1 s): once
 * the kubelet has rewritten the ConfigMap volume, CoreDNS reloads in place within ~3 s, in
 * the same pods at the same addresses, instead of a rollout (applyCorefile).
 */
export const RELOAD_LINE = '    reload 2s 1s';

/**
 * Cluster names are served by a server block of their own, without dns64, so a
 * Service with only an A record is never given a synthesized AAAA. Everything
 * else goes to the lab's upstream, never to the node's resolv.conf (the
 * Internet is out of bounds and IPv6-only pods could not reach Docker's
 * IPv4 resolver anyway).
 */
export function renderCorefile(o: CorefileOptions): string {
  const dns64 =
    o.mode === 'coredns'
      ? ['    dns64 {', `        prefix ${o.pref64.cidr}`, ...(o.allowIPv4 ? ['        allow_ipv4'] : []), '    }']
      : [];
  return [
    'cluster.local:53 in-addr.arpa:53 ip6.arpa:53 {',
    '    errors',
    '    kubernetes cluster.local in-addr.arpa ip6.arpa {',
    '        pods insecure',
    '        fallthrough in-addr.arpa ip6.arpa',
    '        ttl 30',
    '    }',
    '    cache 30',
    '    loadbalance',
    '}',
    '.:53 {',
    '    errors',
    '    health {',
    `        lameduck ${LAMEDUCK_S}s`,
    '    }',
    '    ready',
    '    prometheus :9153',
    ...dns64,
    `    forward . ${hostPort(o.upstream, 53)}`,
    '    cache 5',
    '    loop',
    RELOAD_LINE,
    '    loadbalance',
    '}',
    '',
  ].join('\n');
}

const COREDNS = { name: 'coredns', namespace: 'kube-system' } as const;
const COREDNS_PODS = 'k8s-app=kube-dns';
/** How long a reload in place may take before applyCorefile rolls CoreDNS instead. */
const RELOAD_TIMEOUT_MS = 20_000;

/**
 * Replaces kube-system/coredns' Corefile and waits until every CoreDNS pod runs it.
 * A Corefile with the lab's fast reload (RELOAD_LINE) is reloaded in place: each pod is
 * touched (an annotation) so the kubelet syncs it and rewrites the ConfigMap volume at once,
 * and the reload plugin picks the file up; done when every pod's reload hash has changed.
 * The first apply over kubeadm's Corefile (30 s reload), or a reload that does not come,
 * restarts the Deployment instead (a rollout, ~6 s).
 */
export async function applyCorefile(kc: KubeConfig, corefile: string): Promise<void> {
  const { core } = clients(kc);
  const current = (await core.readNamespacedConfigMap(COREDNS)).data?.Corefile;
  if (current === corefile) return;
  const inPlace = current?.split('\n').includes(RELOAD_LINE) ?? false;
  const before = inPlace ? await reloadHashes(kc).catch(() => undefined) : undefined;
  await updateOnConflict(
    () => core.readNamespacedConfigMap(COREDNS),
    (cm) => {
      cm.data = { ...(cm.data ?? {}), Corefile: corefile };
    },
    (cm) => core.replaceNamespacedConfigMap({ ...COREDNS, body: cm }),
  );
  // Only where every pod's metrics could be read: a hash that cannot be read cannot be seen to change.
  const readable = before !== undefined && before.size > 0 && [...before.values()].every((h) => h !== null);
  if (readable && (await reloadedInPlace(kc, before))) return;
  await restartDeployment(kc, COREDNS.namespace, COREDNS.name, (tpl) => {
    for (const c of tpl.spec?.containers ?? []) if (c.readinessProbe) c.readinessProbe.periodSeconds = READINESS_PERIOD_S;
  });
}

/**
 * Each CoreDNS pod's running configuration hash (coredns_reload_version_info, which appears at
 * the first reload), read through the API server's pod proxy; null where the page could not be read.
 */
async function reloadHashes(kc: KubeConfig): Promise<Map<string, string | undefined | null>> {
  const { core } = clients(kc);
  const pods = (await core.listNamespacedPod({ namespace: COREDNS.namespace, labelSelector: COREDNS_PODS })).items.filter((p) => !p.metadata?.deletionTimestamp);
  const hashes = await Promise.all(
    pods.map(async (p) => {
      const name = p.metadata!.name!;
      const metrics = await core.connectGetNamespacedPodProxyWithPath({ name: `${name}:9153`, namespace: COREDNS.namespace, path: 'metrics' }).catch(() => null);
      return [name, metrics === null ? null : reloadHashOf(metrics)] as const;
    }),
  );
  return new Map(hashes);
}

/** The sha512 value of `coredns_reload_version_info` in a metrics page (undefined: none). */
export function reloadHashOf(metrics: string): string | undefined {
  return /^coredns_reload_version_info\{[^}]*hash="sha512"[^}]*value="([0-9a-f]+)"[^}]*\} 1$/m.exec(metrics)?.[1];
}

/** Touches every CoreDNS pod and waits until each one's hash differs from `before`; false when it did not within RELOAD_TIMEOUT_MS. */
async function reloadedInPlace(kc: KubeConfig, before: Map<string, string | undefined | null>): Promise<boolean> {
  const { core } = clients(kc);
  const stamp = new Date().toISOString();
  await Promise.all(
    [...before.keys()].map((name) =>
      core.patchNamespacedPod(
        { name, namespace: COREDNS.namespace, body: { metadata: { annotations: { 'v6e2e.io/corefile-at': stamp } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    ),
  );
  try {
    await waitFor(
      'every CoreDNS pod reloaded the new Corefile',
      () => reloadHashes(kc),
      {
        timeoutMs: RELOAD_TIMEOUT_MS,
        intervalMs: 500,
        until: (now) => [...before].every(([name, old]) => typeof now.get(name) === 'string' && now.get(name) !== old),
      },
    );
    return true;
  } catch {
    return false;
  }
}

export async function readCorefile(kc: KubeConfig): Promise<string> {
  const cm = await clients(kc).core.readNamespacedConfigMap(COREDNS);
  return cm.data?.Corefile ?? '';
}
