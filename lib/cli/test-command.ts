/**
 * `v6e2e test`: the unit project, then either the e2e project against a given
 * cluster (V6E2E_KUBECONFIG / V6E2E_CONTEXT) or the lab matrix below. Ends with
 * one line CI systems read: `checks: N passed, N failed, N skipped`.
 */
import path from 'node:path';
import { HTML_DIR } from '../report/html.ts';
import { readSummaries } from '../report/summary.ts';
import { UsageError } from '../util/errors.ts';
import { DEFAULT_VARIANT_FLAGS, variantLabel, variantOf, type VariantFlags } from '../cluster/variant.ts';
import type { Profile, Suite } from '../profiles.ts';
import { nameForPrefix, parseParallel, parseProfiles, runClusterName, type RunArgs } from './args.ts';
import { guardCleanup } from './cleanup.ts';
import { ensureWritableDir, finishGuard, runCommand, timestamp, type RunDeps } from './run.ts';
import { runVitest, withEnv, type Tally } from './vitest-run.ts';

export async function testCommand(vitestArgs: string[], deps: RunDeps): Promise<number> {
  const { parseCLI } = await import('vitest/node');
  let parsed: ReturnType<typeof parseCLI>;
  try {
    parsed = parseCLI(['vitest', ...vitestArgs]);
  } catch (err) {
    throw new UsageError(`bad vitest arguments: ${err instanceof Error ? err.message : String(err)}`);
  }
  const { filter, options } = parsed;
  const tally: Tally = { passed: 0, failed: 0, skipped: 0 };
  // The plain closing line CI systems read, whatever happened before it.
  const close = (code: number) => {
    deps.log(`checks: ${tally.passed} passed, ${tally.failed} failed, ${tally.skipped} skipped`);
    return code;
  };
  const unit = await deps.progress.step('unit tests', () => runVitest('unit', filter, { ...options, passWithNoTests: true }));
  addTally(tally, unit.counts);
  if (unit.failed) return close(1);
  if (process.env.V6E2E_KUBECONFIG || process.env.V6E2E_CONTEXT) {
    const e2e = await deps.progress.step('e2e tests', () => runVitest('e2e', filter, { ...options, passWithNoTests: true }));
    addTally(tally, e2e.counts);
    return close(e2e.failed ? 1 : 0);
  }
  return close(await labMatrix(deps, tally));
}

function addTally(into: Tally, more: Tally): void {
  into.passed += more.passed;
  into.failed += more.failed;
  into.skipped += more.skipped;
}

/** Adds a finished run's checks, one profile or several (flaky ones count as passed here; summary.md says they were flaky). */
function addRunTally(into: Tally, reportDir: string): void {
  try {
    for (const s of readSummaries(reportDir)) {
      const t = s.totals;
      addTally(into, { passed: t.passed + t.flaky, failed: t.failed, skipped: t.skipped });
    }
  } catch {
    into.failed++; // no summary: the run broke before reporting, which is a failure to count
  }
}

/** Edge variant every IPv6-capable profile is also tested with: DNS64 in the upstream resolver, a network-specific prefix. */
export const EDGE_VARIANT = { dns64Mode: 'upstream', nat64Prefix: 'fd00:64:ff9b::/96' } as const;

/** Cluster name prefix of `v6e2e test`'s lab clusters: `v6e2e-test-<profile>`. */
export const TEST_CLUSTER_PREFIX = 'v6e2e-test';

/**
 * Implementation variants the matrix also judges, each on its own cluster: a second
 * kube-proxy mode and a second CNI together on an IPv6-only and a dual-stack
 * cluster. (The seeds' addressing plan runs by hand: README "Variants".)
 */
export const TEST_VARIANTS: readonly { profiles: Profile[]; flags: VariantFlags; suites?: Suite[] }[] = [
  // What kube-proxy's mode and the CNI change (DNS64 and the guestbook app do not depend on them).
  {
    profiles: ['ipv6', 'dual'],
    flags: { kubeProxyMode: 'nftables', cni: 'flannel', addressing: {} },
    suites: ['address-families', 'connectivity', 'nat64', 'nodeport', 'loadbalancer'],
  },
];

