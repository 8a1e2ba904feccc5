/**
 * `v6e2e report <dir...>`: one report from several runs or shards. Each input
 * is a report directory (summary.json, junit.xml, allure-results/) written by
 * `v6e2e run` (or by an earlier `report --out`). Summaries are merged per
 * profile (lib/report/summary.ts mergeSummaries), JUnit is re-rendered from
 * the merged summaries (stable names, flaky/gating properties), and
 * allure-results/ are concatenated: vitest's blob merge loses Allure steps and
 * attachments, so each shard keeps its own results and we only copy files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../util/errors.ts';
import { isGating, type Gate } from './gate.ts';
import { ENVIRONMENT_FILE, readEnvironment } from './html.ts';
import { renderProperties, type EnvironmentInfo } from './environment.ts';
import { writeJunit } from './junit.ts';
import { ensureWritable } from '../util/fs.ts';
import {
  applyGate,
  gatingFailures,
  mergeSummaries,
  readSummaries,
  writeSummariesJson,
  writeSummaryMd,
  type RunSummary,
} from './summary.ts';

export interface MergeOptions {
  dirs: readonly string[];
  /** Re-gate the merged checks with this gate; default: keep each input's flags. */
  gate?: Gate;
}

export interface Merged {
  summaries: RunSummary[];
  /** 1 when a gating check failed, else 0. */
  exitCode: 0 | 1;
}

function checkDir(dir: string): string {
  const abs = path.resolve(dir);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch (err) {
    throw new UsageError(`report dir ${abs} does not exist (${(err as NodeJS.ErrnoException).code ?? 'unreadable'}); pass directories written by \`v6e2e run --report-dir\``);
  }
  if (!st.isDirectory() && !abs.endsWith('.json')) {
    throw new UsageError(`${abs} is not a directory; pass directories written by \`v6e2e run --report-dir\``);
  }
  return abs;
}

export function mergeReportDirs(opts: MergeOptions): Merged {
  if (opts.dirs.length === 0) throw new UsageError('report needs at least one report directory (written by v6e2e run)');
  const inputs = opts.dirs.map(checkDir).flatMap((d) => readSummaries(d));
  let summaries = mergeSummaries(inputs);
  const gate = opts.gate;
  if (gate) summaries = summaries.map((s) => applyGate(s, { source: gate.source, isGating: (id) => isGating(gate, id) }));
  return { summaries, exitCode: gatingFailures(summaries).length > 0 ? 1 : 0 };
}

/** Creates `dir` and proves it is writable; a one-line usage error otherwise. */
export function ensureOutDir(dir: string): string {
  return ensureWritable(dir, '--out', 'pass a writable directory');
}

export interface CopyStats {
  files: number;
  skipped: number;
}

/**
 * Concatenates `<dir>/allure-results` of every input into `<out>/allure-results`.
 * Result and attachment files have UUID names and never collide; environment.properties
 * is merged (differing values joined with ", "); other same-named files keep the first.
 */
export function concatAllureResults(dirs: readonly string[], out: string): CopyStats {
  const target = path.join(out, 'allure-results');
  fs.mkdirSync(target, { recursive: true });
  const stats: CopyStats = { files: 0, skipped: 0 };
  const env: EnvironmentInfo = {};
  const addEnv = (info: EnvironmentInfo) => {
    for (const [k, v] of Object.entries(info)) {
      const have = env[k] ? env[k].split(', ') : [];
      if (!have.includes(v)) env[k] = [...have, v].join(', ');
    }
  };
  const existingEnv = path.join(target, ENVIRONMENT_FILE);
  addEnv(readEnvironment(target));
  for (const dir of dirs) {
    const src = path.join(path.resolve(dir), 'allure-results');
    if (path.resolve(src) === path.resolve(target)) continue; // merging into one of the inputs
    let names: string[];
    try {
      names = fs.readdirSync(src);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue; // a run without Allure output still merges its summary
      throw new UsageError(`cannot read ${src} (${code ?? String(err)}); make it readable, or merge report directories without it`);
    }
    for (const name of names) {
      const from = path.join(src, name);
      if (!fs.statSync(from).isFile()) continue;
      if (name === ENVIRONMENT_FILE) {
        addEnv(readEnvironment(src));
        continue;
      }
      const to = path.join(target, name);
      if (fs.existsSync(to)) {
        stats.skipped++;
        continue;
      }
      fs.copyFileSync(from, to);
      stats.files++;
    }
  }
  if (Object.keys(env).length > 0) fs.writeFileSync(existingEnv, renderProperties(env));
  return stats;
}

/** Writes summary.json, summary.md, junit.xml and allure-results/ into `out`. */
export function writeMerged(merged: Merged, dirs: readonly string[], out: string): { allure: CopyStats } {
  writeSummariesJson(out, merged.summaries);
  writeSummaryMd(out, merged.summaries);
  writeJunit(out, merged.summaries);
  return { allure: concatAllureResults(dirs, out) };
}
