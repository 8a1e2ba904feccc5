/**
 * Projects:
 *   unit:      lib/**\/*.test.ts — pure logic, no cluster, runs in seconds.
 *   e2e:       suites/**\/*.test.ts — against one shared cluster (V6E2E_KUBECONFIG), files side by side;
 *              the suites' disruptive.test.ts files (the serial group) last, in the same workers, once
 *              every other file has ended, taking turns on what they disrupt (lib/harness/schedule.ts).
 *   lifecycle: suites/lifecycle — cluster deletion leaves nothing.
 *   report:    acceptance/html-report.test.ts — the HTML report of a real run, in headless Chromium.
 *   kubernetes-src: acceptance/kubernetes-src.test.ts — a Kubernetes tree built and judged, patched and not.
 *   interrupt: acceptance/interrupt.test.ts — Ctrl-C at each step of a run leaves nothing
 *              (beside kubernetes-src in `v6e2e test`: SIDE_BY_SIDE).
 *   package:   acceptance/package.test.ts — npm pack, install into a prefix, run from elsewhere.
 *
 * Reporters are root-only in vitest 4. With a report dir in the run's settings (the `run` command sets it)
 * they write allure-results/ and summary.{json,md} + junit.xml (SummaryReporter; it
 * replaces vitest's junit reporter so flaky/gating show and names are stable) there.
 *
 * Retries: none, except for checks tagged `timing` (lib/report/timing.ts
 * timingDependent(reason)); lib/report/timing.test.ts keeps it that way.
 */
import path from 'node:path';
import { defineConfig } from 'vitest/config';
import AllureReporter from 'allure-vitest/reporter';
import { defaultWorkers, durationsCacheDir, serialPhaseOf } from './lib/harness/schedule.ts';
import { SerialBarrier } from './lib/harness/serial-barrier.ts';
import { PREBUNDLE_DIR, prebundles } from './lib/harness/prebundle.ts';
import { serialLockDir } from './lib/harness/serial-locks.ts';
import { SerialGroupSequencer } from './lib/harness/sequencer.ts';
import { decodeSettings } from './lib/harness/settings.ts';
import { LAB_DIR } from './lib/lab/paths.ts';
import { environmentInfo } from './lib/report/environment.ts';
import { SummaryReporter } from './lib/report/reporter.ts';
import { TIMING_RETRY, TIMING_TAG } from './lib/report/timing.ts';

// The run contract (lib/harness/settings.ts): decoded and validated once for the reporters.
const settings = decodeSettings();
const reportDir = settings.reportDir ? path.resolve(settings.reportDir) : undefined;
/** The serial group's phase barriers, opened by their reporter (lib/harness/serial-barrier.ts). */
const serialBarrier = { dir: serialLockDir(), runId: settings.runId };
/** vitest's bound on one check of the e2e projects. */
const CHECK_TIMEOUT_MS = 240_000;
/**
 * The interrupt and kubernetes-src acceptances run in one vitest instance, one worker each
 * (vitest puts projects of one maxWorkers and groupOrder in one pool; 1 worker would queue them).
 */
