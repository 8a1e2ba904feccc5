import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { readExitMark, RC_MARK, withExitMark } from './exec.ts';

/** Runs a withExitMark command here, as the pod's sh would. */
function run(command: string[]): string {
  const argv = withExitMark(command);
  try {
    return execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  } catch (err) {
    return (err as { stdout: string }).stdout;
  }
}

describe('exit code in-band', () => {
  test("the command's own output and exit code come back, whatever the exec said", () => {
    expect(readExitMark(0, run(['sh', '-c', 'printf "a\\nb\\n"; exit 28']), '')).toEqual({ exitCode: 28, stdout: 'a\nb\n', stderr: '' });
    // Output without a final newline is restored exactly too.
    expect(readExitMark(0, run(['printf', 'x']), '')).toMatchObject({ exitCode: 0, stdout: 'x' });
    expect(readExitMark(0, run(['true']), '')).toMatchObject({ exitCode: 0, stdout: '' });
  });
  test('an exec that said 0 without the mark lost the output: exit -1, marked lost, partial output kept', () => {
    const r = readExitMark(0, 'partial', '');
    expect(r).toMatchObject({ exitCode: -1, stdout: 'partial', outputLost: true });
    expect(r.stderr).toMatch(/exit mark is missing: output lost/);
  });
  test('a failed exec without the mark keeps its own code', () => {
    expect(readExitMark(137, '', 'killed')).toEqual({ exitCode: 137, stdout: '', stderr: 'killed' });
  });
  test('a mark inside the output is not the end mark', () => {
    expect(readExitMark(0, `\n${RC_MARK}5\nmore\n`, '')).toMatchObject({ outputLost: true });
  });
});
