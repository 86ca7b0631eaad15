/**
 * A vitest reporter that ends the run with the plain line CI reads:
 * `N passed, N failed, N skipped`. Unhandled errors and modules that failed to
 * load count as failures, so a broken import can never look like a green run.
 * A run that matched no test (a path outside the include globs, a `-t` that
 * names nothing) says so just above that line and fails.
 */
import type { Reporter, TestModule, Vitest } from 'vitest/node';
import { leftOutByFilter } from '../../src/kunit/test-filter.js';

export default class SummaryReporter implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const pattern = this.vitest?.config.testNamePattern;
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    let matched = 0;
    for (const module of testModules) {
      let cases = 0;
      for (const test of module.children.allTests()) {
        cases++;
        if (!leftOutByFilter(test, pattern)) matched++;
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      if (cases === 0 && module.state() === 'failed') failed++;
    }
    if (matched === 0 && failed === 0) {
      const include = this.vitest?.config.include.join(', ') ?? 'the include globs';
      const names = pattern ? `, and -t ${pattern.source} matched no test name` : '';
      process.stdout.write(`\nNo test matched: test files must match ${include} (vitest.config.ts)${names}.\n`);
      process.exitCode = 1;
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
