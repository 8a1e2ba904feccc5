/**
 * Every version the offline lab pins. Changing one value here changes the
 * content hash of exactly the artefacts built from it, so `lab setup`
 * rebuilds only those.
 */
export const LAB = {
  kind: 'v0.30.0',
  /** Last minor whose kubelet still runs on cgroup v1 by default (1.35 sets failCgroupV1). */
  kubernetes: 'v1.34.4',
  /** kubeadm v1.34 constants: DefaultEtcdVersion, CoreDNSVersion, PauseVersion. */
  etcdTag: '3.6.5-0',
  coredns: 'v1.12.1',
  pauseTag: '3.10.1',
  /** kind v0.30's containerd config pins its own sandbox image tag. */
  kindSandboxPauseTag: '3.10',
  metallb: 'v0.15.2',
  /** Flannel (vxlan backend); its CNI plugin is containernetworking/plugins v0.9.1's meta/flannel, the last release that had it. */
  flannel: 'v0.28.10',
  flannelCniPlugin: 'v0.9.1',
  debianSuite: 'bookworm',
} as const;

/** Name prefix of images that exist only on this machine; never pulled. */
export const LOCAL_REGISTRY = 'v6e2e.local';

export const IMAGES = {
  debian: `${LOCAL_REGISTRY}/debian:${LAB.debianSuite}`,
  kindBase: `${LOCAL_REGISTRY}/kind-base:${LAB.kind}`,
  node: `${LOCAL_REGISTRY}/kind-node:${LAB.kubernetes}`,
  agnhost: `${LOCAL_REGISTRY}/agnhost:${LAB.kubernetes}`,
  redis: `${LOCAL_REGISTRY}/redis:${LAB.debianSuite}`,
  tayga: `${LOCAL_REGISTRY}/tayga:${LAB.debianSuite}`,
  unbound: `${LOCAL_REGISTRY}/unbound:${LAB.debianSuite}`,
  metallbController: `quay.io/metallb/controller:${LAB.metallb}`,
  metallbSpeaker: `quay.io/metallb/speaker:${LAB.metallb}`,
  flannel: `${LOCAL_REGISTRY}/flannel:${LAB.flannel}`,
} as const;

/** Labels every container, network and volume the lab creates, for cleanup by label. */
export const LAB_LABEL = 'io.v6e2e.lab';
export const HASH_LABEL = 'io.v6e2e.lab.hash';
/** On containers/networks the lab adds next to a cluster; the value is the cluster name. */
export const LAB_CLUSTER_LABEL = `${LAB_LABEL}.cluster`;
