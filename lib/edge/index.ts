import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { LAB_DIR } from '../lab/paths.ts';
import { IMAGES, LAB_CLUSTER_LABEL, LAB_LABEL } from '../lab/versions.ts';
import { addressAt } from '../net/cidr.ts';
import { embedIPv4, parsePref64, type Pref64 } from '../net/rfc6052.ts';
import { docker, dockerFailed, dockerTry } from '../util/docker.ts';
import { EnvironmentError, RunBrokenError } from '../util/errors.ts';
import type { Progress } from '../util/progress.ts';
import { applyCorefile, renderCorefile } from './coredns.ts';
import { ipv4onlyArpaZoneFile, labZoneFile, unboundConf, ZONE_NAMES, type Dns64Mode, type LabZone } from './dns.ts';
import { containerAddresses, dockerExec, kindNodes, type NetAddresses } from './docker.ts';
import { removeV6World, routesBack, routeToV6World, startV6World, type V6Origin } from './v6-world.ts';

/** kind's Docker network (KIND_EXPERIMENTAL_DOCKER_NETWORK is not used by the lab). */
export const KIND_NETWORK = 'kind';
/** The origin sits in the shared address space: the well-known prefix may not embed RFC 1918 (RFC 6052 §3.1, enforced by tayga). */
const V4_WORLD_BASE = '100.64.0.0/10';

export interface EdgeOptions {
  cluster: string;
  pref64: string;
  dns64Mode: Dns64Mode;
  /** Called once the lab resolver answers, before CoreDNS is pointed at it (the edge file comes after that). */
  onResolver?: (addr: NetAddresses) => void;
}

/** Everything a suite needs to know about the lab edge; written to `<lab dir>/edge/<cluster>.json`. */
export interface EdgeInfo {
  cluster: string;
  pref64: string;
  dns64Mode: Dns64Mode;
  v4Network: string;
  v4Subnet: string;
  origin: { container: string; ipv4: string; httpPort: number; udpPort: number; bulk?: OriginBulk };
  /** The IPv6 world's origin, reached natively (no NAT64). Absent in edge files written before it existed. */
  origin6?: V6Origin;
  translator: { container: string; kind: NetAddresses; ipv4Leg: string };
  dns: { container: string; kind: NetAddresses };
  zone: LabZone;
  /** The origin's address as IPv6 clients dial it through the translator. */
  originSynthesized: string;
  nodes: string[];
}

/**
 * A file of random bytes the origin serves on a second port (agnhost test-webserver,
 * a static file server), for transfers through the translator: netexec has no
 * endpoint with a large body. Absent in edge files written before it existed.
 */
export interface OriginBulk {
  port: number;
  /** URL path of the file. */
  path: string;
  bytes: number;
  sha256: string;
}

const BULK = { port: 8000, dir: '/srv/bulk', file: '2MiB.bin', bytes: 2 * 1024 * 1024 };

export function edgeFile(cluster: string): string {
  return path.join(LAB_DIR, 'edge', `${cluster}.json`);
}

/**
 * The cluster's edge description, or undefined when it has none (no file: not a lab
 * cluster, or one made by plain kind). A file that exists but cannot be read or parsed
 * is an error, not "no edge": that would skip the edge's checks on a lab cluster.
 */
export async function readEdgeInfo(cluster: string): Promise<EdgeInfo | undefined> {
  const file = edgeFile(cluster);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EnvironmentError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)}); make it readable, or delete it and run \`v6e2e up\` again`);
  }
  try {
    return JSON.parse(text) as EdgeInfo;
  } catch {
    throw new EnvironmentError(`${file} is not valid JSON; delete it and run \`v6e2e up\` (or \`run --reuse\`) to provision the edge again`);
  }
}

const names = (cluster: string) => ({
  v4Network: `v6e2e-v4-${cluster}`,
  origin: `v6e2e-origin-${cluster}`,
  translator: `v6e2e-nat64-${cluster}`,
  dns: `v6e2e-dns-${cluster}`,
});

