/**
 * CLI entry: parse, dispatch, and turn errors into exit codes. Expected failures
 * (V6e2eError) print one `v6e2e: …` line and no stack; anything else is a bug or a
 * broken run (exit 3). V6E2E_DEBUG=1 adds stacks.
 */
import { PROFILES } from '../profiles.ts';
import { renderSummaryMd } from '../report/summary.ts';
import { V6e2eError } from '../util/errors.ts';
import { stderrProgress, type Progress } from '../util/progress.ts';
import { defaultVariantClusterName } from '../cluster/variant.ts';
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
    case 'version': {
      const { versionLine } = await import('./version.ts');
      io.stdout(`${versionLine()}\n`);
      return 0;
    }
    case 'run': {
      const { runCommand } = await import('./run.ts');
      return runCommand(args, { progress, log });
    }
    case 'test': {
      const { testCommand } = await import('./test-command.ts');
      return testCommand(args.vitestArgs, { progress, log });
    }
    case 'up': {
      const { up } = await import('../cluster/kind.ts');
      const name = args.name ?? defaultVariantClusterName(args.variant);
      const h = await up({ variant: args.variant, name, progress });
      // stdout stays machine-readable: scripts do `eval`/jq on it.
      io.stdout(`${JSON.stringify({ name, kubeconfig: h.kubeconfigPath, context: h.context })}\n`);
      return 0;
    }
    case 'down': {
      const { down } = await import('../cluster/kind.ts');
      const names = args.name ? [args.name] : args.variant ? [defaultVariantClusterName(args.variant)] : PROFILES.map(defaultClusterName);
      for (const name of names) await down({ name, progress });
      return 0;
    }
    case 'lab': {
      const lab = await import('../lab/index.ts');
      if (args.action === 'setup') {
        const result = await lab.labSetup({ progress, ...(args.kubernetes ? { kubernetes: args.kubernetes } : {}) });
        if (args.kubernetes) io.stdout(`${JSON.stringify({ nodeImage: result.nodeImage })}\n`);
        return 0;
      }
      io.stdout(`${(await lab.labStatus()).trimEnd()}\n`);
      return 0;
    }
    case 'report': {
      const { assertGateMatches, readGate } = await import('../report/gate.ts');
      const { ensureOutDir, mergeReportDirs, writeMerged } = await import('../report/merge.ts');
      const gate = args.gate !== undefined ? readGate(args.gate) : undefined;
      const merged = mergeReportDirs({ dirs: args.dirs, gate });
      if (gate) assertGateMatches(gate, merged.summaries.flatMap((s) => s.checks.map((c) => c.id)), `the merged summaries`);
      const out = args.out !== undefined ? ensureOutDir(args.out) : undefined;
      if (out === undefined) {
        io.stdout(renderSummaryMd(merged.summaries));
        return merged.exitCode;
      }
      const { allure } = writeMerged(merged, args.dirs, out);
      log(`v6e2e: merged ${args.dirs.length} report dir(s), ${merged.summaries.length} profile(s), ${allure.files} Allure file(s) into ${out}`);
      if (args.html) {
        const { environmentFromSummaries, generateHtml } = await import('../report/html.ts');
        const html = await progress.step(`HTML report in ${out}/html`, () =>
          generateHtml({ reportDir: out, historyFrom: args.history, environment: environmentFromSummaries(merged.summaries), log }),
        );
        log(html.ok ? `v6e2e: HTML report ${html.index}` : `v6e2e: warning: no HTML report: ${html.reason}`);
      }
      return merged.exitCode;
    }
    case 'list-checks': {
      const { collectChecks } = await import('./list-checks.ts');
      const { REPO_ROOT, VITEST_CONFIG, resolveSuites } = await import('./run.ts');
      const filters = args.suites.length > 0 ? resolveSuites(args.suites).map((s) => `suites/${s}/`) : [];
      const { checks, errors } = await collectChecks(REPO_ROOT, VITEST_CONFIG, filters);
      for (const e of errors) log(`v6e2e: warning: ${e}`);
      io.stdout(checks.map((c) => `${args.json ? JSON.stringify(c) : c.id}\n`).join(''));
      return errors.length > 0 ? 3 : 0;
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
