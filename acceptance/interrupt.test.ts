/**
 * Ctrl-C at every step of a run (vitest project `interrupt`): a real
 * `v6e2e run --profile ipv4 --suite address-families` is started in its own
 * process group, and when its progress shows the step (kind create, edge, suites,
 * HTML report) the whole group gets SIGINT, as a terminal's Ctrl-C sends it.
 * The run must exit 130 and leave nothing of its cluster: no container, network,
 * volume, kubeconfig or edge file. With V6E2E_INTERRUPT_REUSE naming a kept lab
 * cluster, a run reusing it is interrupted in its suites too: the cluster stays,
 * the run's namespaces go.
 *
 *   npx vitest run --project interrupt      (the lab must be set up)
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { describe, expect, onTestFinished, test } from 'vitest';
import { clusterExists, clusterVolumes, leftovers } from '../lib/cluster/kind.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(REPO_ROOT, 'bin', 'v6e2e.js');
const REUSE = process.env.V6E2E_INTERRUPT_REUSE;

interface Interrupted {
  exitCode: number | undefined;
  stderr: string;
  /** Volumes the cluster had when the signal went out (they must be gone after). */
  volumes: string[];
}

/**
 * Starts `v6e2e <args>`, waits for `marker` in its progress (plus `afterMs`), sends SIGINT to
 * its process group (a terminal's Ctrl-C) or, with `processOnly`, to the process alone (`kill -INT`,
 * a CI runner, or what a parallel run passes on to each profile's run).
 */
async function interruptAt(args: string[], cluster: string, at: SignalAt): Promise<Interrupted | 'missed'> {
  const { marker, afterMs, stepEnd, processOnly } = at;
  const child: ResultPromise = execa('node', [BIN, ...args], { cwd: REPO_ROOT, reject: false, detached: true, env: { FORCE_COLOR: '0' } });
  let stderr = '';
  let volumes: string[] = [];
  let ended = false;
  const tail = () => stderr.split('\n').slice(-15).join('\n');
  const seen = new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (marker.test(stderr)) resolve();
    });
    void child.then(() => {
      ended = true;
      reject(new Error(`the run ended before ${marker}:\n${tail()}`));
    });
  });
  await seen;
  await new Promise((r) => setTimeout(r, afterMs));
  volumes = await clusterVolumes(cluster);
  // A signal after the step would test another step (or, once the run is gone, fail with ESRCH).
  if (ended || stepEnd?.test(stderr)) {
    if (at.missable && !ended) {
      process.kill(-child.pid!, 'SIGINT');
      await child;
      return 'missed';
    }
    throw new Error(`the step after ${marker} was over before the signal (${afterMs} ms is too late):\n${tail()}`);
  }
  process.kill(processOnly ? child.pid! : -child.pid!, 'SIGINT');
  const r = await child;
  return { exitCode: r.exitCode, stderr, volumes };
}

/** When the signal goes: `afterMs` after `marker`, and only while `stepEnd` has not shown. */
interface SignalAt {
  marker: RegExp;
  afterMs: number;
  stepEnd?: RegExp;
  processOnly?: boolean;
  /** The step may not happen in a run (it depends on what ends first): a run without it is skipped, not failed. */
  missable?: boolean;
}

// address-families alone can finish inside 20 s on ipv4 (CI of stop 21): 6 s lands inside its files.
const IN_SUITES: SignalAt = { marker: /▶ e2e suites/, afterMs: 6_000, stepEnd: /[✔✘] e2e suites/ };

/** `lateMs`: look for leftovers again that long after the exit (something may still be making them). */
const STEPS: (SignalAt & { step: string; lateMs?: number })[] = [
  // While kind's `docker run`s make the node containers, the signal to the run alone: none may appear after the cleanup.
  { step: 'kind create: nodes being made (kill -INT)', marker: /Preparing nodes/, afterMs: 0, lateMs: 15_000, processOnly: true },
  { step: 'kind create', marker: /▶ kind create cluster/, afterMs: 8_000 },
  { step: 'edge setup', marker: /▶ lab edge and load balancer/, afterMs: 5_000 },
  // The run's probe pods being made in a cluster still being made. Only when its nodes are Ready
  // before the edge ends: on a loaded machine (CI, beside the Kubernetes tree's builds) they came
  // after, with nothing left of `up` to interrupt; such a run is skipped, saying so.
  { step: 'edge setup with probe pods', marker: /nodes Ready: the run starts its probe pods/, afterMs: 0, stepEnd: /▶ inspect kind cluster/, missable: true },
  { step: 'suites', ...IN_SUITES },
  { step: 'HTML report', marker: /▶ HTML report/, afterMs: 500 },
];

describe('Ctrl-C at every step exits 130 and leaves nothing of the cluster', () => {
  test.for(STEPS)('SIGINT during $step', { timeout: 600_000 }, async ({ step, lateMs, ...at }, ctx) => {
    const name = `v6e2e-int-${step.replace(/[^a-z]+/g, '')}`;
    const reportDir = path.join(REPO_ROOT, 'reports', `interrupt-${name}`);
    onTestFinished(() => rm(reportDir, { recursive: true, force: true })); // made before the cluster, empty or partial after the signal
    const r = await interruptAt(['run', '--profile', 'ipv4', '--suite', 'address-families', '--name', name, '--report-dir', reportDir], name, at);
    if (r === 'missed') {
      // Interrupted all the same: what it left must still be nothing.
      expect(await leftovers(name)).toEqual({ containers: [], networks: [], volumes: [], files: [] });
      ctx.skip(`the edge ended before the nodes were Ready: no probe pods were being made in a cluster still being made`);
      return;
    }
    expect(r.exitCode, r.stderr.split('\n').slice(-12).join('\n')).toBe(130);
    expect(r.stderr).toMatch(/SIGINT: cleaning up|interrupted while creating cluster/);
    expect(await clusterExists(name)).toBe(false);
    expect(await leftovers(name, r.volumes), r.stderr.split('\n').slice(-12).join('\n')).toEqual({ containers: [], networks: [], volumes: [], files: [] });
    if (lateMs) {
      await new Promise((res) => setTimeout(res, lateMs));
      expect(await leftovers(name, r.volumes), `${lateMs / 1000}s after the exit`).toEqual({ containers: [], networks: [], volumes: [], files: [] });
    }
  });

  test.skipIf(!REUSE)('SIGINT during the suites of a run reusing a cluster: the cluster stays, the run\'s namespaces go', async () => {
    const name = REUSE!;
    const r = await interruptAt(['run', '--reuse', '--name', name, '--profile', 'ipv4', '--suite', 'address-families', '--no-html', '--report-dir', path.join(REPO_ROOT, 'reports', 'interrupt-reuse')], name, IN_SUITES);
    if (r === 'missed') throw new Error('IN_SUITES is not missable');
    expect(r.exitCode).toBe(130);
    expect(await clusterExists(name)).toBe(true);
    // The run asked for their deletion before exiting; the API server finishes it.
    const runNamespaces = async () =>
      (await execa('docker', ['exec', `${name}-control-plane`, 'kubectl', '--kubeconfig', '/etc/kubernetes/admin.conf', 'get', 'ns', '-l', 'v6e2e.io/run', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.phase}{"\\n"}{end}'])).stdout.trim();
    const right = await runNamespaces();
    for (const line of right.split('\n').filter(Boolean)) expect(line).toMatch(/ Terminating$/);
    let left = right;
    for (let i = 0; i < 60 && left !== ''; i++) {
      await new Promise((res) => setTimeout(res, 3_000));
      left = await runNamespaces();
    }
    expect(left).toBe('');
  }, 600_000);
});
