import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from './errors.ts';

/**
 * Creates `dir` if needed and proves it is writable by writing into it (root
 * ignores mode bits, so only a try tells). On failure: a one-line usage error
 * `<what> <dir> is not writable (<code>); <hint>`.
 */
export function ensureWritable(dir: string, what: string, hint: string): string {
  const abs = path.resolve(dir);
  const probe = path.join(abs, `.v6e2e-write-test-${process.pid}`);
  try {
    fs.mkdirSync(abs, { recursive: true });
    fs.writeFileSync(probe, '');
    fs.unlinkSync(probe);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    throw new UsageError(`${what} ${abs} is not writable (${code}); ${hint}`);
  }
  return abs;
}
