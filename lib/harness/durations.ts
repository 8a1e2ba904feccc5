/**
 * Each e2e file's last wall time, per run mode, for the sequencer's longest-first order.
 * vitest's own cache keeps one duration per file whatever the mode, so a self-test run after
 * a checks-only one started the fault files (a few ms there, every fault skipped) last, and
 * the longest of them ended the concurrent phase a minute late. The reporter records here
 * at the end of every e2e run; the sequencer reads the mode of the run it orders.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LAB_DIR } from '../lab/paths.ts';

export type RunMode = 'checks' | 'self-test';

export function runMode(selfTest: boolean): RunMode {
  return selfTest ? 'self-test' : 'checks';
}

/** Keyed by the file's path from the repository root. */
export type FileDurations = Record<string, number>;

export function durationsFile(mode: RunMode, dir = path.join(LAB_DIR, 'file-durations')): string {
  return path.join(dir, `${mode}.json`);
}

/** The recorded durations of a mode; none (a fresh machine, an unreadable file) is an empty record. */
export function readDurations(file: string): FileDurations {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])));
  } catch {
    return {};
  }
}

/** Merges a run's file durations into the record (a `--suite` run updates only its files). Best effort. */
export function recordDurations(file: string, files: ReadonlyArray<{ file: string; durationMs: number }>): void {
  if (files.length === 0) return;
  try {
    const merged = { ...readDurations(file), ...Object.fromEntries(files.map((f) => [f.file, f.durationMs])) };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Written whole under another name, then renamed: two runs ending at once never leave half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(merged, null, 2)}\n`);
    fs.renameSync(tmp, file);
  } catch {
    // An order is a speed-up, never a reason to fail a run.
  }
}

/**
 * Longest recorded first; files with no record keep their given order, ahead of the recorded
 * ones (a new file may be long). Stable otherwise.
 */
export function longestFirst<T>(items: readonly T[], keyOf: (t: T) => string, known: FileDurations): T[] {
  const rank = (t: T) => known[keyOf(t)] ?? Number.POSITIVE_INFINITY;
  return items.map((t, i) => ({ t, i })).sort((a, b) => rank(b.t) - rank(a.t) || a.i - b.i).map((x) => x.t);
}
