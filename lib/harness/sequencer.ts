/**
 * Longest first by the durations of the run's mode (durations.ts; vitest's order among files
 * with none: failed first, then its cache), with the serial
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
import { durationsFile, longestFirst, readDurations, runMode } from './durations.ts';
import { serialPhaseOf, startsWhileConcurrentFilesGo } from './schedule.ts';
import { decodeSettings } from './settings.ts';

export class SerialGroupSequencer extends BaseSequencer {
  /** Where the run's mode reads its file durations (lib/harness/durations.ts); tests give their own. */
  durations = (): string => durationsFile(runMode(decodeSettings().selfTest));

  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const file = (s: TestSpecification) => path.relative(this.ctx.config.root, s.moduleId);
    // vitest's order (failed first, then its cache), then the longest of this run's mode first.
    const sorted = longestFirst(await super.sort(files), file, readDurations(this.durations()));
    // The barriers' phases in order (serialPhaseOf), so no file is queued behind one that waits for it.
    const inPhase = (p: number) => sorted.filter((s) => serialPhaseOf(file(s)) === p);
    const early = (s: TestSpecification) => startsWhileConcurrentFilesGo(file(s)) !== undefined;
    const serial = inPhase(1);
    return [...inPhase(0), ...serial.filter(early), ...serial.filter((s) => !early(s)), ...inPhase(2)];
  }
}
