/**
 * CLI entry: parse, dispatch, and turn errors into exit codes. Expected failures
 * (V6e2eError) print one `v6e2e: …` line and no stack; anything else is a bug or a
 * broken run (exit 3). V6E2E_DEBUG=1 adds stacks.
 */
import { PROFILES } from '../profiles.ts';
import { readSummaryJson, renderSummaryMd } from '../report/summary.ts';
import { V6e2eError } from '../util/errors.ts';
import { stderrProgress, type Progress } from '../util/progress.ts';
import { defaultClusterName, helpText, parseArgs, type ParsedArgs } from './args.ts';

export interface MainIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Progress lines for long steps (stderr by default). */
  progress?: Progress;
}

const processIO: MainIO = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
};

function debug(): boolean {
  return process.env.V6E2E_DEBUG === '1' || process.env.V6E2E_DEBUG === 'true';
}

/** `v6e2e: first line`, further lines indented (e.g. the tail of kind's output). */
function formatError(message: string): string {
  const [first, ...rest] = message.trim().split('\n');
  return [`v6e2e: ${first ?? ''}`, ...rest.map((l) => `  ${l}`)].join('\n') + '\n';
}

async function dispatch(args: ParsedArgs, io: MainIO, progress: Progress): Promise<number> {
  const log = (line: string) => io.stderr(`${line}\n`);
  switch (args.command) {
    case 'help':
      io.stdout(helpText(args.topic));
      return 0;
    case 'run': {
      const { runCommand } = await import('./run.ts');
      return runCommand(args, { progress, log });
    }
    case 'test': {
      const { testCommand } = await import('./run.ts');
      return testCommand(args.vitestArgs, { progress, log });
    }
    case 'up': {
      const { up } = await import('../cluster/kind.ts');
      const name = args.name ?? defaultClusterName(args.profile);
      const h = await up({ profile: args.profile, name, progress });
      // stdout stays machine-readable: scripts do `eval`/jq on it.
      io.stdout(`${JSON.stringify({ name, kubeconfig: h.kubeconfigPath, context: h.context })}\n`);
      return 0;
    }
    case 'down': {
      const { down } = await import('../cluster/kind.ts');
      const names = args.name ? [args.name] : args.profile ? [defaultClusterName(args.profile)] : PROFILES.map(defaultClusterName);
      for (const name of names) await down({ name, progress });
      return 0;
    }
    case 'lab': {
      const lab = await import('../lab/index.ts');
      if (args.action === 'setup') {
        await lab.labSetup({ progress });
        return 0;
      }
      io.stdout(`${(await lab.labStatus()).trimEnd()}\n`);
      return 0;
    }
    case 'report': {
      const summaries = args.dirs.map((d) => readSummaryJson(d));
      io.stdout(renderSummaryMd(summaries));
      return 0;
    }
  }
}

export async function main(argv: string[], io: MainIO = processIO): Promise<number> {
  const progress = io.progress ?? stderrProgress();
  try {
    return await dispatch(parseArgs(argv), io, progress);
  } catch (err) {
    if (err instanceof V6e2eError) {
      io.stderr(formatError(err.message));
      if (debug() && err.stack) io.stderr(`${err.stack}\n`);
      return err.exitCode;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr(formatError(`unexpected error: ${message}${debug() ? '' : ' (V6E2E_DEBUG=1 shows the stack)'}`));
    if (debug() && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
    return 3;
  }
}
