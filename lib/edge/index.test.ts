import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';

let dir: string | undefined;
afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** The edge module with its lab dir in a fresh temporary directory (LAB_DIR is read at import). */
async function edgeIn(): Promise<{ mod: typeof import('./index.ts'); errors: typeof import('../util/errors.ts'); edgeDir: string }> {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v6e2e-edge-'));
  vi.stubEnv('V6E2E_LAB_DIR', dir);
  vi.resetModules();
  const edgeDir = path.join(dir, 'edge');
  fs.mkdirSync(edgeDir);
  // errors.ts from the same fresh module graph, so instanceof holds.
  return { mod: await import('./index.ts'), errors: await import('../util/errors.ts'), edgeDir };
}

describe('readEdgeInfo', () => {
  test('no edge file: not a lab cluster (undefined)', async () => {
    const { mod } = await edgeIn();
    await expect(mod.readEdgeInfo('plain-kind')).resolves.toBeUndefined();
  });

  test('an edge file that does not parse is an error, not "no edge"', async () => {
    const { mod, errors, edgeDir } = await edgeIn();
    fs.writeFileSync(path.join(edgeDir, 'lab.json'), '{"cluster": "lab",');
    await expect(mod.readEdgeInfo('lab')).rejects.toThrow(errors.EnvironmentError);
    await expect(mod.readEdgeInfo('lab')).rejects.toThrow(/is not valid JSON; delete it and run `v6e2e up`/);
  });

  test('an edge file that cannot be read is an error, not "no edge"', async () => {
    const { mod, edgeDir } = await edgeIn();
    // A directory in the file's place: reading it fails with EISDIR even as root.
    fs.mkdirSync(path.join(edgeDir, 'lab.json'));
    await expect(mod.readEdgeInfo('lab')).rejects.toThrow(/cannot read .*lab\.json \(EISDIR\)/);
  });

  test('a written edge file reads back', async () => {
    const { mod, edgeDir } = await edgeIn();
    fs.writeFileSync(path.join(edgeDir, 'lab.json'), JSON.stringify({ cluster: 'lab', pref64: '64:ff9b::/96' }));
    await expect(mod.readEdgeInfo('lab')).resolves.toMatchObject({ cluster: 'lab', pref64: '64:ff9b::/96' });
  });
});
