/**
 * Vitest reporter that turns the e2e run into summary.json + summary.md in
 * $V6E2E_REPORT_DIR (nothing is written when that is unset).
 *
 * Conventions the e2e suites follow, and this file relies on:
 *
 * - Suite: the folder under `suites/` (`suites/connectivity/pod-to-pod.test.ts` → `connectivity`).
 * - Family tag: a test states the IP family it checks with a bracketed tag in its name,
 *   or in an enclosing describe's name: `[IPv4]`, `[IPv6]` or `[dual]` (matched without
 *   regard to case). The innermost tag wins, so
 *     describe('[dual] service', () => test('[IPv6] clusterIP reachable', …))
 *   is an IPv6 check. No tag → family `none` (family-agnostic checks such as guestbook).
 *   Prefer `test.for(families)('[$0] …')` so every family gets its own check.
 * - Id: slug of `suite/<describe path>/<test name>`, e.g.
 *   `connectivity/pod-to-pod/ipv6-reaches-every-node`. Tags are part of the slug, so
 *   the same test run per family gets one id per family. Renaming a test changes its id.
 * - Skips: `ctx.skip('why')` becomes a skipped check with that reason as message;
 *   say why in every dynamic skip ("cluster has no IPv4"), it ends up in the job summary.
 * - Flaky: a test that passed only after retries is `flaky`, not `passed`. Only checks
 *   marked `timingDependent(reason)` (lib/report/timing.ts) are ever retried.
 * - Gating: with V6E2E_GATE naming a gate file (lib/report/gate.ts), checks it does not
 *   list get `gating: false`; their failures are warnings.
 * - Files: summary.json, summary.md and junit.xml (lib/report/junit.ts) in the report dir.
 * - Hooks: a failing beforeAll/afterAll or a module that fails to import becomes its own
 *   failed check (`…/(setup)`, `…/(module)`), since vitest reports its tests as skipped.
 */
import path from 'node:path';
import type { Reporter, SerializedError, TestCase, TestModule, TestRunEndReason, TestSuite, Vitest } from 'vitest/node';
import { kubernetesBuildFromEnv } from './environment.ts';
import { isGating, readGate } from './gate.ts';
import { writeJunit } from './junit.ts';
import { applyGate, tally, writeSummaryJson, writeSummaryMd, type CheckFamily, type CheckResult, type KubernetesBuild, type RunSummary } from './summary.ts';
import './timing.ts'; // TaskMeta.timingReason

/** What the reporter needs from a vitest TestCase, as plain data (so it can be unit-tested). */
export interface ExtractedCase {
  /** Path relative to the project root, with forward slashes. */
  file: string;
  /** Enclosing describe names, outermost first. */
  describePath: string[];
  name: string;
  state: 'passed' | 'failed' | 'skipped' | 'pending';
  mode: 'run' | 'only' | 'skip' | 'todo';
  errors: string[];
  /** `ctx.skip(note)` */
  note?: string;
  durationMs: number;
  retryCount: number;
  flaky: boolean;
  /** Set when the test was skipped because a hook of an enclosing suite failed. */
  setupFailed?: boolean;
  /** timingDependent(reason): the only checks that may retry. */
  timingReason?: string;
}

const TAG_RE = /\[(ipv4|ipv6|dual)\]/gi;

/** Innermost family tag among the test name and its describe path. */
export function familyFromNames(describePath: readonly string[], name: string): CheckFamily {
  for (const n of [name, ...[...describePath].reverse()]) {
    const tags = Array.from(n.matchAll(TAG_RE), (m) => (m[1] ?? '').toLowerCase());
    const last = tags.at(-1);
    if (last === 'ipv4') return 'IPv4';
    if (last === 'ipv6') return 'IPv6';
    if (last === 'dual') return 'dual';
  }
  return 'none';
}

/** `suites/connectivity/x.test.ts` → `connectivity`; anything else → the file's folder name. */
export function suiteFromFile(file: string): string {
  const parts = file.split(/[\\/]+/).filter(Boolean);
  const i = parts.lastIndexOf('suites');
  if (i >= 0 && parts.length > i + 2) return parts[i + 1] ?? 'unknown';
  return parts.length >= 2 ? (parts[parts.length - 2] ?? 'unknown') : 'unknown';
}

export function slug(text: string): string {
  return (
    text
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '') // drop the accents NFKD split off: "Ü" → "U"
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || '_'
  );
}

export function checkId(suite: string, describePath: readonly string[], name: string): string {
  return [suite, ...describePath, name].map(slug).join('/');
}