const labels = (cluster: string, role: string) => ['--label', `${LAB_LABEL}=${role}`, '--label', `${LAB_CLUSTER_LABEL}=${cluster}`];

/** One /24 of 100.64.0.0/10 per cluster, picked from the name so parallel clusters rarely collide. */
function v4SubnetFor(cluster: string, attempt: number): string {
  let h = attempt * 7919;
  for (const c of cluster) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const index = 1 + (h % 16_000);
  return `${addressAt(V4_WORLD_BASE, index * 256)}/24`;
}

async function createV4Network(cluster: string): Promise<string> {
  const n = names(cluster).v4Network;
  for (let attempt = 0; attempt < 5; attempt++) {
    const subnet = v4SubnetFor(cluster, attempt);
    const args = ['network', 'create', '--subnet', subnet, ...labels(cluster, 'v4-world'), n];
    const r = await dockerTry(args);
    if (r.exitCode === 0) return subnet;
    if (!/overlap/i.test(r.stderr)) throw dockerFailed(args, r);
  }
  throw new EnvironmentError(`no free /24 in ${V4_WORLD_BASE} for ${n}; remove unused Docker networks (\`docker network prune\`)`);
}

async function removeEdgeContainers(cluster: string): Promise<void> {
  const n = names(cluster);
  // Exits non-zero when there is nothing to remove, the usual case; a real leftover shows when the edge is created again.
  await dockerTry(['rm', '-f', '-v', n.origin, n.translator, n.dns]);
  await dockerTry(['network', 'rm', n.v4Network]);
  await removeV6World(cluster);
}

/**
 * Builds the hermetic IPv4 world next to a kind cluster: an IPv4-only network
 * with the origin (agnhost netexec: HTTP and UDP, reports the client address),
 * a tayga NAT64 with one leg on kind's network and one on the IPv4-only one,
 * an unbound upstream authoritative for the lab zones, node routes for the
 * prefix, and CoreDNS forwarding to that upstream with DNS64 per mode.
 */
