/**
 * The lab's IPv6 "outside world": a Docker network of its own in the documentation
 * prefix (2001:db8::/32, global-looking, never routed beyond the lab) with an origin
 * (agnhost netexec) that pods reach natively over IPv6, without NAT64. The origin is
 * also on kind's network and is the nodes' next hop for the world's /64: the path
 * then depends on nothing outside the lab (not on the Docker host forwarding IPv6).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { CoreV1Api } from '@kubernetes/client-node';
import { waitFor } from '../k8s/wait.ts';
import { IMAGES } from '../lab/versions.ts';
import { familyOfCidr } from '../net/family.ts';
import { docker, dockerFailed, dockerTry } from '../util/docker.ts';
import { EnvironmentError } from '../util/errors.ts';
import { containerAddresses, dockerExec, networkSubnets } from './docker.ts';

/** What the suites need of the IPv6 world; part of the edge file. */
export interface V6Origin {
  container: string;
  network: string;
  /** The world's /64, routed by every node to the origin. */
  subnet: string;
  /** The origin's address in the world: what pods dial. */
  ipv6: string;
  /** Its address on kind's network: the nodes' next hop. */
  kindIPv6: string;
  httpPort: number;
  udpPort: number;
}

/** Documentation space (RFC 3849), second group 1: apart from the zone's never-dialled 2001:db8:64:: names. */
function subnetFor(cluster: string, attempt: number): string {
  let h = attempt * 7919;
  for (const c of cluster) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `2001:db8:1:${(h % 0xffff).toString(16)}::/64`;
}

export const v6WorldNames = (cluster: string) => ({ network: `v6e2e-v6-${cluster}`, origin: `v6e2e-origin6-${cluster}` });

async function createNetwork(name: string, cluster: string, labels: readonly string[]): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const subnet = subnetFor(cluster, attempt);
    const args = ['network', 'create', '--ipv6', '--subnet', subnet, ...labels, name];
    const r = await dockerTry(args);
    if (r.exitCode === 0) return subnet;
    if (!/overlap/i.test(r.stderr)) throw dockerFailed(args, r);
  }
  throw new EnvironmentError(`no free /64 in 2001:db8:1::/48 for ${name}; remove unused Docker networks (\`docker network prune\`)`);
}

/**
 * Starts the world and its origin. `labels` are the edge's container labels;
 * `kindNetwork` is kind's Docker network.
 */
export async function startV6World(cluster: string, kindNetwork: string, labels: readonly string[]): Promise<V6Origin> {
  const n = v6WorldNames(cluster);
  const subnet = await createNetwork(n.network, cluster, labels);
  const ipv6 = subnet.replace(/::\/64$/, '::10');
  // NET_ADMIN: the origin sets up its own way back (routesBack).
  await docker(['create', '--name', n.origin, '--network', n.network, '--ip6', ipv6, ...labels, '--cap-add', 'NET_ADMIN',
    '--entrypoint', '/agnhost', IMAGES.agnhost, 'netexec', '--http-port=80', '--udp-port=8081']);
  await docker(['network', 'connect', kindNetwork, n.origin]);
  await docker(['start', n.origin]);
  const kind = await containerAddresses(n.origin, kindNetwork);
  if (!kind.IPv6) throw new EnvironmentError(`${n.origin} got no IPv6 address on Docker network ${kindNetwork}: it is not IPv6-enabled`);
  return { container: n.origin, network: n.network, subnet, ipv6, kindIPv6: kind.IPv6, httpPort: 80, udpPort: 8081 };
}

/** Every node routes the world's /64 to the origin (the lab's stand-in for an upstream router). */
export async function routeToV6World(node: string, o: V6Origin): Promise<void> {
  await dockerExec(node, ['ip', '-6', 'route', 'replace', o.subnet, 'via', o.kindIPv6]);
}

/**
 * The origin's way back. Replies leave from its world address, also for UDP, whose
 * unconnected socket would otherwise answer from its kind address and miss the
 * client's conntrack entry (metric 1: ahead of the kernel's on-link route); and they reach un-masqueraded pod sources through each
 * node's IPv6 podCIDR (a CNI that masquerades never uses those routes).
 */
export async function routesBack(kc: KubeConfig, o: V6Origin, kindNetwork: string): Promise<void> {
  const iface = (await dockerExec(o.container, ['ip', '-o', '-6', 'addr', 'show', 'to', `${o.kindIPv6}/128`])).split(/\s+/)[1];
  const kindSubnet = (await networkSubnets(kindNetwork)).IPv6;
  if (!iface || !kindSubnet) throw new EnvironmentError(`${o.container}: no interface with ${o.kindIPv6} on ${kindNetwork}; \`v6e2e up\` rebuilds the edge`);
  await dockerExec(o.container, ['ip', '-6', 'route', 'replace', kindSubnet, 'dev', iface, 'src', o.ipv6, 'metric', '1']);
  // Right after kind create a node may not have its podCIDRs yet: a route skipped then would be missing for good.
  const core = kc.makeApiClient(CoreV1Api);
  const nodes = await waitFor('every node has its podCIDRs', async () => (await core.listNode()).items, {
    until: (items) => items.length > 0 && items.every((n) => (n.spec?.podCIDRs ?? []).length > 0),
    describe: (items) => items.map((n) => `${n.metadata?.name ?? '?'}: ${(n.spec?.podCIDRs ?? []).join(',') || 'none'}`).join('; '),
  });
  for (const node of nodes) {
    const cidr = (node.spec?.podCIDRs ?? []).find((c) => familyOfCidr(c) === 'IPv6');
    const name = node.metadata?.name;
    if (!cidr || !name) continue;
    const via = (await containerAddresses(name, kindNetwork)).IPv6;
    if (via) await dockerExec(o.container, ['ip', '-6', 'route', 'replace', cidr, 'via', via, 'src', o.ipv6]);
  }
}

/** Removes the origin and the network; silent when they are not there. */
export async function removeV6World(cluster: string): Promise<void> {
  const n = v6WorldNames(cluster);
  await dockerTry(['rm', '-f', '-v', n.origin]);
  await dockerTry(['network', 'rm', n.network]);
}
