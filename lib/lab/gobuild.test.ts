import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RunBrokenError } from '../util/errors.ts';
import { silentProgress } from '../util/progress.ts';
import { runGo } from './gobuild.ts';

// Made when the tests start, not when vitest only collects them (`vitest list` ran no afterAll).
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'v6e2e-gobuild-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runGo', () => {
  test("a compile error is a RunBrokenError (exit 3) with the compiler's lines", async () => {
    writeFileSync(path.join(dir, 'go.mod'), 'module example.com/broken\n\ngo 1.24\n');
    writeFileSync(path.join(dir, 'main.go'), 'package main\n\nfunc main() {\n\tundefinedThing()\n}\n');
    const err = await runGo({ name: 'broken', verb: 'build', flags: ['-o', path.join(dir, 'out')], packages: ['.'], cwd: dir, env: { GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' } }, silentProgress).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunBrokenError);
    expect((err as RunBrokenError).exitCode).toBe(3);
    expect((err as Error).message).toMatch(/^go build broken failed \(exit 1\) in .*:\n# example\.com\/broken\n\.\/main\.go:4:2: undefined: undefinedThing$/);
  }, 60_000);
});