export async function startEdge(kc: KubeConfig, opts: EdgeOptions, progress: Progress): Promise<EdgeInfo> {
  const pref64: Pref64 = parsePref64(opts.pref64);
  const n = names(opts.cluster);
  const previous = await readEdgeInfo(opts.cluster);
  await removeEdgeContainers(opts.cluster);
  const v4Subnet = await progress.step('IPv4-only network', () => createV4Network(opts.cluster));
  const originV4 = addressAt(v4Subnet, 10);
  const translatorV4 = addressAt(v4Subnet, 2);

  const bulk = await progress.step('origin (IPv4-only HTTP/UDP server, 2 MiB file on :8000)', async () => {
    // netexec is the main process; test-webserver serves the generated file beside it.
    const file = `${BULK.dir}/${BULK.file}`;
    const script = [
      `mkdir -p ${BULK.dir}`,
      `head -c ${BULK.bytes} /dev/urandom > ${file}.tmp && mv ${file}.tmp ${file}`,
      `/agnhost test-webserver --port=${BULK.port} &`,
      'exec /agnhost netexec --http-port=80 --udp-port=8081',
    ].join('\n');
    await docker(['run', '-d', '--name', n.origin, '--network', n.v4Network, '--ip', originV4, ...labels(opts.cluster, 'origin'),
      '--entrypoint', 'sh', IMAGES.agnhost, '-c', script]);
    return originBulk(n.origin, file);
  });

  const translator = await progress.step('NAT64 translator (tayga)', async () => {
    await docker(['create', '--name', n.translator, '--network', KIND_NETWORK, ...labels(opts.cluster, 'nat64'),
      '--cap-add', 'NET_ADMIN', '--device', '/dev/net/tun',
      '--sysctl', 'net.ipv6.conf.all.forwarding=1', '--sysctl', 'net.ipv4.ip_forward=1',
      '--sysctl', 'net.ipv6.conf.all.disable_ipv6=0', '--sysctl', 'net.ipv6.conf.default.disable_ipv6=0',
      '-e', `NAT64_PREFIX=${pref64.cidr}`, '-e', `V4_ADDR=${translatorV4}`, IMAGES.tayga]);
    await docker(['network', 'connect', '--ip', translatorV4, n.v4Network, n.translator]);
    await docker(['start', n.translator]);
    return containerAddresses(n.translator, KIND_NETWORK);
  });
  if (!translator.IPv6) throw noIPv6(`translator ${n.translator}`);

  const origin6 = await progress.step('IPv6 world (2001:db8 network, origin reached without NAT64)', () =>
    startV6World(opts.cluster, KIND_NETWORK, labels(opts.cluster, 'v6-world')),
  );

  const dnsAddr = await progress.step('upstream DNS (unbound)', async () => {
    const dir = path.join(LAB_DIR, 'edge', `${opts.cluster}-dns`);
    await mkdir(dir, { recursive: true });
    await docker(['run', '-d', '--name', n.dns, '--network', KIND_NETWORK, ...labels(opts.cluster, 'dns'),
      '-v', `${dir}:/etc/unbound/lab:ro`, '--entrypoint', 'sleep', IMAGES.unbound, 'infinity']);
    const addr = await containerAddresses(n.dns, KIND_NETWORK);
    if (!addr.IPv6) throw noIPv6(`DNS container ${n.dns}`);
    await writeFile(path.join(dir, 'unbound.conf'), unboundConf(opts.dns64Mode, pref64));
    await writeFile(path.join(dir, 'lab.test.zone'), labZoneFile(originV4, origin6.ipv6, addr.IPv6));
    await writeFile(path.join(dir, 'ipv4only.arpa.zone'), ipv4onlyArpaZoneFile(addr.IPv6));
    // The address is known only once attached, so the real server starts now, as PID 1's sibling.
    await docker(['exec', '-d', n.dns, 'unbound', '-d', '-p', '-c', '/etc/unbound/lab/unbound.conf']);
    await waitUnbound(n.dns);
    return addr;
  });
  opts.onResolver?.(dnsAddr);

  const nodes = await kindNodes(opts.cluster);
  await progress.step(`routes to ${pref64.cidr}, ${v4Subnet} and ${origin6.subnet} on ${nodes.length} nodes`, async () => {
    for (const node of nodes) {
      // Re-provisioning with another prefix: the old one would still point at the translator.
      // The old route may be gone already (a node restarted): only a route that is still there matters.
      if (previous && previous.pref64 !== pref64.cidr) await dockerTry(['exec', node, 'ip', '-6', 'route', 'del', previous.pref64]);
      await routeEdge(node, pref64.cidr, v4Subnet, translator);
      await routeToV6World(node, origin6);
    }
    await routesBack(kc, origin6, KIND_NETWORK);
  });

  await progress.step(`CoreDNS → ${dnsAddr.IPv6} (DNS64 in ${opts.dns64Mode})`, () =>
    applyCorefile(kc, renderCorefile({ upstream: dnsAddr.IPv6!, mode: opts.dns64Mode, pref64 })),
  );

  const info: EdgeInfo = {
    cluster: opts.cluster,
    pref64: pref64.cidr,
    dns64Mode: opts.dns64Mode,
    v4Network: n.v4Network,
    v4Subnet,
    origin: { container: n.origin, ipv4: originV4, httpPort: 80, udpPort: 8081, bulk },
    origin6,
    translator: { container: n.translator, kind: translator, ipv4Leg: translatorV4 },
    dns: { container: n.dns, kind: dnsAddr },
    zone: ZONE_NAMES,
    originSynthesized: embedIPv4(pref64, originV4),
    nodes,
  };
  await mkdir(path.dirname(edgeFile(opts.cluster)), { recursive: true });
  await writeFile(edgeFile(opts.cluster), `${JSON.stringify(info, null, 2)}\n`);
  return info;
}

