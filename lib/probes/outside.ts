/**
 * A client outside the cluster: a container on kind's Docker network (not inside a
 * node), so traffic to NodePorts and LoadBalancer IPs arrives at the nodes the way a
 * user's would: over the bridge, with the container's own source address, not via a
 * node's loopback or a pod's veth.
 *
 * Started with testcontainers (Ryuk disabled: it needs a privileged reaper the lab
 * cannot run; testcontainers' getIpAddress is IPv4-only, so addresses come from
 * `docker inspect`). Labelled `io.v6e2e.lab=probe` and `io.v6e2e.lab.cluster=<cluster>`
 * so that `v6e2e down` removes leftovers after a crash; suites stop it in afterAll.
 */
import { randomBytes } from 'node:crypto';
import { containerAddresses, type NetAddresses } from '../edge/docker.ts';
import { LAB_CLUSTER_LABEL, LAB_LABEL } from '../lab/versions.ts';
import { familyOf, isIp, type IPFamily } from '../net/family.ts';
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
  /** Removes the container. Safe to call twice. */
  stop(): Promise<void>;
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

/**
 * Starts the outside client (`sleep infinity` in the agnhost image). The caller must
 * call `stop()` (afterAll); the labels cover crashes.
 */
export async function startOutsideClient(opts: OutsideOptions): Promise<OutsideClient> {
  // Read by testcontainers when it first decides whether to start its reaper.
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  const { GenericContainer } = await import('testcontainers');
  const network = opts.network ?? KIND_NETWORK;
  const name = `v6e2e-outside-${opts.cluster}-${randomBytes(3).toString('hex')}`.slice(0, 63);
  const started = await new GenericContainer(opts.image ?? AGNHOST_IMAGE)
    .withName(name)
    .withNetworkMode(network)
    .withLabels(outsideLabels(opts.cluster, opts.labels))
    .withEntrypoint(['sleep'])
    .withCommand(['infinity'])
    .withPullPolicy({ shouldPull: () => false })
    .withAddedCapabilities(...(opts.capabilities ?? []))
    .start();
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= started
      .stop({ timeout: 0, remove: true, removeVolumes: true })
      .then(() => undefined));
  let addresses: NetAddresses;
  try {
    addresses = await containerAddresses(name, network);
  } catch (err) {
    // Best-effort removal (the labels cover a leftover); the address error is the one to report.
    await stop().catch(() => undefined);
    throw err;
  }
  const from = `outside container ${name} (${network} network)`;

  const exec = async (target: string, command: string[]): Promise<ProbeResult> => {
    const family = familyOfUrl(target);
    const t = performance.now();
    let result: ProbeResult;
    try {
      const r = await started.exec(command);
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
    stop,
  };
}
