/**
 * Vitest reporter that turns the e2e run into summary.json + summary.md in the
 * run's report dir (lib/harness/settings.ts; nothing is written without one), and
 * keeps the summary in memory for `v6e2e run`.
 *
 * Conventions the e2e suites follow, and this file relies on:
 *
 * - Declaration: every e2e test is declared with `check()` (lib/harness/check.ts), which
 *   puts its id, family, kind (`check` or `fault`), disruptive flag and title in the
 *   test's meta. Ids, families and kinds are read from there, never from titles, so a
 *   renamed title keeps its id. A test declared without `check()` is reported failed.
 * - Suite: the folder under `suites/` (`suites/connectivity/pods.test.ts` → `connectivity`).
 * - Skips: `ctx.skip('why')` becomes a skipped check with that reason as message;
 *   say why in every dynamic skip ("cluster has no IPv4"), it ends up in the job summary.
 * - Flaky: a test that passed only after retries is `flaky`, not `passed`. Only checks
 *   marked `timingDependent(reason)` (lib/report/timing.ts) are ever retried.
 * - Gating: with a gate file in the run's settings (lib/report/gate.ts), checks it does not
 *   list get `gating: false`; their failures are warnings.
 * - Files: summary.json, summary.md and junit.xml (lib/report/junit.ts) in the report dir.
 * - Hooks: a failing beforeAll/afterAll or a module that fails to import becomes its own
 *   failed check (`…/(setup)`, `…/(module)`), since vitest reports its tests as skipped.
 */
import { E2E_PROJECTS } from '../harness/schedule.ts';
import path from 'node:path';
import type { Reporter, SerializedError, TestCase, TestModule, TestRunEndReason, TestSuite, Vitest } from 'vitest/node';
import { decodeSettings, type RunSettings } from '../harness/settings.ts';
import { isGating, readGate } from './gate.ts';
import { writeJunit } from './junit.ts';
import { applyGate, tally, writeSummaryJson, writeSummaryMd, type CheckResult, type FileTiming, type KubernetesBuild, type RunSummary } from './summary.ts';
import './timing.ts'; // TaskMeta.timingReason
import { unionLength } from '../util/intervals.ts';
import type { DeclaredCheck } from '../harness/check.ts';

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
  /** The check() declaration; absent for a test declared some other way. */
  declared?: DeclaredCheck;
}

/** The suite folder of a file under `suites/` (`suites/nodeport/faults.test.ts` → `nodeport`), else undefined. */
export function suiteOfFile(file: string): string | undefined {
  const parts = file.split(/[\\/]+/).filter(Boolean);
  const i = parts.lastIndexOf('suites');
  return i >= 0 && parts.length > i + 2 ? parts[i + 1] : undefined;
}

/** `suites/connectivity/x.test.ts` → `connectivity`; anything else → the file's folder name. */
export function suiteFromFile(file: string): string {
  const parts = file.split(/[\\/]+/).filter(Boolean);
  return suiteOfFile(file) ?? (parts.length >= 2 ? (parts[parts.length - 2] ?? 'unknown') : 'unknown');
}

/** Ids of what has no declaration (undeclared tests, failing hooks): a slug of the names. */
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

function joinErrors(errors: readonly string[]): string | undefined {
  const distinct = [...new Set(errors.map((e) => e.trim()).filter(Boolean))];
  return distinct.length > 0 ? distinct.join('\n---\n') : undefined;
}

/** Why a fault is skipped in a run without --self-test (lib/harness/check.ts declares it skipped). */
export const SELF_TEST_NOT_RUN = 'harness self-test, not run: v6e2e run --self-test runs it';

/** The mapping itself: one vitest test case → one CheckResult. Pure. */
export function toCheckResult(c: ExtractedCase): CheckResult {
  const suite = suiteFromFile(c.file);
  const d = c.declared;
  if (!d) {
    return {
      id: `${suite}/(undeclared)/${slug(c.name)}`,
      suite,
      family: 'none',
      kind: 'check',
      status: 'failed',
      durationMs: Math.round(c.durationMs),
      retries: c.retryCount,
      name: c.name,
      message: `${c.file}: test "${c.name}" is not declared with check() (lib/harness/check.ts): it has no id, family or kind`,
    };
  }
  const base = {
    id: d.id,
    suite,
    family: d.family,
    kind: d.kind,
    ...(d.disruptive ? { disruptive: true } : {}),
    durationMs: Math.round(c.durationMs),
    retries: c.retryCount,
    name: d.title,
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
        (c.setupFailed
          ? 'not run: a beforeAll/afterAll hook of its suite failed'
          : c.mode === 'todo'
            ? 'todo'
            : d.kind === 'fault' && c.mode === 'skip'
              ? SELF_TEST_NOT_RUN
              : 'skipped');
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
    family: 'none',
    kind: 'check',
    status: 'failed',
    durationMs: 0,
    retries: 0,
    message: joinErrors(e.errors) ?? `${where} failed`,
  };
}

