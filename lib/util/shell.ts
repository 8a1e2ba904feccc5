/** POSIX sh quoting: what goes to a real shell (dash, busybox), not only to bash. */

/** `'it'\''s'`: one argv word for sh, whatever it holds. Pure. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
