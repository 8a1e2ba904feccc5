/**
 * vitest's file order (failed first, then longest first, from its cache) with one change:
 * the serial files that may start while the concurrent files' namespaces go come first,
 * so the serial group's one wait for those namespaces overlaps their faults.
 */
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { SERIAL_PROJECT, startsWhileConcurrentFilesGo } from './schedule.ts';

export class SerialGroupSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const early = (s: TestSpecification) =>
      s.project.name === SERIAL_PROJECT && startsWhileConcurrentFilesGo(path.relative(this.ctx.config.root, s.moduleId)) !== undefined;
    return [...sorted.filter(early), ...sorted.filter((s) => !early(s))];
  }
}
