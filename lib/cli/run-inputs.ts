/**
 * A run's input checks, all before any cluster exists: files and directories it
 * reads or writes, the suites it selects. Each failure is a UsageError (exit 2)
 * saying what to pass instead.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SUITES, type Suite } from '../profiles.ts';
import { RunBrokenError, UsageError } from '../util/errors.ts';
import { ensureWritable } from '../util/fs.ts';
import { REPO_ROOT } from './vitest-run.ts';

function errCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
}

export function ensureWritableDir(dir: string): string {
  return ensureWritable(dir, 'report dir', 'pass --report-dir with a writable directory');
}

export function ensureReadableFile(file: string, flag: string): string {
  const abs = path.resolve(file);
  try {
    if (!fs.statSync(abs).isFile()) throw Object.assign(new Error('not a file'), { code: 'not a regular file' });
    fs.accessSync(abs, fs.constants.R_OK);
  } catch (err) {
    throw new UsageError(`cannot read ${flag} file ${abs} (${errCode(err)}); pass an existing, readable file`);
  }
  return abs;
}

/** `20261122-051000`: sorts by time, no characters a shell or Windows would mind. */
export function timestamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function hasTests(root: string, s: Suite): boolean {
  const dir = path.join(root, 'suites', s);
  if (!fs.existsSync(dir)) return false;
  return fs.readdirSync(dir, { recursive: true }).some((f) => String(f).endsWith('.test.ts'));
}

/** Suites that have at least one test file. Explicitly requested but empty → usage error. */
export function resolveSuites(requested: readonly Suite[], root = REPO_ROOT): Suite[] {
  if (requested.length > 0) {
    const empty = requested.filter((s) => !hasTests(root, s));
    if (empty.length > 0) {
      const available = SUITES.filter((s) => hasTests(root, s));
      throw new UsageError(
        `suite ${empty.join(', ')} has no tests yet (suites/${empty[0]}/ holds no *.test.ts); available: ${available.length > 0 ? available.join(', ') : 'none'}`,
      );
    }
    return [...requested];
  }
  const present = SUITES.filter((s) => hasTests(root, s));
  if (present.length === 0) throw new RunBrokenError(`no e2e suites found under ${path.join(root, 'suites')}/<suite>/*.test.ts`);
  return present;
}
