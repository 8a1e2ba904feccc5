/**
 * Small helpers for the "seen" part of check messages and for re-probing,
 * shared by every check module so messages look the same everywhere.
 */
import type { Verdict } from './verdict.ts';

/** One line, at most `max` characters: probe output inside a message. */
export function clip(text: string, max = 120): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max)}…` : one;
}

/** The first line of a message (CRLF or LF), for one-line summaries. */
export function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0] ?? '';
}

/** The last non-empty line of command output (usually the error), skipping lines `skip` rejects. */
export function lastLine(text: string, skip: (line: string) => boolean = () => false): string {
  return (
    text
      .replace(/\r/g, '')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !skip(l))
      .at(-1) ?? ''
  );
}

/**
 * Runs a probe-and-judge function until it passes, at most `attempts` times,
 * one second apart: for state that converges (kube-proxy programming a new
 * ClusterIP, a route re-added after a fault). The last verdict is returned.
 */
export async function retryVerdict(fn: () => Promise<Verdict>, attempts: number): Promise<Verdict> {
  let v = await fn();
  for (let i = 1; i < attempts && !v.ok; i++) {
    await new Promise((res) => setTimeout(res, 1_000));
    v = await fn();
  }
  return v;
}
