/**
 * How the e2e files share one cluster: files of checks run concurrently (each works
 * in its own namespaces, reads the rest), then the suites' `disruptive.test.ts` files
 * run after them in the same workers, like upstream's [Serial]/[Disruptive], taking
 * turns on the shared resources they declare (serialResourcesOf).
 *
 * Disruptive (check.ts `disruptive: true`) means the check changes something OTHER
 * tests share: CoreDNS or its Corefile, the NAT64 translator or edge routes, MetalLB's
 * pools, kube-proxy's configuration or its pods, the CNI on a node, node addresses, or
 * node firewall rules that match traffic beyond the test's own pods and Services. Such a
 * check may only be declared in `suites/<suite>/disruptive.test.ts` (check.ts enforces it).
 * A fault whose node rule matches only its own namespace's pod IPs and Service
 * addresses/ports (tagged `v6e2e-fault-<namespace>`) is isolated: it stays in its
 * faults.test.ts, which runs with the concurrent files.
 */
import path from 'node:path';

/** The tables below are keyed by path from the repository root with `/` on every platform. */
const repoKey = (file: string): string => file.split(path.sep).join('/');

/** The vitest projects of an e2e run: one; its disruptive files run last, as the serial group. */
export const E2E_PROJECTS = ['e2e'] as const;

let concurrentGone: Promise<void> | undefined;
/**
 * The serial group's wait for what the concurrent files left on their way out (their
 * namespaces): started by the first serial file of a worker, shared by the later ones of
 * that worker (workers keep their modules, isolate: false).
 */
export function concurrentFilesGone(wait: () => Promise<void>): Promise<void> {
  concurrentGone ??= wait();
  return concurrentGone;
}

/**
 * Serial files whose faults neither touch nor see what the concurrent files leave on their
 * way out (the pods and Services of their namespaces): they run first, while it goes
 * (lib/harness/sequencer.ts); the other serial files wait for it (a LoadBalancer Service
 * on its way out still holds a pool address). Keyed by path from the repository root.
 */
const STARTS_WHILE_CONCURRENT_FILES_GO: Readonly<Record<string, string>> = {
  'suites/dns64/disruptive.test.ts': "its faults are the Corefile's, asked from the probe fleet",
  'suites/nat64/disruptive.test.ts': "its faults are the translator's and the edge routes', probed from the probe fleet",
};

/** Why `file` (from the repository root) may start while the concurrent files' namespaces go; undefined: it waits. */
export function startsWhileConcurrentFilesGo(file: string): string | undefined {
  return STARTS_WHILE_CONCURRENT_FILES_GO[repoKey(file)];
}

/**
 * What a disruptive file's faults change, or its checks depend on, that another disruptive
 * file's faults could change. The serial group's files run side by side unless they share a
 * resource: those take turns (lib/harness/serial-locks.ts).
 */
export type SerialResource = 'coredns' | 'nat64-edge' | 'metallb';
const ALL_SERIAL_RESOURCES: readonly SerialResource[] = ['coredns', 'nat64-edge', 'metallb'];

const SERIAL_RESOURCES: Readonly<Record<string, readonly SerialResource[]>> = {
  'suites/dns64/disruptive.test.ts': ['coredns'],
  // Its probes dial literal Pref64 addresses; CoreDNS only in the steps of STEP_RESOURCES.
  'suites/nat64/disruptive.test.ts': ['nat64-edge'],
  // Allocation from the pool, read through the API: no CoreDNS, translator or edge route in its path.
  'suites/loadbalancer/disruptive.test.ts': ['metallb'],
};

/**
 * Resources a serial file holds for some steps only (holdDuring in serial-locks.ts), so
 * that the files holding them run beside its other steps. A step's lock is taken inside
 * the file's own, out of the fixed order: safe while every file that holds one of these
 * for its whole run holds nothing else (serial-locks.test.ts keeps it so) and so never waits
 * for another lock while holding it. Phase-2 files hold everything but start after these.
 */
const STEP_RESOURCES: Readonly<Record<string, readonly SerialResource[]>> = {
  // Prefix discovery when none is configured, and the translator fault's "DNS64 still passes".
  'suites/nat64/disruptive.test.ts': ['coredns'],
};

/** The resources `file` (from the repository root) holds for some steps only. */
export function stepResourcesOf(file: string): readonly SerialResource[] {
  return STEP_RESOURCES[repoKey(file)] ?? [];
}

