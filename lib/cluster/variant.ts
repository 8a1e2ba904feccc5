/**
 * A lab cluster variant: the profile (families) plus the implementation choices a
 * patch author wants judged — kube-proxy's mode, the CNI, the addressing plan.
 * The variant decides the kind config, the default cluster name and the label
 * reports use, so two variants never share a cluster or a report row.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { REPO_ROOT } from '../lab/paths.ts';
import { inspectKubernetesTree, type KubernetesTree } from '../kubesrc/tree.ts';
import type { Profile } from '../profiles.ts';
import { addressingTag, defaultAddressing, isCustomAddressing, parseAddressing, profileFamilies, type AddressingInput, type AddressingPlan } from './addressing.ts';

export type KubeProxyMode = 'iptables' | 'nftables';
export const KUBE_PROXY_MODES: readonly KubeProxyMode[] = ['iptables', 'nftables'];
export type Cni = 'kindnet' | 'flannel';
export const CNIS: readonly Cni[] = ['kindnet', 'flannel'];

export interface ClusterVariant {
  profile: Profile;
  kubeProxyMode: KubeProxyMode;
  cni: Cni;
  /** Pod/Service ranges and node masks; kind's defaults unless given. */
  addressing: AddressingPlan;
  /** Kubernetes built from this tree (`--kubernetes-src`) instead of the pinned release. */
  kubernetes?: KubernetesTree;
}

/** The lab's default implementation choices (what round 1 judged). */
export function baseVariant(profile: Profile): ClusterVariant {
  return { profile, kubeProxyMode: 'iptables', cni: 'kindnet', addressing: defaultAddressing(profile) };
}

/**
 * `dual`, `dual-nft`, `ipv6-nft-flannel`, `ipv6-net3fa9`: the profile, then what
 * differs from the base variant. Reports use it as the row label, kind as the name.
 */
export function variantLabel(v: ClusterVariant): string {
  const parts: string[] = [v.profile];
  if (v.kubeProxyMode === 'nftables') parts.push('nft');
  if (v.cni !== 'kindnet') parts.push(v.cni);
  if (isCustomAddressing(v.addressing, v.profile)) parts.push(addressingTag(v.addressing));
  // Every state of a tree is its own cluster and report row.
  if (v.kubernetes) parts.push(`src${v.kubernetes.state.slice(0, 6)}`);
  return parts.join('-');
}

export function defaultVariantClusterName(v: ClusterVariant): string {
  return `v6e2e-${variantLabel(v)}`;
}

/** kind's Cluster config for the variant: the profile's file under kind-configs/, with the variant's fields set. */
export function kindClusterConfig(v: ClusterVariant, root = REPO_ROOT): Record<string, unknown> {
  const file = path.join(root, 'kind-configs', `${v.profile}.yaml`);
  const cfg = YAML.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const networking = { ...((cfg.networking as Record<string, unknown> | undefined) ?? {}) };
  networking.kubeProxyMode = v.kubeProxyMode;
  if (v.cni !== 'kindnet') networking.disableDefaultCNI = true;
  networking.podSubnet = v.addressing.podSubnets.join(',');
  networking.serviceSubnet = v.addressing.serviceSubnets.join(',');
  cfg.networking = networking;
  // kubeadm sets --cluster-cidr from podSubnet but no node mask: the controller-manager gets it here.
  const extraArgs: Record<string, string> = {};
  for (const f of profileFamilies(v.profile)) {
    const mask = v.addressing.nodeCidrMask[f];
    if (mask !== undefined) extraArgs[`node-cidr-mask-size-${f.toLowerCase()}`] = String(mask);
  }
  const patches = [...((cfg.kubeadmConfigPatches as string[] | undefined) ?? [])];
  patches.push(YAML.stringify({ kind: 'ClusterConfiguration', controllerManager: { extraArgs } }));
  cfg.kubeadmConfigPatches = patches;
  return cfg;
}

/** Number of nodes the profile's kind config creates (the addressing plan must have a subnet for each). */
export function nodeCount(profile: Profile, root = REPO_ROOT): number {
  const cfg = YAML.parse(readFileSync(path.join(root, 'kind-configs', `${profile}.yaml`), 'utf8')) as { nodes?: unknown[] };
  return cfg.nodes?.length ?? 1;
}

/** The variant flags of `run`/`up`/`down`, validated by the parser; each profile of a run gets them. */
export interface VariantFlags {
  kubeProxyMode: KubeProxyMode;
  cni: Cni;
  /** Raw addressing flags (validated per profile at parse time). */
  addressing: AddressingInput;
  /** `--kubernetes-src DIR` as given (inspected when the variant is made). */
  kubernetesSrc?: string;
}

export const DEFAULT_VARIANT_FLAGS: VariantFlags = { kubeProxyMode: 'iptables', cni: 'kindnet', addressing: {} };

/** Any flag that shapes a lab cluster given (they cannot apply to an existing cluster). */
export function variantFlagsGiven(f: VariantFlags): boolean {
  return f.kubeProxyMode !== 'iptables' || f.cni !== 'kindnet' || Object.values(f.addressing).some((v) => v !== undefined) || f.kubernetesSrc !== undefined;
}

/** The variant of `profile` under these flags (throws UsageError for an addressing plan the profile cannot take). */
export function variantOf(profile: Profile, f: VariantFlags, root = REPO_ROOT): ClusterVariant {
  const addressing = parseAddressing(f.addressing, profile, nodeCount(profile, root)) ?? defaultAddressing(profile);
  const v: ClusterVariant = { profile, kubeProxyMode: f.kubeProxyMode, cni: f.cni, addressing };
  if (f.kubernetesSrc !== undefined) v.kubernetes = treeOnce(f.kubernetesSrc);
  return v;
}

const trees = new Map<string, KubernetesTree>();
/** One inspection per tree and process: a run makes the variant of each profile from the same state. */
function treeOnce(dir: string): KubernetesTree {
  const key = path.resolve(dir);
  let t = trees.get(key);
  if (!t) trees.set(key, (t = inspectKubernetesTree(dir)));
  return t;
}

/** The flags that recreate `f` on a command line (children of a parallel run, printed commands). */
export function variantArgv(f: VariantFlags): string[] {
  const argv: string[] = [];
  if (f.kubeProxyMode !== 'iptables') argv.push('--kube-proxy-mode', f.kubeProxyMode);
  if (f.cni !== 'kindnet') argv.push('--cni', f.cni);
  const a = f.addressing;
  if (a.podSubnet !== undefined) argv.push('--pod-subnet', a.podSubnet);
  if (a.serviceSubnet !== undefined) argv.push('--service-subnet', a.serviceSubnet);
  if (a.nodeCidrMaskIPv4 !== undefined) argv.push('--node-cidr-mask-ipv4', a.nodeCidrMaskIPv4);
  if (a.nodeCidrMaskIPv6 !== undefined) argv.push('--node-cidr-mask-ipv6', a.nodeCidrMaskIPv6);
  if (f.kubernetesSrc !== undefined) argv.push('--kubernetes-src', path.resolve(f.kubernetesSrc));
  return argv;
}
