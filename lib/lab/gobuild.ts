/**
 * Every `go build`/`go install` of the lab goes through here, so the longest
 * steps of a fresh machine (Kubernetes: minutes) show progress: packages
 * compiled out of the packages in the build, and what the last build of the
 * same thing took. A failed build is a RunBrokenError carrying the compiler's lines.
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { EnvironmentError, RunBrokenError } from '../util/errors.ts';
import type { Progress } from '../util/progress.ts';
import { LAB_DIR } from './paths.ts';

export interface GoCommand {
  /** What the progress lines call it (`kubernetes-v1.34.4`). */
  name: string;
  /** `build` or `install`. */
  verb: 'build' | 'install';
  /** Flags after the verb (-trimpath, -o, -tags, -ldflags…), without -v. */
  flags: string[];
  packages: string[];
  cwd: string;
  env: Record<string, string>;
  /** Build tags, also given to `go list` so the package count matches the build. */
  tags?: string[];
}

/** How often a long build says where it is. */
const TICK_MS = 15_000;
const TIMES_FILE = path.join(LAB_DIR, 'build-times.json');

/** The compiler's own lines out of `go build -v` output: package headers (`# pkg`) and `file.go:line:col:` errors. */
export function compilerErrors(output: string): string[] {
  return output.split('\n').filter((l) => /^# |\.go:\d+(:\d+)?: |^go: |^package |cannot find|no required module/.test(l)).slice(0, 30);
}

/** A line of `go build -v`: an import path of a package it compiled. */
function isPackageLine(line: string): boolean {
  return /^[A-Za-z0-9.~_-]+(\/[A-Za-z0-9._~+-]+)*$/.test(line) && !line.includes('.go:');
}

function lastTimes(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(TIMES_FILE, 'utf8')) as Record<string, number>;
  } catch {
    // Optional: the times only feed the progress estimate; missing or garbled, there is none, and the next build rewrites them.
    return {};
  }
}

/** How many packages the build involves (its whole dependency graph); undefined when go list cannot tell. */
async function packageCount(cmd: GoCommand): Promise<number | undefined> {
  const args = ['list', '-deps', '-f', '{{.ImportPath}}'];
  if (cmd.tags?.length) args.push('-tags', cmd.tags.join(','));
  const r = await execa('go', [...args, ...cmd.packages], { cwd: cmd.cwd, env: cmd.env, reject: false });
  return r.exitCode === 0 ? r.stdout.split('\n').filter(Boolean).length : undefined;
}

export async function runGo(cmd: GoCommand, progress: Progress): Promise<void> {
  const start = Date.now();
  const total = await packageCount(cmd);
  const before = lastTimes()[cmd.name];
  const estimate = before !== undefined ? `; the last build took ${Math.round(before)}s` : '';
  const child = execa('go', [cmd.verb, '-v', ...cmd.flags, ...cmd.packages], { cwd: cmd.cwd, env: cmd.env, reject: false, all: true });
  let compiled = 0;
  let last = '';
  let partial = '';
  child.all?.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (isPackageLine(line.trim())) {
        compiled++;
        last = line.trim();
      }
    }
  });
  const tick = () =>
    progress.info(`go ${cmd.verb} ${cmd.name}: ${compiled}${total !== undefined ? ` of ${total}` : ''} packages compiled (the rest cached), ${Math.round((Date.now() - start) / 1000)}s${estimate}${last ? `; last ${last}` : ''}`);
  const ticker = setInterval(tick, TICK_MS);
  let result;
  try {
    result = await child;
  } finally {
    clearInterval(ticker);
  }
  // No exit code and not killed: go itself could not be started.
  if (result.exitCode === undefined && !result.isTerminated) {
    throw new EnvironmentError(`cannot run go (${result.code ?? result.shortMessage}); install Go and put it on PATH: the lab builds its tools with it`);
  }
  if (result.exitCode !== 0) {
    const out = result.all ?? '';
    const lines = compilerErrors(out);
    throw new RunBrokenError(`go ${cmd.verb} ${cmd.name} failed (exit ${result.exitCode}) in ${cmd.cwd}:\n${(lines.length > 0 ? lines : out.split('\n').slice(-15)).join('\n')}`);
  }
  if (Date.now() - start > TICK_MS) tick();
  const times = lastTimes();
  times[cmd.name] = (Date.now() - start) / 1000;
  await mkdir(path.dirname(TIMES_FILE), { recursive: true });
  await writeFile(TIMES_FILE, `${JSON.stringify(times, null, 2)}\n`);
}
