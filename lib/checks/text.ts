/**
 * Small helpers for the "seen" part of check messages,
 * shared by every check module so messages look the same everywhere.
 */
import type { HttpResult } from '../probes/http.ts';

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

/** What a failed curl means, as a kind: the words describeHttpOutcome leads with. */
export type HttpFailureKind =
  | 'could not resolve host'
  | 'no route to host'
  | 'network unreachable'
  | 'address family not supported'
  | 'connection refused'
  | 'timeout'
  | 'empty reply (connection closed without a response)'
  | 'connection reset'
  | 'request failed';

/** The kind of a failed curl (exit code, and curl's last line where exit 7 covers several errors); undefined when it was answered or could not run. */
export function httpFailureKind(r: HttpResult): HttpFailureKind | undefined {
  if (r.exitCode === 0 || r.exitCode === -1) return undefined;
  const said = lastLine(r.stderr || r.stdout);
  switch (r.exitCode) {
    case 6:
      return 'could not resolve host';
    case 7:
      return /no route/i.test(said)
        ? 'no route to host'
        : /unreachable/i.test(said)
          ? 'network unreachable'
          : /address family|not supported/i.test(said)
            ? 'address family not supported'
            : 'connection refused';
    case 28:
      return 'timeout';
    case 52:
      return 'empty reply (connection closed without a response)';
    case 56:
      return 'connection reset';
    default:
      return 'request failed';
  }
}

/**
 * The one description of an HTTP probe's outcome: the status and body when it was
 * answered, else what the failed curl means in words a network engineer expects
 * (connection refused, timeout, no route…) followed by curl's exit code and last line.
 */
export function describeHttpOutcome(r: HttpResult): string {
  if (r.exitCode === 0) return `HTTP ${r.status ?? '?'}${r.body.trim() ? ` body "${clip(r.body, 240)}"` : ' (empty body)'}`;
  const said = lastLine(r.stderr || r.stdout);
  if (r.exitCode === -1) return `probe could not run (${clip(said, 200)})`;
  return `${httpFailureKind(r)!} (curl exit ${r.exitCode}${said ? `: ${clip(said, 200)}` : ''})`;
}
