/**
 * Formatting for the evidence suites/setup/evidence.ts attaches to failed
 * checks: size caps that say what they cut, Kubernetes objects as readable
 * YAML, and the failure itself.
 */
import { stringify } from 'yaml';

/** Cuts text to `max` bytes (UTF-8), saying so. */
export function capText(text: string, max: number): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= max) return text;
  const note = `\n… truncated: ${buf.length} bytes, showing the first ${max}\n`;
  return buf.subarray(0, max).toString('utf8').replace(/\uFFFD$/, '') + note;
}

/** Objects as YAML without the noise (managedFields, last-applied annotations). */
export function toYaml(objects: readonly object[]): string {
  const clean = (o: object) => {
    const c = JSON.parse(JSON.stringify(o)) as { metadata?: { managedFields?: unknown; annotations?: Record<string, string> } };
    if (c.metadata) {
      delete c.metadata.managedFields;
      if (c.metadata.annotations) delete c.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'];
    }
    return c;
  };
  return objects.map((o) => stringify(clean(o), { lineWidth: 0 })).join('---\n');
}

const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

export function failureText(errors: readonly { message?: string; name?: string; stack?: string; diff?: string }[] | undefined): string {
  if (!errors || errors.length === 0) return 'failed without an error message';
  return errors
    .map((e) => {
      const head = `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message ?? ''}`;
      const stack = (e.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).slice(0, 8).join('\n');
      return [head, e.diff ? `\n${e.diff}` : '', stack ? `\n${stack}` : ''].join('');
    })
    .join('\n\n---\n\n')
    .replace(ANSI, '');
}

