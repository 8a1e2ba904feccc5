import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import config from '../../vitest.config.ts';
import { TIMING_RETRY, TIMING_TAG, timingDependent } from './timing.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

describe('timingDependent', () => {
  test('options: the timing tag plus the reason as meta', () => {
    expect(timingDependent('  kube-proxy syncs rules asynchronously ')).toEqual({ tags: ['timing'], meta: { timingReason: 'kube-proxy syncs rules asynchronously' } });
  });
  test('a reason is required', () => {
    expect(() => timingDependent(' ')).toThrow(/needs a reason/);
  });
});

describe('retries happen only for timing-dependent checks', () => {
  const t = config.test ?? {};
  test('vitest.config declares the timing tag with retry {count: 2, delay: 2000}', () => {
    expect(TIMING_RETRY).toEqual({ count: 2, delay: 2000 });
    const tag = (t.tags ?? []).find((x) => x.name === TIMING_TAG);
    expect(tag?.retry).toEqual({ count: 2, delay: 2000 });
  });
  test('no retry at the root, in any project or in any other tag', () => {
    expect(t.retry).toBeUndefined();
    for (const p of (t.projects ?? []) as { test?: { name?: string; retry?: unknown } }[]) expect(p.test?.retry, `project ${p.test?.name}`).toBeUndefined();
    for (const tag of (t.tags ?? []).filter((x) => x.name !== TIMING_TAG)) expect(tag.retry, `tag ${tag.name}`).toBeUndefined();
  });
  test('no suite sets retry itself (use timingDependent(reason))', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.ts$/.test(e.name)) {
          fs.readFileSync(p, 'utf8')
            .split('\n')
            .forEach((line, i) => {
              if (/\bretry\s*:/.test(line) && !/^\s*(\/\/|\*)/.test(line)) offenders.push(`${path.relative(ROOT, p)}:${i + 1}`);
            });
        }
      }
    };
    walk(path.join(ROOT, 'suites'));
    expect(offenders).toEqual([]);
  });
});
