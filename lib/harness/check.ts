/**
 * The one way to declare an e2e check: `check(decl, body)`. The declaration is
 * data (id, family, kind, disruptive, title) carried in the test's meta, so the
 * reporter, gate matching, `list-checks` and the HTML matrix read it as typed
 * fields; nothing parses a test's title. Renaming a title keeps the id.
 *
 *   check({ id: 'connectivity/pod-to-pod/ipv6', family: 'IPv6', title: 'IPv6 pod reaches every other pod' },
 *     async (ctx) => assertOk(await podToPod(fleet, 'IPv6')));
 *
 * Ids are `<suite>/<path>`: the suite is the folder under suites/, checked at
 * declaration time, so a typo fails the file's import instead of a gate at
 * release time.
 */
import path from 'node:path';
import { describe, inject, test, type TestContext, type TestOptions } from 'vitest';
import './settings.ts'; // ProvidedContext.v6e2e
import { assertOk, type CheckFamily, type Verdict } from '../checks/verdict.ts';
import { suiteOfFile } from '../report/reporter.ts';
import { isFaultFile, isSerialFile } from './schedule.ts';
import { inSerialTurn } from './serial-barrier.ts';
import { TIMING_TAG } from '../report/timing.ts';
import { withProbeScope } from '../probes/journal.ts';
import type { IPFamily } from '../net/family.ts';

export type CheckKind = 'check' | 'fault';

export interface CheckDeclaration {
  /** Stable id, `<suite>/<segment>/…` in lowercase slug characters; gate files name it. */
  id: string;
  family: CheckFamily;
  /** `fault`: a harness self-test that seeds a fault and expects its check to catch it. */
  kind?: CheckKind;
  /**
   * Changes something OTHER tests share: CoreDNS or its Corefile, the NAT64 translator or
   * edge routes, MetalLB's pools, kube-proxy's configuration or its pods, the CNI on a node,
   * node addresses, or node firewall rules matching traffic beyond the test's own pods and
   * Services. Such a check lives in suites/<suite>/disruptive.test.ts (run one at a time).
   * A fault whose node rule matches only its own namespace's pod IPs and Service
   * addresses/ports (tagged `v6e2e-fault-<namespace>`) is isolated: not disruptive.
   */
  disruptive?: boolean;
  /** What the check establishes, one line: the test's title in every report. */
  title: string;
  /** Why the check may retry (waits on the cluster converging); see lib/report/timing.ts. */
  timing?: string;
  /** Per-check timeout in ms, when it is not the project's. */
  timeoutMs?: number;
}

/** The declaration as it travels in the test's meta (kind and disruptive made explicit). */
export interface DeclaredCheck {
  id: string;
  family: CheckFamily;
  kind: CheckKind;
  disruptive: boolean;
  title: string;
}

declare module 'vitest' {
  interface TaskMeta {
    check?: DeclaredCheck;
  }
}

const ID_RE = /^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)+$/;

/** Validates a declaration; the error names the id and what to fix. Pure. */
export function declared(decl: CheckDeclaration, file?: string): DeclaredCheck {
  if (!ID_RE.test(decl.id)) {
    throw new Error(`check id "${decl.id}" must be <suite>/<name> in lowercase letters, digits and dashes`);
  }
  const suite = file ? suiteOfFile(file) : undefined;
  if (suite && decl.id.split('/')[0] !== suite) {
    throw new Error(`check id "${decl.id}" is declared in suites/${suite}/: it must start with "${suite}/"`);
  }
  if (decl.title.trim() === '') throw new Error(`check ${decl.id} needs a title`);
  if (decl.disruptive && file && !isSerialFile(file)) {
    throw new Error(`check ${decl.id} is disruptive: declare it in suites/${suite ?? '<suite>'}/disruptive.test.ts, which runs one at a time after the concurrent files (a fault whose rules match only its own pods and Services is not disruptive)`);
  }
  // The sequencer starts a self-test's fault files first and a run of checks' last (every test skipped there).
  if (file && isFaultFile(file) && decl.kind !== 'fault') {
    throw new Error(`check ${decl.id} is declared in ${path.basename(file)}, which holds fault tests only (a run without --self-test skips it whole): declare it in a file of checks`);
  }
  return { id: decl.id, family: decl.family, kind: decl.kind ?? 'check', disruptive: decl.disruptive ?? false, title: decl.title };
}