/** A lab container without an IPv6 address on kind's network: the network was made without IPv6. */
function noIPv6(what: string): EnvironmentError {
  return new EnvironmentError(
    `${what} got no IPv6 address on Docker network ${KIND_NETWORK}: it is not IPv6-enabled; with no kind cluster left, remove it (\`docker network rm ${KIND_NETWORK}\`) so kind recreates it with IPv6`,
  );
}

/** Node routes: the prefix to the translator (IPv6), the IPv4 world through it (plain IPv4 routing). */
export async function routeEdge(node: string, pref64: string, v4Subnet: string, translator: NetAddresses): Promise<void> {
  await dockerExec(node, ['ip', '-6', 'route', 'replace', pref64, 'via', translator.IPv6!]);
  if (translator.IPv4) await dockerExec(node, ['ip', '-4', 'route', 'replace', v4Subnet, 'via', translator.IPv4]);
}

/**
 * Starts the translator container again (after a fault test stopped it) and waits for
 * tayga. Docker may hand it another address on kind's network: then the node routes
 * are re-pointed and the edge file rewritten. Returns the edge as it now is.
 */
export async function restartTranslator(info: EdgeInfo): Promise<EdgeInfo> {
  const c = info.translator.container;
  await docker(['start', c]);
  for (let i = 0; ; i++) {
    const r = await dockerTry(['exec', c, 'sh', '-c', 'ip link show nat64 | grep -q ",UP" && grep -qx tayga /proc/1/comm']);
    if (r.exitCode === 0) break;
    if (i >= 100) throw new RunBrokenError(`translator ${c} restarted but tayga is not running (nat64 link up, PID 1 tayga); see \`docker logs ${c}\`, \`v6e2e up\` rebuilds the edge`);
    await new Promise((res) => setTimeout(res, 200));
  }
  const kind = await containerAddresses(c, KIND_NETWORK);
  if (kind.IPv6 === info.translator.kind.IPv6 && kind.IPv4 === info.translator.kind.IPv4) return info;
  if (!kind.IPv6) throw noIPv6(`translator ${c} (restarted)`);
  for (const node of info.nodes) await routeEdge(node, info.pref64, info.v4Subnet, kind);
  const updated: EdgeInfo = { ...info, translator: { ...info.translator, kind } };
  await writeFile(edgeFile(info.cluster), `${JSON.stringify(updated, null, 2)}\n`);
  return updated;
}

/** Waits for the origin's bulk file and records its size and digest (the transfer check compares both). */
async function originBulk(container: string, file: string): Promise<OriginBulk> {
  for (let i = 0; i < 50; i++) {
    const r = await dockerTry(['exec', container, 'sh', '-c', `test -f ${file} && wc -c < ${file} && sha256sum < ${file}`]);
    const [size, sum] = r.stdout.split('\n');
    if (r.exitCode === 0 && Number(size) === BULK.bytes && sum) return { port: BULK.port, path: file, bytes: BULK.bytes, sha256: sum.split(' ')[0]! };
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new RunBrokenError(`origin ${container} did not write ${file} (${BULK.bytes} bytes); see \`docker logs ${container}\``);
}

async function waitUnbound(container: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const r = await dockerTry(['exec', container, 'dig', '+short', '+time=1', '+tries=1', '@127.0.0.1', 'A', ZONE_NAMES.v4only]);
    if (r.exitCode === 0 && r.stdout.trim()) return;
    await new Promise((res) => setTimeout(res, 200));
  }
  const logs = await dockerTry(['logs', '--tail', '20', container]);
  throw new RunBrokenError(`unbound in ${container} does not answer for ${ZONE_NAMES.v4only}; its log:\n${logs.all}`);
}

export async function stopEdge(cluster: string): Promise<void> {
  await removeEdgeContainers(cluster);
}

/** Files the edge keeps for a cluster under the lab dir: its description and the DNS server's config. */
export function edgeFiles(cluster: string): string[] {
  return [edgeFile(cluster), path.join(LAB_DIR, 'edge', `${cluster}-dns`)];
}
