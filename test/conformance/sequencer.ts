import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** The default order, with test/conformance*.test.ts moved to the end: it checks what every other file sent. */
export default class ConformanceLastSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isConformance = (f: TestSpecification) => /[\\/]conformance[^\\/]*\.test\.ts$/.test(f.moduleId);
    return [...sorted.filter((f) => !isConformance(f)), ...sorted.filter(isConformance)];
  }
}