/**
 * The end-to-end part of `v6e2e test` without a given cluster, over the
 * profiles of V6E2E_TEST_PROFILES (default all), V6E2E_TEST_PARALLEL at a time
 * (default 2):
 *
 *   1. `run --profile <all> --parallel N`: every suite on a fresh lab cluster per
 *      profile, one report (reports/test-<timestamp>/all, with HTML);
 *   2. the report acceptance (vitest project `report`): a second --profile run
 *      over those clusters with a seeded fault, its HTML report checked in
 *      headless Chromium;
 *   3. dns64 and nat64 again on the first IPv6-capable profile with the edge variant;
 *   4. each of TEST_VARIANTS, every suite or the ones it names (V6E2E_TEST_VARIANTS=0 leaves them out);
 *   5. the `package` project: npm pack, installed into a prefix, run from elsewhere
 *      against the first test cluster (V6E2E_TEST_PACKAGE=0 leaves it out);
 *   6. the `lifecycle` project deletes each cluster and checks nothing is left;
 *   7. the `interrupt` project: SIGINT at each step of a run (V6E2E_TEST_INTERRUPT=0 leaves it out);
 *   8. the `kubernetes-src` project: a Kubernetes tree built and judged, patched and
 *      not, on clusters of its own (V6E2E_TEST_KUBERNETES_SRC=0 leaves it out).
 */
