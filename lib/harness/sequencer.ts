/**
 * vitest's file order (failed first, then longest first, from its cache), with the serial
 * group's files (disruptive.test.ts) after every file of checks: they run in the same
 * workers and wait for those to end (serial-barrier.ts), so a worker takes one only when
 * no file of checks is left to start. Among them, the files that may start while the
 * concurrent files' namespaces go come first, so the one wait for those namespaces
 * overlaps their faults; the files that hold every resource (serialResourcesOf) come
 * last, so one holding a single resource (the LoadBalancer pool) is not queued behind one
 * that waits for all of them.
 */
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { holdsEverySerialResource, isSerialFile, startsWhileConcurrentFilesGo } from './schedule.ts';

export class SerialGroupSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const file = (s: TestSpecification) => path.relative(this.ctx.config.root, s.moduleId);
    const serial = sorted.filter((s) => isSerialFile(s.moduleId));
    const early = (s: TestSpecification) => startsWhileConcurrentFilesGo(file(s)) !== undefined;
    const holdsAll = (s: TestSpecification) => !early(s) && holdsEverySerialResource(file(s));
    return [
      ...sorted.filter((s) => !isSerialFile(s.moduleId)),
      ...serial.filter(early),
      ...serial.filter((s) => !early(s) && !holdsAll(s)),
      ...serial.filter(holdsAll),
    ];
  }
}