export function unhandledErrorToCheck(message: string, index: number): CheckResult {
  return { id: `(run)/unhandled-error-${index + 1}`, suite: '(run)', family: 'none', kind: 'check', status: 'failed', durationMs: 0, retries: 0, message };
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
  files?: FileTiming[];
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
    ...(input.files ? { files: input.files } : {}),
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
    ...(t.meta().check ? { declared: t.meta().check } : {}),
  };
}

export interface SummaryReporterOptions {
  /** Projects whose tests are conformance checks (default: e2e). Unit tests are not. */
  projects?: string[];
  /** The run's settings; default: decoded from the environment (lib/harness/settings.ts). */
  settings?: RunSettings;
}

const BRAND = Symbol.for('v6e2e.summary-reporter');

/**
 * The config's reporter instance, found by brand: vitest imports vitest.config.ts in its
 * own module instance, so `instanceof` against the CLI's import of this class fails.
 */
export function isSummaryReporter(r: unknown): r is SummaryReporter {
  return typeof r === 'object' && r !== null && (r as { [BRAND]?: unknown })[BRAND] === true;
}

export class SummaryReporter implements Reporter {
  readonly [BRAND] = true;
  private root = process.cwd();
  private startedAt = new Date();
  private readonly projects: string[];
  private readonly settings: RunSettings;
  /** Wall-clock start and end of each file (by module id), for the run's timeline. */
  private readonly fileTimes = new Map<string, { start: number; end?: number }>();
  /** The last summary built: `v6e2e run` reads it here, in memory. */
  lastSummary: RunSummary | undefined;

  constructor(opts: SummaryReporterOptions = {}) {
    this.projects = opts.projects ?? [...E2E_PROJECTS];
    this.settings = opts.settings ?? decodeSettings();
  }

  /** The CLI validated the gate file before the run; here a broken one only costs the flags. */
  private gate(summary: RunSummary): RunSummary {
    const gateFile = this.settings.gateFile;
    if (!gateFile) return summary;
    try {
      const gate = readGate(gateFile);
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
    this.fileTimes.clear();
  }

  onTestModuleStart(m: TestModule): void {
    this.fileTimes.set(m.moduleId, { start: Date.now() });
  }

  onTestModuleEnd(m: TestModule): void {
    const t = this.fileTimes.get(m.moduleId);
    if (t) t.end = Date.now();
  }

  private fileTiming(m: TestModule, file: string): FileTiming {
    const bodies = [...m.children.allTests()].flatMap((t): Array<[number, number]> => {
      const d = t.diagnostic();
      return d ? [[d.startTime, d.startTime + d.duration]] : [];
    });
    const t = this.fileTimes.get(m.moduleId);
    const t0 = this.startedAt.getTime();
    const turnAt = m.meta().serialTurnAt;
    return {
      file,
      suite: suiteFromFile(file),
      durationMs: Math.round(m.diagnostic().duration),
      bodyMs: Math.round(unionLength(bodies)),
      ...(t?.end !== undefined ? { startMs: t.start - t0, endMs: t.end - t0 } : {}),
      ...(typeof turnAt === 'number' ? { turnMs: turnAt - t0 } : {}),
    };
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): void {
    const modules = testModules.filter((m) => this.projects.includes(m.project.name));
    // A unit-only run (modules present, none of ours) must not overwrite an e2e summary.
    if (testModules.length > 0 && modules.length === 0) return;

    const cases: ExtractedCase[] = [];
    const containerErrors: ExtractedContainerError[] = [];
    const files: FileTiming[] = [];
    for (const m of modules) {
      const file = relativeFile(m, this.root);
      files.push(this.fileTiming(m, file));
      if (m.errors().length > 0) containerErrors.push({ file, describePath: [], errors: m.errors().map(errorText) });
      for (const s of m.children.allSuites()) {
        if (s.errors().length > 0) {
          containerErrors.push({ file, describePath: [...describePathOf(s), s.name], errors: s.errors().map(errorText) });
        }
      }
      for (const t of m.children.allTests()) cases.push(extractCase(t, this.root));
    }
    // globalSetup provided the settings with the version it asked the cluster for.
    const s = modules[0]?.project.getProvidedContext().v6e2e ?? this.settings;
    const summary = this.gate(buildSummary({
      // The variant label (ipv6-nft-flannel) is the report row, so two variants never merge into one.
      profile: s.variant ?? s.profile ?? 'unknown',
      ...(s.profile ? { baseProfile: s.profile } : {}),
      ...(s.build ? { build: s.build } : {}),
      kubernetesVersion: s.kubernetesVersion ?? 'unknown',
      startedAt: this.startedAt,
      endedAt: new Date(),
      cases,
      containerErrors,
      unhandledErrors: unhandledErrors.map(errorText),
      reason,
      files,
    }));
    this.lastSummary = summary;
    const dir = this.settings.reportDir;
    if (dir) {
      writeSummaryJson(dir, summary);
      writeSummaryMd(dir, summary);
      writeJunit(dir, summary);
    }
  }
}