const SIDE_BY_SIDE = { maxWorkers: 2, sequence: { groupOrder: 2 } };
/** Dependencies the workers load as one file each (lib/harness/prebundle.ts), loaded natively (external). */
const bundled = prebundles(PREBUNDLE_DIR, (line) => console.warn(line));
const exactly = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`);

export default defineConfig({
  // Exact specifiers only: a subpath import keeps the package's own file.
  resolve: { alias: bundled.map((b) => ({ find: exactly(b.specifier), replacement: b.file })) },
  // vitest's own cache (test durations, failures first) lives in the lab cache, never in
  // the package: an installed v6e2e is only read. vitest starts the longest files first,
  // so each profile and kind of run keeps its own (durationsCacheDir).
  cacheDir: path.join(LAB_DIR, 'vite', durationsCacheDir(settings)),
  test: {
    // The serial files that start while the concurrent files' namespaces go come first.
    sequence: { sequencer: SerialGroupSequencer },
    // vitest would otherwise transform the bundle (it is outside node_modules) in every process.
    server: { deps: { external: bundled.map((b) => exactly(b.file)) } },
    tags: [
      {
        name: TIMING_TAG,
        description: 'timing-dependent check (waits on the cluster converging): may retry, reported flaky when a retry was needed',
        retry: { ...TIMING_RETRY },
      },
    ],
    reporters: [
      'default',
      // Always on, so allure.* calls in suites never hit "no test runtime is found";
      // without a report dir (unit tests, list-checks) the results land in the lab cache.
      new AllureReporter({
        resultsDir: path.join(reportDir ?? path.join(LAB_DIR, 'vitest-reports'), 'allure-results'),
        reportMatchers: false, // one step per expect() drowns the steps that matter
        // → environment.properties: profile, Kubernetes, kind, CNI, kube-proxy mode, NAT64/DNS64
        environmentInfo: environmentInfo(settings),
      }),
      new SummaryReporter({ settings }),
      new SerialBarrier(serialBarrier, (moduleId) => serialPhaseOf(path.relative(import.meta.dirname, moduleId))),
    ],
    provide: { serialBarrier },
    projects: [
      {
        // v4: inline projects inherit root options only with extends: true.
        extends: true,
        test: {
          name: 'unit',
          include: ['lib/**/*.test.ts', 'acceptance/support/**/*.test.ts'],
          environment: 'node',
          // vitest's default on 2 cores is one worker, re-importing every module per file.
          maxWorkers: 2,
          isolate: false,
          // Some import modules afresh or ask go for a module's directory: 5-12 s on 2 cores busy
          // with a cluster run (vitest's default bound, 5 s, failed them there).
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['suites/**/*.test.ts'],
          exclude: ['suites/lifecycle/**'],
          environment: 'node',
          // Only here, not at the root: a root globalSetup runs once per extending project.
          globalSetup: ['./suites/setup/global-setup.ts'],
          // Allure labels (profile › suite › family), for failed checks evidence attachments, and
          // the serial group's barrier and locks (acts in disruptive.test.ts files only).
          setupFiles: ['./suites/setup/labels.ts', './suites/setup/evidence.ts', './suites/setup/serial.ts'],
          // A bound for hangs: on a loaded 2-core machine some fault checks took 130–140 s.
          testTimeout: CHECK_TIMEOUT_MS,
          hookTimeout: 600_000,
          // Files of checks run side by side, each in its own namespaces (lib/harness/schedule.ts).
          maxWorkers: settings.workers ?? defaultWorkers(settings.selfTest),
          fileParallelism: true,
          // A worker keeps its imports (client-node, allure, lib/) from file to file: isolated,
          // re-importing them per file took half the run's CPU (warm ipv6 checks: 116 s → 85 s).
          // Files share no mutable module state but the per-test probe journal and harness().
          isolate: false,
          sequence: { groupOrder: 0 },
        },
      },
      {
        // Cluster lifecycle (down leaves nothing); owns its cluster, so no globalSetup.
        extends: true,
        test: {
          name: 'lifecycle',
          include: ['suites/lifecycle/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
        },
      },
      {
        // Acceptance of the report: a real --profile run over kept clusters with a seeded
        // fault, its HTML report looked at in headless Chromium (acceptance/html-report.test.ts).
        extends: true,
        test: {
          name: 'report',
          include: ['acceptance/html-report.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 40 * 60_000,
        },
      },
      {
        // --kubernetes-src end to end: a Kubernetes tree assembled offline, built, run
        // unpatched and with two IPv6-breaking patches (acceptance/kubernetes-src.test.ts).
        extends: true,
        test: {
          name: 'kubernetes-src',
          include: ['acceptance/kubernetes-src.test.ts'],
          environment: 'node',
          testTimeout: 40 * 60_000,
          hookTimeout: 10 * 60_000,
          ...SIDE_BY_SIDE,
        },
      },
      {
        // The npm-packed package installed into a prefix and run from elsewhere (acceptance/package.test.ts).
        extends: true,
        test: {
          name: 'package',
          include: ['acceptance/package.test.ts'],
          environment: 'node',
          testTimeout: 10 * 60_000,
          hookTimeout: 10 * 60_000,
        },
      },
      {
        // Ctrl-C at each step of a real run: exit 130, nothing of the cluster left (acceptance/interrupt.test.ts).
        extends: true,
        test: {
          name: 'interrupt',
          include: ['acceptance/interrupt.test.ts'],
          environment: 'node',
          testTimeout: 10 * 60_000,
          // Its checks one after another (one file); beside kubernetes-src's in `v6e2e test`.
          ...SIDE_BY_SIDE,
        },
      },
    ],
  },
});