function joinErrors(errors: readonly string[]): string | undefined {
  const distinct = [...new Set(errors.map((e) => e.trim()).filter(Boolean))];
  return distinct.length > 0 ? distinct.join('\n---\n') : undefined;
}

/** The mapping itself: one vitest test case → one CheckResult. Pure. */
export function toCheckResult(c: ExtractedCase): CheckResult {
  const suite = suiteFromFile(c.file);
  const base = {
    id: checkId(suite, c.describePath, c.name),
    suite,
    family: familyFromNames(c.describePath, c.name),
    durationMs: Math.round(c.durationMs),
    retries: c.retryCount,
    name: [...c.describePath, c.name].join(' › '),
    ...(c.timingReason ? { timing: c.timingReason } : {}),
  };
  const errorText = joinErrors(c.errors);
  switch (c.state) {
    case 'failed':
      return { ...base, status: 'failed', message: errorText ?? 'failed without an error message' };
    case 'passed':
      // vitest keeps the errors of failed attempts on a test that passed on retry.
      if (c.flaky || c.retryCount > 0) {
        return { ...base, status: 'flaky', message: `passed after ${c.retryCount} retries${errorText ? `; earlier failure: ${errorText}` : ''}` };
      }
      return { ...base, status: 'passed' };
    case 'skipped': {
      const message =
        c.note ??
        (c.setupFailed ? 'not run: a beforeAll/afterAll hook of its suite failed' : c.mode === 'todo' ? 'todo' : 'skipped');
      return { ...base, status: 'skipped', message };
    }
    case 'pending':
      return { ...base, status: 'skipped', message: 'not run: the test run ended before it finished' };
  }
}

/** Makes ids unique within a run (`…-2`) without disturbing the first occurrence. */
export function dedupeIds(checks: CheckResult[]): CheckResult[] {
  const seen = new Map<string, number>();
  return checks.map((c) => {
    const n = (seen.get(c.id) ?? 0) + 1;
    seen.set(c.id, n);
    return n === 1 ? c : { ...c, id: `${c.id}-${n}` };
  });
}

/** Failures outside tests: a module that did not import, a hook that threw. */
export interface ExtractedContainerError {
  file: string;
  /** Describe path of the failing suite; empty for the module itself. */
  describePath: string[];
  errors: string[];
}

export function containerErrorToCheck(e: ExtractedContainerError): CheckResult {
  const suite = suiteFromFile(e.file);
  const where = e.describePath.length > 0 ? '(setup)' : '(module)';
  const name = e.describePath.length > 0 ? e.describePath : [path.posix.basename(e.file).replace(/\.test\.ts$/, '')];
  return {
    id: [suite, ...name.map(slug), where].join('/'),
    suite,
    family: familyFromNames(e.describePath, ''),
    status: 'failed',
    durationMs: 0,
    retries: 0,
    message: joinErrors(e.errors) ?? `${where} failed`,
  };
}

export function unhandledErrorToCheck(message: string, index: number): CheckResult {
  return { id: `(run)/unhandled-error-${index + 1}`, suite: '(run)', family: 'none', status: 'failed', durationMs: 0, retries: 0, message };
}

export interface BuildSummaryInput {
  profile: string;
  baseProfile?: string;
  build?: KubernetesBuild | undefined;
  kubernetesVersion: string;
  startedAt: Date;
  endedAt: Date;
  cases: ExtractedCase[];
  containerErrors: ExtractedContainerError[];
  unhandledErrors: string[];
  reason?: TestRunEndReason;
}

export function buildSummary(input: BuildSummaryInput): RunSummary {
  const checks = dedupeIds([
    ...input.containerErrors.map(containerErrorToCheck),
    ...input.cases.map(toCheckResult),
    ...input.unhandledErrors.map(unhandledErrorToCheck),
  ]);
  return {
    profile: input.profile,
    ...(input.baseProfile !== undefined ? { baseProfile: input.baseProfile } : {}),
    ...(input.build !== undefined ? { build: input.build } : {}),
    kubernetesVersion: input.kubernetesVersion,
    startedAt: input.startedAt.toISOString(),
    durationMs: Math.max(0, input.endedAt.getTime() - input.startedAt.getTime()),
    totals: tally(checks),
    checks,
    ...(input.reason ? { reason: input.reason } : {}),
  };
}

// ---------------------------------------------------------------- vitest glue

function errorText(e: SerializedError): string {
  const msg = e.message || e.name || 'error';
  return e.name && e.name !== 'Error' && !msg.startsWith(e.name) ? `${e.name}: ${msg}` : msg;
}

function describePathOf(t: TestCase | TestSuite): string[] {
  const names: string[] = [];
  let p: TestSuite | TestModule = t.parent;
  while (p.type === 'suite') {
    names.unshift(p.name);
    p = p.parent;
  }
  return names;
}

