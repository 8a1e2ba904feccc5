/**
 * What the HTML report shows as "Environment": the cluster under test and the
 * lab edge. Read synchronously from the run's settings (lib/harness/settings.ts) and
 * from `<lab dir>/edge/<cluster>.json` (lab clusters), so vitest.config.ts can pass
 * it to allure-vitest's `environmentInfo` (no Kubernetes client imported here:
 * the config loads it). cluster-environment.ts asks an existing cluster for what
 * the lab would otherwise know (CNI, kube-proxy mode).
 *
 * Keys avoid spaces and `:`/`=` so environment.properties needs no escaping.
 */
import fs from 'node:fs';
import path from 'node:path';
import { kindClusterOf } from '../cluster/context.ts';
import type { KubernetesTree } from '../kubesrc/tree.ts';
import { LAB } from '../lab/versions.ts';
import { LAB_DIR } from '../lab/paths.ts';
import type { RunSettings } from '../harness/settings.ts';
import type { KubernetesBuild } from './summary.ts';

export type EnvironmentInfo = Record<string, string>;

interface EdgeFacts {
  pref64?: string;
  dns64Mode?: string;
}

function readEdge(cluster: string, labDir: string): EdgeFacts | undefined {
  try {
    const data = JSON.parse(fs.readFileSync(path.join(labDir, 'edge', `${cluster}.json`), 'utf8')) as unknown;
    if (data === null || typeof data !== 'object') return undefined;
    const { pref64, dns64Mode } = data as Record<string, unknown>;
    return {
      ...(typeof pref64 === 'string' ? { pref64 } : {}),
      ...(typeof dns64Mode === 'string' ? { dns64Mode } : {}),
    };
  } catch {
    // Report facts only: no (readable) edge file leaves pref64/DNS64 out of environment.properties; checks read the edge elsewhere.
    return undefined;
  }
}

function set(out: EnvironmentInfo, key: string, value: string | undefined): void {
  const v = value?.trim();
  if (v) out[key] = v.replace(/[\r\n]+/g, ' ');
}

/**
 * Environment of a run from its settings (lib/harness/settings.ts). For a lab
 * cluster (an edge file exists for its kind name) the CLI sets its variant's CNI,
 * kube-proxy mode and ranges (kindnet and iptables when unset); for others they
 * come from `detectClusterEnvironment`.
 */
export function environmentInfo(s: RunSettings, labDir = LAB_DIR): EnvironmentInfo {
  const out: EnvironmentInfo = {};
  const context = s.context ?? undefined;
  const cluster = kindClusterOf(context);
  const edge = cluster ? readEdge(cluster, labDir) : undefined;
  const c = s.cluster;
  set(out, 'profile', s.profile ?? undefined);
  set(out, 'variant', s.variant ?? undefined);
  set(out, 'kubernetes.version', s.kubernetesVersion ?? undefined);
  set(out, 'cluster', cluster ?? context);
  if (edge) {
    set(out, 'kind', `${LAB.kind} (v6e2e offline lab)`);
    set(out, 'cni', c.cni ?? 'kindnet (v6e2e kindnetd-compatible)');
    set(out, 'kube-proxy.mode', c.kubeProxyMode ?? 'iptables');
  } else {
    set(out, 'cni', c.cni ?? undefined);
    set(out, 'kube-proxy.mode', c.kubeProxyMode ?? undefined);
  }
  if (s.build) {
    set(out, 'kubernetes.src', s.build.src);
    set(out, 'kubernetes.commit', s.build.commit);
    set(out, 'kubernetes.tree-state', s.build.treeState);
    set(out, 'kubernetes.build-version', s.build.version);
  }
  set(out, 'pod.subnets', c.podSubnets.join(','));
  set(out, 'service.subnets', c.serviceSubnets.join(','));
  set(out, 'node.cidr.masks', Object.entries(c.nodeCidrMasks).map(([f, m]) => `${f}/${m}`).join(','));
  set(out, 'nat64.prefix', edge?.pref64 ?? s.nat64Prefix ?? undefined);
  set(out, 'dns64.mode', edge?.dns64Mode ?? s.dns64Mode ?? undefined);
  set(out, 'nat64.target', s.nat64Target ?? undefined);
  set(out, 'node', process.version);
  return out;
}

/** What a run records of a cluster built from a source tree (nothing for the pinned release). */
export function kubernetesBuildOf(tree: KubernetesTree | undefined): KubernetesBuild | null {
  if (!tree) return null;
  return { src: tree.dir, commit: tree.stamp.gitCommit, version: tree.stamp.gitVersion, treeState: tree.stamp.gitTreeState === 'dirty' ? 'dirty' : 'clean' };
}

/** environment.properties text (sorted keys; `\`, `:`, `=` and `#` escaped in values). */
export function renderProperties(info: EnvironmentInfo): string {
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/([:=#!])/g, '\\$1');
  return Object.keys(info)
    .sort()
    .map((k) => `${k.replace(/[\s:=]/g, '_')}=${esc(info[k] ?? '')}`)
    .join('\n')
    .concat('\n');
}

export function parseProperties(text: string): EnvironmentInfo {
  const out: EnvironmentInfo = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^((?:\\.|[^=:\\])*?)\s*[=:]\s*(.*)$/.exec(line);
    const key = (m?.[1] ?? line).replace(/\\(.)/g, '$1');
    out[key] = (m?.[2] ?? '').replace(/\\(.)/g, '$1');
  }
  return out;
}