/** The vitest options a declaration becomes: meta for the reporters, the timing tag when it may retry. */
export function testOptions(d: DeclaredCheck, decl: Pick<CheckDeclaration, 'timing' | 'timeoutMs'>): TestOptions {
  const why = decl.timing?.trim();
  if (decl.timing !== undefined && !why) throw new Error(`check ${d.id}: timing needs a reason (what it waits for)`);
  return {
    meta: { check: d, ...(why ? { timingReason: why } : {}) },
    ...(why ? { tags: [TIMING_TAG] } : {}),
    ...(decl.timeoutMs !== undefined ? { timeout: decl.timeoutMs } : {}),
  };
}

/**
 * Declares one check. Ids are unique per run; a duplicate fails the file at import.
 * A fault (harness self-test) is declared skipped unless the run asked for self-tests,
 * so a file of faults runs none of its hooks: nothing is seeded on the cluster.
 */
export function check(decl: CheckDeclaration, body: (ctx: TestContext) => Promise<void> | void): void {
  declareCheck(decl, body, callerFile(), false);
}

function declareCheck(decl: CheckDeclaration, body: (ctx: TestContext) => Promise<void> | void, file: string | undefined, concurrent: boolean): void {
  const d = declared(decl, file);
  if (seen.has(d.id)) throw new Error(`check id ${d.id} is declared twice`);
  seen.add(d.id);
  const declare = d.kind === 'fault' && !selfTestsEnabled() ? test.skip : test;
  const options = { ...testOptions(d, decl), ...(concurrent ? { concurrent: true } : {}) };
  // The probes it runs are tagged with the test, for its evidence (checks of a file may run concurrently).
  declare(d.title, options, (ctx) => {
    // Past the barrier and holding its locks (suites/setup/serial.ts), or it would run beside other files.
    if (d.disruptive && !inSerialTurn(ctx.task.file.filepath)) {
      throw new Error(`check ${d.id} is disruptive and would run beside other files: it runs only in the serial group, after every file of checks, holding its locks (suites/setup/serial.ts)`);
    }
    return withProbeScope(ctx.task.id, () => body(ctx));
  });
}

/** The run's settings say whether self-tests run; outside a run (list-checks, unit tests) they are declared as usual. */
function selfTestsEnabled(): boolean {
  try {
    return inject('v6e2e')?.selfTest ?? true;
  } catch (err) {
    // inject() outside a vitest worker: there is no run to disturb.
    if (err instanceof Error && /inject/i.test(err.message)) return true;
    throw err;
  }
}

/**
 * Every check's one assertion: a verdict that passed only on a retry is annotated (a flaky
 * first contact shows in the report), then the verdict must hold.
 */
export async function expectOk(ctx: TestContext, v: Verdict): Promise<void> {
  if (v.ok && (v.attempts ?? 1) > 1) await ctx.annotate(v.message, 'passed on retry');
  assertOk(v);
}

export interface EachOptions {
  /**
   * The families' checks run at once: nothing one family's check changes (rules on its
   * addresses, objects of its own) is seen by the other's. The next check starts after both.
   */
  familiesAtOnce?: boolean;
}

/** One check per family: `decl(f)` must put the family in the id. */
export function checkEach(
  families: readonly IPFamily[],
  decl: (f: IPFamily) => CheckDeclaration,
  body: (f: IPFamily, ctx: TestContext) => Promise<void> | void,
  opts: EachOptions = {},
): void {
  // Taken here: vitest may call a describe's factory after this frame has returned.
  const file = callerFile();
  if (!opts.familiesAtOnce) {
    for (const f of families) declareCheck(decl(f), (ctx) => body(f, ctx), file, false);
    return;
  }
  // A plain describe around concurrent tests: vitest runs them together, and the group as one step among its siblings.
  const first = families[0];
  const group = first ? decl(first).id.replace(`-${idFamily(first)}-`, '-<family>-') : 'checks';
  describe(group, () => {
    for (const f of families) declareCheck(decl(f), (ctx) => body(f, ctx), file, true);
  });
}

/** `IPv6` → `ipv6`: the family segment of an id. */
export function idFamily(f: CheckFamily): string {
  return f.toLowerCase();
}

const seen = new Set<string>();

/** The test file declaring the check, from the stack (vitest runs each file in its own module graph). */
function callerFile(): string | undefined {
  const stack = new Error().stack?.split('\n') ?? [];
  for (const line of stack) {
    const m = /(\/[^():]*\.test\.ts)/.exec(line);
    if (m?.[1]) return path.normalize(m[1]);
  }
  return undefined;
}
