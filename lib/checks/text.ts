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

/**
 * The one description of an HTTP probe's outcome: the status and body when it was
 * answered, else what the failed curl means in words a network engineer expects
 * (connection refused, timeout, no route…) followed by curl's exit code and last line.
 */
export function describeHttpOutcome(r: HttpResult): string {
  if (r.exitCode === 0) return `HTTP ${r.status ?? '?'}${r.body.trim() ? ` body "${clip(r.body, 240)}"` : ' (empty body)'}`;
  const said = lastLine(r.stderr || r.stdout);
  let what: string;
  switch (r.exitCode) {
    case -1:
      return `probe could not run (${clip(said, 200)})`;
    case 6:
      what = 'could not resolve host';
      break;
    case 7:
      what = /no route/i.test(said)
        ? 'no route to host'
        : /unreachable/i.test(said)
          ? 'network unreachable'
          : /address family|not supported/i.test(said)
            ? 'address family not supported'
            : 'connection refused';
      break;
    case 28:
      what = 'timeout';
      break;
    case 52:
      what = 'empty reply (connection closed without a response)';
      break;
    case 56:
      what = 'connection reset';
      break;
    default:
      what = 'request failed';
  }
  return `${what} (curl exit ${r.exitCode}${said ? `: ${clip(said, 200)}` : ''})`;
}
