/**
 * What the dns64 and nat64 suites share: the prefix the translator uses (EdgeInfo for
 * lab clusters, --nat64-prefix for existing ones), where DNS64 runs (mode), the
 * resolver addresses of each family, and the names to query.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { IPV4ONLY_ARPA, type Dns64Mode, type Resolver } from '../../lib/checks/dns64.ts';
import { readCorefile } from '../../lib/edge/coredns.ts';
import { type Harness } from '../../lib/harness/context.ts';
export { skipWithoutFamily, suiteNamespace } from '../../lib/harness/context.ts';
import { familyOf, isIp, type IPFamily } from '../../lib/net/family.ts';

export interface PrefixSource {
  cidr: string;
  /** Where it came from, for messages: `EdgeInfo.pref64` or `--nat64-prefix`. */
  from: string;
}

/** The translator's prefix: --nat64-prefix when given, else the lab's EdgeInfo; undefined for an existing cluster without the flag. */
export function configuredPrefix(h: Harness): PrefixSource | undefined {
  if (h.env.nat64Prefix) return { cidr: h.env.nat64Prefix, from: '--nat64-prefix' };
  if (h.edge) return { cidr: h.edge.pref64, from: `EdgeInfo.pref64 (<lab dir>/edge/${h.edge.cluster}.json)` };
  return undefined;
}

export interface Dns64Setup {
  mode?: Dns64Mode;
  allowIPv4: boolean;
  /** Where the mode came from (flag, EdgeInfo, Corefile), for messages. */
  modeFrom: string;
  clusterDomain: string;
}

/**
 * The DNS64 mode: --dns64-mode, else the lab's EdgeInfo, else read off the Corefile (a
 * `dns64` plugin means CoreDNS synthesizes; none means the upstream does, if anyone).
 */
export async function dns64Setup(h: Harness): Promise<Dns64Setup> {
  const corefile = await readCorefile(h.kc).catch(() => '');
  const allowIPv4 = /dns64\s*\{[^}]*\ballow_ipv4\b/.test(corefile);
  const clusterDomain = /^\s*kubernetes\s+(\S+)/m.exec(corefile)?.[1]?.replace(/\.$/, '') ?? 'cluster.local';
  if (h.env.dns64Mode) return { mode: h.env.dns64Mode, allowIPv4, modeFrom: '--dns64-mode', clusterDomain };
  if (h.edge) return { mode: h.edge.dns64Mode, allowIPv4, modeFrom: 'EdgeInfo.dns64Mode', clusterDomain };
  if (!corefile) return { mode: undefined, allowIPv4, modeFrom: 'unknown (Corefile unreadable, no --dns64-mode)', clusterDomain };
  return { mode: /^\s*dns64\b/m.test(corefile) ? 'coredns' : 'upstream', allowIPv4, modeFrom: 'the Corefile', clusterDomain };
}

/** The IPv4-only name to expect synthesis for: the lab origin's, else ipv4only.arpa (A-only everywhere). */
export function ipv4OnlyName(h: Harness): string {
  return h.edge?.zone.v4only ?? IPV4ONLY_ARPA;
}

/**
 * Where CoreDNS can be asked over each family: the kube-dns ClusterIP of that family,
 * else (kube-dns is single-stack on most dual-stack clusters, kind's included) the
 * CoreDNS pods' address of that family, said so in the label.
 */
export async function resolverAddresses(h: Harness): Promise<Partial<Record<IPFamily, { server: string; label: string }>>> {
  const out: Partial<Record<IPFamily, { server: string; label: string }>> = {};
  const svc = await h.api.core.readNamespacedService({ name: 'kube-dns', namespace: 'kube-system' });
  const ips = svc.spec?.clusterIPs?.length ? svc.spec.clusterIPs : svc.spec?.clusterIP ? [svc.spec.clusterIP] : [];
  for (const ip of ips) if (isIp(ip)) out[familyOf(ip)] ??= { server: ip, label: `kube-dns ClusterIP ${ip}` };
  const missing = (['IPv6', 'IPv4'] as const).filter((f) => !out[f] && h.has(f));
  if (missing.length) {
    const pods = await h.api.core.listNamespacedPod({ namespace: 'kube-system', labelSelector: 'k8s-app=kube-dns' });
    // Ready and not on its way out: a terminating pod can still read Ready for a moment after a rollout.
    const ready = pods.items.filter((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    for (const f of missing) {
      for (const p of ready) {
        const ip = (p.status?.podIPs ?? []).map((x) => x.ip).find((x): x is string => !!x && isIp(x) && familyOf(x) === f);
        if (ip) {
          out[f] = { server: ip, label: `CoreDNS pod ${p.metadata?.name} ${ip} (kube-dns has no ${f} ClusterIP)` };
          break;
        }
      }
    }
  }
  return out;
}

export function resolverFor(h: Harness, client: V1Pod, addr: { server: string; label: string }): Resolver {
  return { kc: h.kc, client, server: addr.server, label: addr.label };
}

/** The family of the pods' own resolver (the first nameserver: kube-dns' primary ClusterIP). */
export async function podResolverFamily(h: Harness): Promise<IPFamily | undefined> {
  const svc = await h.api.core.readNamespacedService({ name: 'kube-dns', namespace: 'kube-system' });
  const ip = svc.spec?.clusterIPs?.[0] ?? svc.spec?.clusterIP;
  return ip && isIp(ip) ? familyOf(ip) : undefined;
}
