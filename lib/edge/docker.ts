import { familyOfCidr, type IPFamily } from '../net/family.ts';
import { inspectContainer, isNotFound, type ContainerInspect, type InspectNetworks } from '../util/docker-api.ts';
import { docker, dockerTry, type DockerResult } from '../util/docker.ts';
import { EnvironmentError } from '../util/errors.ts';

/** Addresses of one container on one Docker network. */
export interface NetAddresses {
  IPv4?: string;
  IPv6?: string;
}

/** A container has no endpoint on the network asked about. */
export class NotAttachedError extends EnvironmentError {
  override name = 'NotAttachedError';
}

/** Reads a container's addresses on a network (the Engine API's inspect: no docker process per call). */
export async function containerAddresses(container: string, network: string): Promise<NetAddresses> {
  let info: ContainerInspect;
  try {
    info = await inspectContainer(container);
  } catch (err) {
    const why = isNotFound(err) ? 'no such container' : err instanceof Error ? err.message : String(err);
    throw new EnvironmentError(`cannot inspect container ${container} (${why}); is it still there (\`docker ps -a\`)? \`v6e2e up\` recreates a lab cluster's containers`);
  }
  return addressesOn(info.NetworkSettings.Networks, container, network);
}

/** A container's addresses on `network`, from its inspected networks. */
export function addressesOn(nets: InspectNetworks, container: string, network: string): NetAddresses {
  const n = nets[network];
  if (!n) throw new NotAttachedError(`container ${container} is not attached to network ${network}; attach it (docker network connect ${network} ${container}) or recreate the cluster`);
  return { IPv4: n.IPAddress || undefined, IPv6: n.GlobalIPv6Address || undefined };
}

/** Subnets of a Docker network by family. */
export async function networkSubnets(network: string): Promise<Partial<Record<IPFamily, string>>> {
  const r = await docker(['network', 'inspect', '--format', '{{json .IPAM.Config}}', network]);
  const cfg = JSON.parse(r.stdout) as { Subnet?: string }[];
  const out: Partial<Record<IPFamily, string>> = {};
  for (const c of cfg) if (c.Subnet) out[familyOfCidr(c.Subnet)] = c.Subnet;
  return out;
}

/** kind node containers of a cluster, control plane first. */
export async function kindNodes(cluster: string): Promise<string[]> {
  const r = await docker(['ps', '--filter', `label=io.x-k8s.kind.cluster=${cluster}`, '--format', '{{.Names}}']);
  return r.stdout.split('\n').filter(Boolean).sort((a, b) => Number(b.endsWith('-control-plane')) - Number(a.endsWith('-control-plane')) || a.localeCompare(b));
}

export async function dockerExec(container: string, cmd: string[]): Promise<string> {
  return (await docker(['exec', container, ...cmd])).stdout;
}

/** nft in a container (a kind node), optionally reading a ruleset on stdin; a non-zero exit is returned, not thrown. */
export function nftIn(container: string, args: readonly string[], input?: string): Promise<DockerResult> {
  return dockerTry(['exec', '-i', container, 'nft', ...args], { timeout: 30_000, ...(input !== undefined ? { input } : {}) });
}
