/**
 * What the HTML report shows as "Environment": the cluster under test and the
 * lab edge. Read synchronously from the variables the CLI hands to vitest and
 * from `<lab dir>/edge/<cluster>.json` (lab clusters), so vitest.config.ts can pass
 * it to allure-vitest's `environmentInfo` (no Kubernetes client imported here:
 * the config loads it). cluster-environment.ts asks an existing cluster for what
 * the lab would otherwise know (CNI, kube-proxy mode).
 *
 * Keys avoid spaces and `:`/`=` so environment.properties needs no escaping.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { KubernetesTree } from '../kubesrc/tree.ts';
import { LAB } from '../lab/versions.ts';
import { LAB_DIR } from '../lab/paths.ts';
import type { KubernetesBuild } from './summary.ts';

export type EnvironmentInfo = Record<string, string>;

interface EdgeFacts {
  pref64?: string;
  dns64Mode?: string;
}

/** `kind-<name>` → `<name>`; other contexts are not lab clusters. */
export function kindClusterOf(context: string | undefined): string | undefined {
  return context?.startsWith('kind-') ? context.slice('kind-'.length) : undefined;
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
    return undefined;
  }
}

function set(out: EnvironmentInfo, key: string, value: string | undefined): void {
  const v = value?.trim();
  if (v) out[key] = v.replace(/[\r\n]+/g, ' ');
}

/**
 * Environment of a run from V6E2E_* variables. For a lab cluster (an edge file
 * exists for its kind name) the CLI sets its variant's CNI, kube-proxy mode and
 * ranges (kindnet and iptables when unset); for others V6E2E_CNI /
 * V6E2E_KUBE_PROXY_MODE come from `detectClusterEnvironment`.
 */
export function environmentInfo(env: NodeJS.ProcessEnv = process.env, labDir = LAB_DIR): EnvironmentInfo {
  const out: EnvironmentInfo = {};
  const cluster = kindClusterOf(env.V6E2E_CONTEXT);
  const edge = cluster ? readEdge(cluster, labDir) : undefined;
  set(out, 'profile', env.V6E2E_PROFILE);
  set(out, 'variant', env.V6E2E_VARIANT);
  set(out, 'kubernetes.version', env.V6E2E_KUBERNETES_VERSION);
  set(out, 'cluster', cluster ?? env.V6E2E_CONTEXT);
  if (edge) {
    set(out, 'kind', `${LAB.kind} (v6e2e offline lab)`);
    set(out, 'cni', env.V6E2E_CNI ?? 'kindnet (v6e2e kindnetd-compatible)');
    set(out, 'kube-proxy.mode', env.V6E2E_KUBE_PROXY_MODE ?? 'iptables');
  } else {
    set(out, 'cni', env.V6E2E_CNI);
    set(out, 'kube-proxy.mode', env.V6E2E_KUBE_PROXY_MODE);
  }
  const build = kubernetesBuildFromEnv(env);
  if (build) {
    set(out, 'kubernetes.src', build.src);
    set(out, 'kubernetes.commit', build.commit);
    set(out, 'kubernetes.tree-state', build.treeState);
    set(out, 'kubernetes.build-version', build.version);
  }
  set(out, 'pod.subnets', env.V6E2E_POD_SUBNETS);
  set(out, 'service.subnets', env.V6E2E_SERVICE_SUBNETS);
  set(out, 'node.cidr.masks', env.V6E2E_NODE_CIDR_MASKS);
  set(out, 'nat64.prefix', edge?.pref64 ?? env.V6E2E_NAT64_PREFIX);
  set(out, 'dns64.mode', edge?.dns64Mode ?? env.V6E2E_DNS64_MODE);
  set(out, 'nat64.target', env.V6E2E_NAT64_TARGET);
  set(out, 'node', process.version);
  return out;
}

/** What a run tells vitest of a cluster built from a source tree (nothing for the pinned release). */
export function treeEnv(tree: KubernetesTree | undefined): Record<string, string> {
  if (!tree) return {};
  return {
    V6E2E_KUBERNETES_SRC: tree.dir,
    V6E2E_KUBERNETES_COMMIT: tree.stamp.gitCommit,
    V6E2E_KUBERNETES_TREE_STATE: tree.stamp.gitTreeState,
    V6E2E_KUBERNETES_BUILD_VERSION: tree.stamp.gitVersion,
  };
}

/** The reverse of treeEnv, for the reporter and the environment block. */
export function kubernetesBuildFromEnv(env: NodeJS.ProcessEnv): KubernetesBuild | undefined {
  const { V6E2E_KUBERNETES_SRC: src, V6E2E_KUBERNETES_COMMIT: commit, V6E2E_KUBERNETES_TREE_STATE: state, V6E2E_KUBERNETES_BUILD_VERSION: version } = env;
  if (!src || !commit || !version) return undefined;
  return { src, commit, version, treeState: state === 'dirty' ? 'dirty' : 'clean' };
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
