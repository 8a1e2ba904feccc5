import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellQuote } from '../util/shell.ts';
import { newMark, parseShellReply, shellPortOf, shellScript, SHELL_PORT_ANNOTATION } from './pod-shell.ts';

/** What netexec's /shell does with a script: `sh -c`, stdout and stderr combined, exit status as Go prints it. */
function netexecShell(script: string): string {
  let output: string;
  let error: string | undefined;
  try {
    output = execFileSync('sh', ['-c', `(${script}) 2>&1`], { encoding: 'utf8' });
  } catch (err) {
    const e = err as { stdout: string; status: number };
    output = e.stdout;
    error = `exit status ${e.status}`;
  }
  return JSON.stringify({ ...(output ? { output } : {}), ...(error ? { error } : {}) });
}

describe('the shell way keeps what an exec gives apart', () => {
  it('exit code, stdout and stderr of argv with quotes, newlines and $', () => {
    const mark = newMark();
    const argv = ['sh', '-c', `printf '%s\\n' "$1"; echo "it's \\$HOME" >&2; exit 3`, 'sh', "a 'b' $c\nd"];
    const r = parseShellReply(netexecShell(shellScript(argv, mark)), mark);
    expect(r).toEqual({ code: 3, stdout: "a 'b' $c\nd\n", stderr: "it's $HOME\n" });
  });
  it('a command with no output at all', () => {
    const mark = newMark();
    expect(parseShellReply(netexecShell(shellScript(['true'], mark)), mark)).toEqual({ code: 0, stdout: '', stderr: '' });
  });
  it('stdout that holds another mark is not cut there', () => {
    const mark = newMark();
    const other = newMark();
    const r = parseShellReply(netexecShell(shellScript(['printf', `x\n${other}1\ny`], mark)), mark);
    expect(r).toEqual({ code: 0, stdout: `x\n${other}1\ny`, stderr: '' });
  });
});

describe('parseShellReply', () => {
  it('is undefined for what netexec did not answer, or a script cut short', () => {
    const mark = newMark();
    expect(parseShellReply('{"kind":"Status","message":"error trying to reach service"}', mark)).toBeUndefined();
    expect(parseShellReply('not json', mark)).toBeUndefined();
    expect(parseShellReply(JSON.stringify({ output: 'half of it' }), mark)).toBeUndefined();
    expect(parseShellReply(JSON.stringify({ output: `x\n${mark}` }), mark)).toBeUndefined();
  });
});

describe('shellPortOf', () => {
  it('reads a valid port, nothing else', () => {
    expect(shellPortOf({ [SHELL_PORT_ANNOTATION]: '8080' })).toBe(8080);
    expect(shellPortOf({ [SHELL_PORT_ANNOTATION]: 'x' })).toBeUndefined();
    expect(shellPortOf({ [SHELL_PORT_ANNOTATION]: '0' })).toBeUndefined();
    expect(shellPortOf({})).toBeUndefined();
    expect(shellPortOf(undefined)).toBeUndefined();
  });
});

it('shellQuote makes one sh word of anything', () => {
  for (const w of ["it's", '$(rm -rf /)', 'a b', '', '\n']) expect(execFileSync('sh', ['-c', `printf %s ${shellQuote(w)}`], { encoding: 'utf8' })).toBe(w);
});