function hasFailedHook(t: TestCase): boolean {
  let p: TestSuite | TestModule = t.parent;
  while (p.type === 'suite') {
    if (p.errors().length > 0) return true;
    p = p.parent;
  }
  return p.errors().length > 0;
}

function relativeFile(m: TestModule, root: string): string {
  return path.relative(root, m.moduleId).split(path.sep).join('/');
}

export function extractCase(t: TestCase, root: string): ExtractedCase {
  const r = t.result();
  const d = t.diagnostic();
  return {
    file: relativeFile(t.module, root),
    describePath: describePathOf(t),
    name: t.name,
    state: r.state,
    mode: t.options.mode,
    errors: (r.errors ?? []).map(errorText),
    ...(r.state === 'skipped' && r.note ? { note: r.note } : {}),
    durationMs: d?.duration ?? 0,
    retryCount: d?.retryCount ?? 0,
    flaky: d?.flaky ?? false,
    ...(r.state === 'skipped' && hasFailedHook(t) ? { setupFailed: true } : {}),
    ...(typeof t.meta().timingReason === 'string' ? { timingReason: t.meta().timingReason } : {}),
  };
}

export interface SummaryReporterOptions {
  /** Projects whose tests are conformance checks (default: e2e). Unit tests are not. */
  projects?: string[];
  /** Default: $V6E2E_REPORT_DIR. No directory, no files. */
  reportDir?: string;
  /** Gate file; default $V6E2E_GATE. None: every check gates. */
  gateFile?: string;
}

export class SummaryReporter implements Reporter {
  private root = process.cwd();
  private startedAt = new Date();
  private readonly projects: string[];
  private readonly reportDir: string | undefined;
  private readonly gateFile: string | undefined;
  /** The last summary built, for programmatic callers. */
  lastSummary: RunSummary | undefined;

  constructor(opts: SummaryReporterOptions = {}) {
    this.projects = opts.projects ?? ['e2e'];
    this.reportDir = opts.reportDir ?? process.env.V6E2E_REPORT_DIR;
    this.gateFile = opts.gateFile ?? (process.env.V6E2E_GATE || undefined);
  }

  /** The CLI validated the gate file before the run; here a broken one only costs the flags. */
  private gate(summary: RunSummary): RunSummary {
    if (!this.gateFile) return summary;
    try {
      const gate = readGate(this.gateFile);
      return applyGate(summary, { source: gate.source, isGating: (id) => isGating(gate, id) });
    } catch (err) {
      process.stderr.write(`v6e2e: gate file ignored: ${err instanceof Error ? err.message : String(err)}\n`);
      return summary;
    }
  }

  onInit(vitest: Vitest): void {
    this.root = vitest.config.root;
    this.startedAt = new Date();
  }

  onTestRunStart(): void {
    this.startedAt = new Date();
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): void {
    const modules = testModules.filter((m) => this.projects.includes(m.project.name));
    // A unit-only run (modules present, none of ours) must not overwrite an e2e summary.
    if (testModules.length > 0 && modules.length === 0) return;

    const cases: ExtractedCase[] = [];
    const containerErrors: ExtractedContainerError[] = [];
    for (const m of modules) {
      const file = relativeFile(m, this.root);
      if (m.errors().length > 0) containerErrors.push({ file, describePath: [], errors: m.errors().map(errorText) });
      for (const s of m.children.allSuites()) {
        if (s.errors().length > 0) {
          containerErrors.push({ file, describePath: [...describePathOf(s), s.name], errors: s.errors().map(errorText) });
        }
      }
      for (const t of m.children.allTests()) cases.push(extractCase(t, this.root));
    }
    const summary = this.gate(buildSummary({
      // The variant label (ipv6-nft-flannel) is the report row, so two variants never merge into one.
      profile: process.env.V6E2E_VARIANT || process.env.V6E2E_PROFILE || 'unknown',
      ...(process.env.V6E2E_PROFILE ? { baseProfile: process.env.V6E2E_PROFILE } : {}),
      build: kubernetesBuildFromEnv(process.env),
      kubernetesVersion: process.env.V6E2E_KUBERNETES_VERSION || 'unknown',
      startedAt: this.startedAt,
      endedAt: new Date(),
      cases,
      containerErrors,
      unhandledErrors: unhandledErrors.map(errorText),
      reason,
    }));
    this.lastSummary = summary;
    if (this.reportDir) {
      writeSummaryJson(this.reportDir, summary);
      writeSummaryMd(this.reportDir, summary);
      writeJunit(this.reportDir, summary);
    }
  }
}
