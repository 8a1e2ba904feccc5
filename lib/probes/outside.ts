/**
 * A client outside the cluster: a container on kind's Docker network (not inside a
 * node), so traffic to NodePorts and LoadBalancer IPs arrives at the nodes the way a
 * user's would: over the bridge, with the container's own source address, not via a
 * node's loopback or a pod's veth.
 *
 * Started with testcontainers (Ryuk disabled: it needs a privileged reaper the lab cannot
 * run); inspected and exec'd into through the Engine API (lib/util/docker-api.ts), so a
 * worker using a running client never loads testcontainers. Labelled `io.v6e2e.lab=probe`
 * and `io.v6e2e.lab.cluster=<cluster>` so that `v6e2e down` removes leftovers after a
 * crash. Each is shared (sharedOutsideClient, created by whoever asks first) and removed by
 * its name.
 */
import { addressesOn, type NetAddresses } from '../edge/docker.ts';
import { LAB_CLUSTER_LABEL, LAB_LABEL } from '../lab/versions.ts';
import { familyOf, isIp, type IPFamily } from '../net/family.ts';
import { execIn, inspectContainer, isNotFound, removeContainer, type ContainerInspect } from '../util/docker-api.ts';
import { curlCommand, parseCurlResult, type HttpResult } from './curl.ts';
import type { ProbeResult } from './exec.ts';
import { recordProbe } from './journal.ts';
import { AGNHOST_IMAGE } from './pods.ts';

// Kept importable from here: suites and tests reach the curl helpers through the outside client's module.
export { curlCommand, parseCurlResult } from './curl.ts';

export const KIND_NETWORK = 'kind';
/** Value of LAB_LABEL on outside probe containers. */
export const PROBE_ROLE = 'probe';

export interface OutsideOptions {
  /** kind cluster name: goes into the cleanup label and the container name. */
  cluster: string;
  /** Default `kind`. */
  network?: string;
  /** Default AGNHOST_IMAGE (has curl, nc, socat). */
  image?: string;
  /** Extra labels (e.g. the run id). */
  labels?: Record<string, string>;
  /** Added capabilities, e.g. NET_ADMIN to give the container routes of its own. */
  capabilities?: string[];
}

export interface OutsideHttpOptions {
  /** Connect timeout in seconds; the whole request may take twice that. Default 5. */
  timeoutS?: number;
}

export interface OutsideClient {
  /** Docker container name. */
  name: string;
  network: string;
  /** The container's addresses on the network. */
  addresses: NetAddresses;
  addressOf(family: IPFamily): string | undefined;
  /** Runs a command in the container; never throws for a non-zero exit. */
  exec(target: string, command: string[]): Promise<ProbeResult>;
  /** curl from the container (same result shape as the in-pod httpGet). */
  httpGet(url: string, opts?: OutsideHttpOptions): Promise<HttpResult>;
}

/** Labels of an outside probe container; `v6e2e down` removes containers by these. */
export function outsideLabels(cluster: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, [LAB_LABEL]: PROBE_ROLE, [LAB_CLUSTER_LABEL]: cluster };
}

function familyOfUrl(target: string): IPFamily | undefined {
  try {
    const host = new URL(target).hostname.replace(/^\[|\]$/g, '');
    return isIp(host) ? familyOf(host) : undefined;
  } catch {
    // Not a URL: the target may be a bare address.
    return isIp(target) ? familyOf(target) : undefined;
  }
}

/** How long an attach waits for a container another process is starting (it takes 1–6 s on 2 busy cores). */
const ATTACH_TIMEOUT_MS = 90_000;
const ATTACH_POLL_MS = 200;

/**
 * The client named `name`, shared by every file of a run: the running container of that name,
 * else created here (docker refuses a second container of one name, so whoever asks first
 * creates it, and the others wait for it to run). Its remover is removeOutsideClient.
 */
export async function sharedOutsideClient(name: string, opts: OutsideOptions): Promise<OutsideClient> {
  const network = opts.network ?? KIND_NETWORK;
  const deadline = Date.now() + ATTACH_TIMEOUT_MS;
  for (let created = false; ; ) {
    let info: ContainerInspect | undefined;
    try {
      info = await inspectContainer(name);
    } catch (err) {
      if (!isNotFound(err) || created) throw err;
    }
    if (info?.State.Running) return clientOf(info, name, network);
    if (!info) {
      // Only now is testcontainers loaded: the run's start usually made the container already.
      await createClient(name, opts).catch((err: unknown) => {
        if (!isNameConflict(err)) throw err;
      });
      created = true;
      continue;
    }
    // Created but not started yet is another asker's start in progress; anything else will not run.
    if (info.State.Status !== 'created' || Date.now() > deadline) {
      throw new Error(`outside container ${name} is ${info.State.Status}, not running${info.State.Error ? ` (${info.State.Error})` : ''}: see \`docker logs ${name}\``);
    }
    await new Promise((r) => setTimeout(r, ATTACH_POLL_MS));
  }
}

/** Removes the container `name`; absent is fine. */
export function removeOutsideClient(name: string): Promise<void> {
  return removeContainer(name);
}

function isNameConflict(err: unknown): boolean {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return code === 409 || (err instanceof Error && /Conflict\. The container name .* is already in use/.test(err.message));
}

/** Creates and starts the container (`sleep infinity` in the agnhost image) with testcontainers. */
async function createClient(name: string, opts: OutsideOptions): Promise<void> {
  // Read by testcontainers when it first decides whether to start its reaper.
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  const { GenericContainer } = await import('testcontainers');
  await new GenericContainer(opts.image ?? AGNHOST_IMAGE)
    .withName(name)
    .withNetworkMode(opts.network ?? KIND_NETWORK)
    .withLabels(outsideLabels(opts.cluster, opts.labels))
    .withEntrypoint(['sleep'])
    .withCommand(['infinity'])
    .withPullPolicy({ shouldPull: () => false })
    .withAddedCapabilities(...(opts.capabilities ?? []))
    .start();
}

/** The probing side of a running container: its addresses, exec and curl, every probe journaled. */
function clientOf(info: ContainerInspect, name: string, network: string): OutsideClient {
  const addresses = addressesOn(info.NetworkSettings.Networks, name, network);
  const from = `outside container ${name} (${network} network)`;

  const exec = async (target: string, command: string[]): Promise<ProbeResult> => {
    const family = familyOfUrl(target);
    const t = performance.now();
    let result: ProbeResult;
    try {
      const r = await execIn(name, command);
      result = { ok: r.exitCode === 0, from, target, family, command, exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
    } catch (err) {
      // Not swallowed: an exec that could not run is a failed probe (ok: false) carrying the error.
      result = { ok: false, from, target, family, command, exitCode: -1, stdout: '', stderr: err instanceof Error ? err.message : String(err) };
    }
    recordProbe(result, performance.now() - t);
    return result;
  };

  return {
    name,
    network,
    addresses,
    addressOf: (f) => addresses[f],
    exec,
    httpGet: async (url, o = {}) => parseCurlResult(await exec(url, curlCommand(url, o.timeoutS ?? 5))),
  };
}