/** A V6E2E_* variable parsed like its flag; a bad value is a usage error naming the variable. */
function fromEnv<T>(variable: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError(`${variable}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function labMatrix(deps: RunDeps, tally: Tally): Promise<number> {
  const profilesText = process.env.V6E2E_TEST_PROFILES ?? 'all';
  const profiles = fromEnv('V6E2E_TEST_PROFILES', () => parseProfiles(profilesText));
  const parallel = fromEnv('V6E2E_TEST_PARALLEL', () => parseParallel(process.env.V6E2E_TEST_PARALLEL ?? '2'));
  const base = ensureWritableDir(path.join('reports', `test-${timestamp()}`));
  const names = profiles.map((p) => runClusterName(nameForPrefix(TEST_CLUSTER_PREFIX, profiles), p, profiles.length));
  const variantRuns = process.env.V6E2E_TEST_VARIANTS === '0' ? [] : TEST_VARIANTS;
  for (const v of variantRuns) {
    const labels = v.profiles.map((p) => variantLabel(variantOf(p, v.flags)));
    names.push(...labels.map((l) => runClusterName(nameForPrefix(TEST_CLUSTER_PREFIX, labels), l, labels.length)));
  }
  const guard = guardCleanup(async () => {
    const kind = await import('../cluster/kind.ts');
    for (const name of names) if (await kind.clusterExists(name)) await kind.down({ name, progress: deps.progress });
  });
  let failed = false;
  try {
    const common: RunArgs = {
      command: 'run', profiles, name: nameForPrefix(TEST_CLUSTER_PREFIX, profiles), reuse: true, keep: true, suites: [], html: true, parallel,
      variant: DEFAULT_VARIANT_FLAGS,
    };
    const mainDir = ensureWritableDir(path.join(base, 'all'));
    const main = await runCommand({ ...common, reportDir: mainDir }, deps);
    addRunTally(tally, mainDir);
    failed ||= main !== 0;

    const acceptance = await deps.progress.step('report acceptance: seeded-fault run, its HTML report in headless Chromium', () =>
      withEnv(
        {
          V6E2E_ACCEPTANCE_NAME: TEST_CLUSTER_PREFIX,
          V6E2E_ACCEPTANCE_PROFILES: profiles.join(','),
          V6E2E_ACCEPTANCE_MAIN_REPORT: mainDir,
          V6E2E_REPORT_DIR: path.join(base, 'report-acceptance'),
        },
        () => runVitest('report', []),
      ),
    );
    addTally(tally, acceptance.counts);
    failed ||= acceptance.failed;

    // One IPv6-capable profile is enough to hold the upstream-DNS64 edge in CI's time; the others run it by hand.
    for (const profile of profiles.filter((p) => p !== 'ipv4').slice(0, 1)) {
      const variantDir = ensureWritableDir(path.join(base, `${profile}-upstream-nsp`));
      const variant = await runCommand(
        { ...common, profiles: [profile], name: nameForPrefix(TEST_CLUSTER_PREFIX, [profile]), html: false, suites: ['dns64', 'nat64'], ...EDGE_VARIANT, reportDir: variantDir },
        deps,
      );
      addRunTally(tally, variantDir);
      failed ||= variant !== 0;
    }

    for (const v of variantRuns) {
      const labels = v.profiles.map((p) => variantLabel(variantOf(p, v.flags)));
      const dir = ensureWritableDir(path.join(base, labels.join('+')));
      const code = await runCommand(
        { ...common, profiles: v.profiles, variant: v.flags, suites: v.suites ?? [], name: nameForPrefix(TEST_CLUSTER_PREFIX, labels), parallel: Math.min(parallel, labels.length), reportDir: dir },
        deps,
      );
      addRunTally(tally, dir);
      failed ||= code !== 0;
    }

    // The packed package installed into a prefix, run from an unrelated directory against the first test cluster.
    if (process.env.V6E2E_TEST_PACKAGE !== '0') {
      const { kubeconfigPathFor } = await import('../cluster/kind.ts');
      const first = runClusterName(nameForPrefix(TEST_CLUSTER_PREFIX, profiles), profiles[0]!, profiles.length);
      const pack = await deps.progress.step('package acceptance: npm pack, install into a prefix, run from elsewhere', () =>
        withEnv({ V6E2E_PACKAGE_KUBECONFIG: kubeconfigPathFor(first), V6E2E_PACKAGE_CONTEXT: `kind-${first}`, V6E2E_REPORT_DIR: path.join(base, 'package') }, () =>
          runVitest('package', []),
        ),
      );
      addTally(tally, pack.counts);
      failed ||= pack.failed;
    }

    // The kept clusters go now: the acceptances below make their own, and on 2 cores
    // seven idle control planes would double their time.
    for (const name of names) {
      const life = await deps.progress.step(`lifecycle: down ${name} leaves nothing`, () =>
        withEnv({ V6E2E_LIFECYCLE_CLUSTER: name, V6E2E_REPORT_DIR: path.join(base, `${name}-lifecycle`) }, () => runVitest('lifecycle', [])),
      );
      addTally(tally, life.counts);
      failed ||= life.failed;
    }

    // Ctrl-C at each step of a run on a cluster of its own (the reuse case needs a kept
    // cluster: V6E2E_INTERRUPT_REUSE when run by hand).
    if (process.env.V6E2E_TEST_INTERRUPT !== '0') {
      const int = await deps.progress.step('interrupt acceptance: SIGINT at each step exits 130 and leaves nothing', () =>
        withEnv({ V6E2E_REPORT_DIR: path.join(base, 'interrupt') }, () => runVitest('interrupt', [])),
      );
      addTally(tally, int.counts);
      failed ||= int.failed;
    }

    // A Kubernetes tree assembled offline, built and judged unpatched and with two IPv6-breaking patches.
    if (process.env.V6E2E_TEST_KUBERNETES_SRC !== '0') {
      const src = await deps.progress.step('--kubernetes-src acceptance: a local Kubernetes tree, unpatched and with two IPv6-breaking patches', () =>
        withEnv({ V6E2E_REPORT_DIR: path.join(base, 'kubernetes-src') }, () => runVitest('kubernetes-src', [])),
      );
      addTally(tally, src.counts);
      failed ||= src.failed;
    }
  } finally {
    await finishGuard(guard);
  }
  deps.log(`v6e2e: reports in ${base} (HTML: ${path.join(base, 'all', HTML_DIR, 'index.html')})`);
  return failed ? 1 : 0;
}
