/**
 * summary.json on disk: writing one run or several, and reading them back with
 * every field checked (the file may come from another version or be hand-edited).
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../util/errors.ts';
import {
  FAMILIES,
  STATUSES,
  SUMMARY_JSON,
  tally,
  type CheckFamily,
  type CheckResult,
  type CheckStatus,
  type FileTiming,
  type KubernetesBuild,
  type RunSummary,
} from './summary-schema.ts';

export function writeSummaryJson(dir: string, summary: RunSummary): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, SUMMARY_JSON);
  fs.writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  return file;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates an untrusted parsed summary.json (written by another version, or hand-edited). */
export function parseSummary(data: unknown, source: string): RunSummary {
  const bad = (what: string) => new UsageError(`${source} is not a v6e2e summary (${what}); pass a report directory written by \`v6e2e run\``);
  if (!isRecord(data)) throw bad('not a JSON object');
  const { profile, kubernetesVersion, startedAt, durationMs, checks, reason } = data;
  if (typeof profile !== 'string') throw bad('no profile');
  if (typeof startedAt !== 'string') throw bad('no startedAt');
  if (!Array.isArray(checks)) throw bad('no checks array');
  const parsed: CheckResult[] = checks.map((c, i) => {
    if (!isRecord(c)) throw bad(`checks[${i}] is not an object`);
    const { id, suite, family, kind, disruptive, status, message, retries, name, gating, timing } = c;
    if (typeof id !== 'string' || typeof suite !== 'string') throw bad(`checks[${i}] has no id/suite`);
    if (!STATUSES.includes(status as CheckStatus)) throw bad(`checks[${i}].status ${JSON.stringify(status)}`);
    if (!FAMILIES.includes(family as CheckFamily)) throw bad(`checks[${i}].family ${JSON.stringify(family)}`);
    return {
      id,
      suite,
      family: family as CheckFamily,
      ...(kind === 'check' || kind === 'fault' ? { kind } : {}),
      ...(disruptive === true ? { disruptive: true } : {}),
      status: status as CheckStatus,
      durationMs: typeof c.durationMs === 'number' ? c.durationMs : 0,
      retries: typeof retries === 'number' ? retries : 0,
      ...(typeof message === 'string' ? { message } : {}),
      ...(typeof name === 'string' ? { name } : {}),
      ...(gating === false ? { gating: false } : {}),
      ...(typeof timing === 'string' ? { timing } : {}),
    };
  });
  return {
    profile,
    kubernetesVersion: typeof kubernetesVersion === 'string' ? kubernetesVersion : 'unknown',
    startedAt,
    durationMs: typeof durationMs === 'number' ? durationMs : 0,
    // Recomputed rather than trusted: the table must agree with the rows.
    totals: tally(parsed),
    checks: parsed,
    ...(reason === 'passed' || reason === 'failed' || reason === 'interrupted' ? { reason } : {}),
    ...(typeof data.gate === 'string' ? { gate: data.gate } : {}),
    ...(typeof data.baseProfile === 'string' ? { baseProfile: data.baseProfile } : {}),
    ...optional('build', parseBuild(data.build)),
    ...optional('files', parseFiles(data.files)),
  };
}

/** File timings, keeping only well-formed rows (an older summary has none). */
function parseFiles(v: unknown): FileTiming[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.filter(isRecord).flatMap((f) =>
    typeof f.file === 'string' && typeof f.suite === 'string' && typeof f.durationMs === 'number' && typeof f.bodyMs === 'number'
      ? [{
          file: f.file, suite: f.suite, durationMs: f.durationMs, bodyMs: f.bodyMs,
          ...(typeof f.startMs === 'number' && typeof f.endMs === 'number' ? { startMs: f.startMs, endMs: f.endMs } : {}),
          ...(typeof f.turnMs === 'number' ? { turnMs: f.turnMs } : {}),
        }]
      : [],
  );
}

/** `{ key: value }`, or nothing when the value is absent (exactOptionalPropertyTypes-friendly spreading). */
function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function parseBuild(b: unknown): KubernetesBuild | undefined {
  if (!isRecord(b)) return undefined;
  const { src, commit, treeState, version } = b;
  if (typeof src !== 'string' || typeof commit !== 'string' || typeof version !== 'string') return undefined;
  return { src, commit, version, treeState: treeState === 'dirty' ? 'dirty' : 'clean' };
}

/**
 * Reads every run in `<dir>/summary.json` (or a summary.json path): one run's
 * summary, or the `{ runs: [...] }` that `v6e2e report --out` and
 * `run --profile all` write for several profiles.
 */
export function readSummaries(dirOrFile: string): RunSummary[] {
  const { file, data } = readJson(dirOrFile);
  if (isRecord(data) && Array.isArray(data.runs) && !('checks' in data)) {
    if (data.runs.length === 0) throw new UsageError(`${file} lists no runs; pass a report directory written by \`v6e2e run\``);
    return data.runs.map((r, i) => parseSummary(r, `${file} (runs[${i}])`));
  }
  return [parseSummary(data, file)];
}

/** Writes one run as a plain summary, several as `{ runs: [...] }`. */
export function writeSummariesJson(dir: string, summaries: readonly RunSummary[]): string {
  if (summaries.length === 1) return writeSummaryJson(dir, summaries[0] as RunSummary);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, SUMMARY_JSON);
  fs.writeFileSync(file, `${JSON.stringify({ runs: summaries, totals: tally(summaries.flatMap((s) => s.checks)) }, null, 2)}\n`);
  return file;
}

function readJson(dirOrFile: string): { file: string; data: unknown } {
  const file = dirOrFile.endsWith('.json') ? dirOrFile : path.join(dirOrFile, SUMMARY_JSON);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(`cannot read ${file} (${code}); pass a report directory written by \`v6e2e run\``);
  }
  try {
    return { file, data: JSON.parse(text) };
  } catch {
    throw new UsageError(`${file} is not valid JSON; pass a report directory written by \`v6e2e run\``);
  }
}

/** Reads `<dir>/summary.json` (or a summary.json path directly). */
export function readSummaryJson(dirOrFile: string): RunSummary {
  const { file, data } = readJson(dirOrFile);
  return parseSummary(data, file);
}
