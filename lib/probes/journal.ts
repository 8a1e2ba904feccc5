/**
 * The probe journal: every probe command a check ran (in a pod or in the
 * outside container), with its exit code and output, so a failed check's
 * evidence shows exactly what was run and what came back (`probes.txt`,
 * suites/setup/evidence.ts). One journal per vitest worker. Checks of one file
 * may run concurrently, so each probe carries the scope (the test) it ran in,
 * taken from an AsyncLocalStorage that check() opens around the test body.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ProbeResult } from './exec.ts';
import { shellQuote } from '../util/shell.ts';

export interface ProbeRecord {
  /** Date.now() when the probe ended. */
  at: number;
  ms: number;
  from: string;
  target: string;
  family?: string;
  command: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The test it ran in (withProbeScope); none for hooks. */
  scope?: string;
}

/** Kept at most; older ones drop out first. */
export const JOURNAL_SIZE = 200;
/** Output shown per stream and probe in probes.txt. */
export const OUTPUT_CHARS = 2_000;

let entries: ProbeRecord[] = [];
/** Total ever recorded, so marks survive the ring buffer dropping old entries. */
let recorded = 0;

const scopes = new AsyncLocalStorage<string>();

/** Runs `fn` with every probe it records tagged `scope`. */
export function withProbeScope<T>(scope: string, fn: () => T): T {
  return scopes.run(scope, fn);
}

export function recordProbe(r: ProbeResult, ms: number): void {
  const scope = scopes.getStore();
  entries.push({
    at: Date.now(),
    ms: Math.round(ms),
    from: r.from,
    target: r.target,
    ...(r.family ? { family: r.family } : {}),
    command: [...r.command],
    exitCode: r.exitCode,
    stdout: r.stdout,
    stderr: r.stderr,
    ...(scope !== undefined ? { scope } : {}),
  });
  recorded++;
  if (entries.length > JOURNAL_SIZE) entries = entries.slice(-JOURNAL_SIZE);
}

/** A position in the journal: pass it to probesSince() later. */
export function journalMark(): number {
  return recorded;
}

/** Probes recorded after `mark` (as many as the ring buffer still holds), only those of `scope` when given. */
export function probesSince(mark: number, scope?: string): ProbeRecord[] {
  const n = recorded - mark;
  const since = n <= 0 ? [] : entries.slice(-Math.min(n, entries.length));
  return scope === undefined ? since : since.filter((r) => r.scope === scope);
}

/**
 * A command as one shell line to copy: arguments quoted where a shell would need
 * it, control characters (curl's `-w '\n…'`) in bash's $'…' form so the line stays one line.
 */
export function shellLine(command: readonly string[]): string {
  return command
    .map((a) => {
      if (/^[A-Za-z0-9_@%+=:,./\-[\]]+$/.test(a)) return a;
      if (/[\x00-\x1f]/.test(a)) {
        const esc = a.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/\r/g, '\\r');
        return `$'${esc.replace(/[\x00-\x1f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`;
      }
      return shellQuote(a);
    })
    .join(' ');
}

function clip(text: string): string {
  const t = text.trimEnd();
  return t.length > OUTPUT_CHARS ? `${t.slice(0, OUTPUT_CHARS)}\n… (${t.length - OUTPUT_CHARS} more characters)` : t;
}

/** probes.txt: one block per probe, oldest first. */
export function renderProbes(records: readonly ProbeRecord[]): string {
  if (records.length === 0) return '(no probe ran during this check)\n';
  return records
    .map((r, i) => {
      const head = `#${i + 1} ${new Date(r.at).toISOString()} ${r.from} → ${r.target}${r.family ? ` [${r.family}]` : ''}: exit ${r.exitCode} after ${r.ms} ms`;
      const out = [`$ ${shellLine(r.command)}`];
      if (r.stdout.trim()) out.push(`--- stdout\n${clip(r.stdout)}`);
      if (r.stderr.trim()) out.push(`--- stderr\n${clip(r.stderr)}`);
      return `${head}\n${out.join('\n')}`;
    })
    .join('\n\n')
    .concat('\n');
}

/** For tests. */
export function resetJournal(): void {
  entries = [];
  recorded = 0;
}
