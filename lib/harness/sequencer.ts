/**
 * vitest's file order (failed first, then longest first, from its cache) with two changes
 * for the serial group: the files that may start while the concurrent files' namespaces go
 * come first, so its one wait for those namespaces overlaps their faults; and the files
 * that hold every resource (serialResourcesOf) come last, so one holding a single resource
 * (the LoadBalancer pool) is not queued behind one that waits for all of them.
 */
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { holdsEverySerialResource, SERIAL_PROJECT, startsWhileConcurrentFilesGo } from './schedule.ts';

export class SerialGroupSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const file = (s: TestSpecification) => path.relative(this.ctx.config.root, s.moduleId);
    const serial = (s: TestSpecification) => s.project.name === SERIAL_PROJECT;
    const early = (s: TestSpecification) => serial(s) && startsWhileConcurrentFilesGo(file(s)) !== undefined;
    const holdsAll = (s: TestSpecification) => serial(s) && !early(s) && holdsEverySerialResource(file(s));
    return [...sorted.filter(early), ...sorted.filter((s) => !early(s) && !holdsAll(s)), ...sorted.filter(holdsAll)];
  }
}