/** Every serial file declared by path, for the checks of the declarations. */
export function declaredSerialFiles(): string[] {
  return [...new Set([...Object.keys(SERIAL_RESOURCES), ...Object.keys(STEP_RESOURCES)])];
}

/** The resources `file` (from the repository root) holds while it runs; an unlisted one (a CNI fault cuts a node's pod traffic) holds them all. */
export function serialResourcesOf(file: string): readonly SerialResource[] {
  return SERIAL_RESOURCES[repoKey(file)] ?? ALL_SERIAL_RESOURCES;
}

/** True when `file` waits for every other serial file (it is unlisted): the sequencer starts it last. */
export function holdsEverySerialResource(file: string): boolean {
  return serialResourcesOf(file) === ALL_SERIAL_RESOURCES;
}

/**
 * When a file of an e2e run may start: 0, the files of checks, at once; 1, the serial
 * files, once every file of checks has ended; 2, the serial files that hold every resource,
 * once every other serial file has ended too (serial-barrier.ts).
 */
export type SerialPhase = 0 | 1 | 2;

/** `file` from the repository root. */
export function serialPhaseOf(file: string): SerialPhase {
  if (!isSerialFile(file)) return 0;
  return holdsEverySerialResource(file) ? 2 : 1;
}

/** The serial files: one `disruptive.test.ts` per suite that has disruptive checks. */
export function isSerialFile(file: string): boolean {
  return path.basename(file) === 'disruptive.test.ts';
}

/**
 * Files of checks whose setup waits for Deployments to roll out (their plan's objects,
 * lib/probes/plans.ts). Every plan starts with the run, and a rollout in that start's storm
 * took ~12 s on ipv6: started among the first files (vitest's longest-first order, from the
 * last run, where it had waited), the guestbook's file waited out most of it, 52 % of its
 * wall. They start after the other files of checks. plans.test.ts keeps this list complete.
 */
const WAITS_FOR_ROLLOUTS: Readonly<Record<string, string>> = {
  'suites/guestbook/guestbook.test.ts': "the guestbook's Deployments (leader, followers, frontend)",
};

/** What `file` (from the repository root) waits to roll out before its checks; undefined: no Deployment. */
export function waitsForRollouts(file: string): string | undefined {
  return WAITS_FOR_ROLLOUTS[repoKey(file)];
}

/** The files of fault tests only (`faults.test.ts`, `<x>-faults.test.ts`): a run without `--self-test` skips them whole. */
export function isFaultFile(file: string): boolean {
  return /(^|-)faults\.test\.ts$/.test(path.basename(file));
}

/**
 * Files of checks running at once against one cluster. Setup (pods, Services,
 * rollouts) is mostly waiting on the cluster: on 2 cores a warm ipv6 run of the
 * checks took 155 s with 3 workers and 96 s with 6 (bench/run.mts).
 */
export const DEFAULT_E2E_WORKERS = 6;
/**
 * With self-tests: fault files mostly wait out the timeouts of the traffic they drop, one
 * fault after another. A warm ipv6 --self-test's concurrent phase took 140 s with 6 workers
 * and 119 s with 8 (bench/run.mts); checks only are CPU-bound, where more did not help.
 */
export const SELF_TEST_E2E_WORKERS = 8;

/** Files at once against one cluster when the run does not say. */
export function defaultWorkers(selfTest: boolean): number {
  return selfTest ? SELF_TEST_E2E_WORKERS : DEFAULT_E2E_WORKERS;
}

/** With `parallel` profiles at once the machine is shared: each gets its part, at least 2. */
export function workersPerProfile(parallel: number, selfTest = false): number {
  return Math.max(2, Math.floor(defaultWorkers(selfTest) / Math.max(1, parallel)));
}


/**
 * vitest's cache of file durations for a run, under the lab's `vite/` directory: one per kind
 * of cluster and of run. vitest starts the longest files first by that cache; shared by every
 * profile, an ipv4 run (which skips the IPv6 faults) recorded mtu's 40-s fault file as 2 s and
 * the next ipv6 run started it last, 35 s after the rest. A tree build's state is left out,
 * so one tree keeps one cache across its patches.
 */
export function durationsCacheDir(s: { profile: string | null; variant: string | null; kubeconfig: string | null; selfTest: boolean }): string {
  const cluster = (s.variant ?? s.profile ?? (s.kubeconfig ? 'kubeconfig' : 'no-cluster')).replace(/-src[0-9a-f]+(?=-|$)/, '-src');
  return path.join(cluster, s.selfTest ? 'self-test' : 'checks');
}
