/**
 * A second, internal Docker network on every node of a lab cluster. It gives each
 * node one more local address per family that is not in `status.addresses` — not a
 * host IP — so the NodePort checks can see what kube-proxy's `nodePortAddresses`
 * does with such addresses live (iptables' default answers on every local address,
 * nftables' default `primary` must refuse them). `--internal`: no gateway, so the
 * nodes' default routes stay on kind's network.
 */
import { LAB_CLUSTER_LABEL, LAB_LABEL } from '../lab/versions.ts';
import { dockerFailed, dockerTry } from '../util/docker.ts';
import { EnvironmentError } from '../util/errors.ts';
import { kindNodes, type NetAddresses } from './docker.ts';

export function altNetworkName(cluster: string): string {
  return `v6e2e-alt-${cluster}`;
}

/** A /24 of 198.18.0.0/15 (benchmarking space, never routed) and a ULA /64, picked from the name. */
function subnetsFor(cluster: string, attempt: number): [string, string] {
  let h = attempt * 7919;
  for (const c of cluster) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const slot = h % 512;
  return [`198.${18 + (slot >> 8)}.${slot & 255}.0/24`, `fd00:a17:${slot.toString(16)}::/64`];
}

async function networkExists(name: string): Promise<boolean> {
  return (await dockerTry(['network', 'inspect', name])).exitCode === 0;
}

/** Creates the network (once) and attaches every node of the cluster not yet on it. */
export async function ensureAltNetwork(cluster: string): Promise<void> {
  const name = altNetworkName(cluster);
  if (!(await networkExists(name))) {
    let last = '';
    for (let attempt = 0; attempt < 8 && !(await networkExists(name)); attempt++) {
      const [v4, v6] = subnetsFor(cluster, attempt);
      const args = ['network', 'create', '--internal', '--ipv6', '--subnet', v4, '--subnet', v6,
        '--label', `${LAB_LABEL}=alt-network`, '--label', `${LAB_CLUSTER_LABEL}=${cluster}`, name];
      const r = await dockerTry(args);
      if (r.exitCode === 0) break;
      last = r.stderr;
      if (!/overlap/i.test(r.stderr)) throw dockerFailed(args, r);
    }
    if (!(await networkExists(name))) {
      throw new EnvironmentError(`no free subnet for ${name} (every one tried overlaps a Docker network); remove unused ones (\`docker network prune\`): ${last}`);
    }
  }
  for (const node of await kindNodes(cluster)) {
    const args = ['network', 'connect', name, node];
    const r = await dockerTry(args);
    if (r.exitCode !== 0 && !/already exists|already attached/i.test(r.stderr)) throw dockerFailed(args, r);
  }
}

/** Each node's addresses on the alternate network (node name = container name); empty when the cluster has none. */
export async function altAddresses(cluster: string): Promise<Map<string, NetAddresses>> {
  // One call for every node: a docker process costs ~0.2 s on 2 busy cores, and this ran 2 + one per node.
  const args = ['network', 'inspect', '--format', '{{json .Containers}}', altNetworkName(cluster)];
  const r = await dockerTry(args);
  if (r.exitCode !== 0) {
    if (/no such network|not found/i.test(r.stderr)) return new Map();
    throw dockerFailed(args, r);
  }
  return attachedAddresses(JSON.parse(r.stdout) as NetworkContainers);
}

/** `.Containers` of `docker network inspect`: every container on the network, by id. */
export type NetworkContainers = Record<string, { Name: string; IPv4Address?: string; IPv6Address?: string }> | null;

/** Addresses by container name, without their prefix lengths. Only nodes are attached; one added later simply is not there. */
export function attachedAddresses(containers: NetworkContainers): Map<string, NetAddresses> {
  const bare = (a: string | undefined) => a?.split('/')[0] || undefined;
  return new Map(Object.values(containers ?? {}).map((c) => [c.Name, { IPv4: bare(c.IPv4Address), IPv6: bare(c.IPv6Address) }]));
}
