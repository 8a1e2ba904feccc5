import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { expect, test } from 'vitest';

const HELPER = path.join(import.meta.dirname, 'signal-cleanup.ts');

test.for(['SIGINT', 'SIGTERM'] as const)('on %s: the running job ends first, then the dirs go, then the signal ends the process', async (signal) => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'v6e2e-signal-test-'));
  try {
    const dir = path.join(base, 'tree');
    const log = path.join(base, 'log');
    fs.mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
    // A real process: the job stands for a v6e2e run deleting its cluster; it logs whether the dir was still there.
    const script = `
      import fs from 'node:fs';
      const { removeOnSignal } = await import(${JSON.stringify(HELPER)});
      let release;
      const job = new Promise((r) => { release = r; })
        .then(() => new Promise((r) => setTimeout(r, 300)))
        .then(() => fs.writeFileSync(${JSON.stringify(log)}, 'job ended, dir there: ' + fs.existsSync(${JSON.stringify(dir)})));
      removeOnSignal(() => [${JSON.stringify(dir)}]).track(job);
      // The job got the signal too: it ends 300 ms later.
      process.on('${signal}', () => release());
      console.log('ready');
      setInterval(() => {}, 1000);`;
    const child = execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { reject: false });
    await new Promise<void>((resolve) => child.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
    child.kill(signal);
    const r = await child;
    expect(r.signal).toBe(signal);
    expect(fs.readFileSync(log, 'utf8')).toBe('job ended, dir there: true');
    expect(fs.existsSync(dir)).toBe(false);
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
});
