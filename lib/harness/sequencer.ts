/**
 * vitest's file order (failed first, then longest first, from its cache), with the serial
 * group's files (disruptive.test.ts) after every file of checks: they run in the same
 * workers and wait for those to end (serial-barrier.ts), so a worker takes one only when
 * no file of checks is left to start. Among them, the files that may start while the
 * concurrent files' namespaces go come first, so the one wait for those namespaces
 * overlaps their faults; the files that hold every resource (serialResourcesOf, phase 2
 * of the barriers) come last, so one holding a single resource (the LoadBalancer pool) is
 * not queued behind one that waits for all of them.
 */
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { serialPhaseOf, startsWhileConcurrentFilesGo } from './schedule.ts';

export class SerialGroupSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const file = (s: TestSpecification) => path.relative(this.ctx.config.root, s.moduleId);
    // The barriers' phases in order (serialPhaseOf), so no file is queued behind one that waits for it.
    const inPhase = (p: number) => sorted.filter((s) => serialPhaseOf(file(s)) === p);
    const early = (s: TestSpecification) => startsWhileConcurrentFilesGo(file(s)) !== undefined;
    const serial = inPhase(1);
    return [...inPhase(0), ...serial.filter(early), ...serial.filter((s) => !early(s)), ...inPhase(2)];
  }
}
