/**
 * vitest's file order (failed first, then longest first, from its cache), with the serial
 * group's files (disruptive.test.ts) after every file of checks. In a `--self-test` run the
 * fault files go first: the longest, mostly waiting out timeouts, their pods made with the
 * run, while the check files' pods come in a second wave (lib/probes/plans.ts planWaves); by
 * duration alone a check file that had waited for its pods in the last run went first in the
 * next, and a fault file whose pods had been ready went late. Without, the fault files (every
 * test skipped) go last. Files of checks that wait for a rollout (waitsForRollouts) start
 * after the other files of checks, so the rollout goes on while those run. The serial
 * files run in the same workers and wait for those to end (serial-barrier.ts), so a
 * worker takes one only when no file of checks is left to start. Among them, the files
 * that may start while the concurrent files' namespaces go come first, so the one wait for
 * those namespaces overlaps their faults; the files that hold every resource
 * (serialResourcesOf, phase 2 of the barriers) come last, so one holding a single resource
 * (the LoadBalancer pool) is not queued behind one that waits for all of them.
 */
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import type { Vitest } from 'vitest/node';
import { isFaultFile, serialPhaseOf, startsWhileConcurrentFilesGo, waitsForRollouts } from './schedule.ts';
import { decodeSettings } from './settings.ts';

export class SerialGroupSequencer extends BaseSequencer {
  constructor(
    ctx: Vitest,
    private readonly selfTest: boolean = decodeSettings().selfTest,
  ) {
    super(ctx);
  }

  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const file = (s: TestSpecification) => path.relative(this.ctx.config.root, s.moduleId);
    // The barriers' phases in order (serialPhaseOf), so no file is queued behind one that waits for it.
    const inPhase = (p: number) => sorted.filter((s) => serialPhaseOf(file(s)) === p);
    const early = (s: TestSpecification) => startsWhileConcurrentFilesGo(file(s)) !== undefined;
    const fault = (s: TestSpecification) => isFaultFile(file(s));
    const rollout = (s: TestSpecification) => waitsForRollouts(file(s)) !== undefined;
    const concurrent = inPhase(0);
    const faults = concurrent.filter(fault);
    const checks = [...concurrent.filter((s) => !fault(s) && !rollout(s)), ...concurrent.filter((s) => !fault(s) && rollout(s))];
    const serial = inPhase(1);
    return [...(this.selfTest ? [...faults, ...checks] : [...checks, ...faults]), ...serial.filter(early), ...serial.filter((s) => !early(s)), ...inPhase(2)];
  }
}
