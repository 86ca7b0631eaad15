/**
 * A vitest reporter that ends the run with the plain line CI reads:
 * `N passed, N failed, N skipped`. Unhandled errors and modules that failed to
 * load count as failures, so a broken import can never look like a green run.
 * A run that matched no test (a path outside the include globs, a `-t` that
 * names nothing) says so just above that line and fails. Above it, the tests
 * skipped and why (a tool not installed), by file, those that skip for one
 * reason as one line; a test `-t` left out is not listed.
 */
import { relative } from 'node:path';
import type { Reporter, TestCase, TestModule, Vitest } from 'vitest/node';
import { leftOutByFilter } from '../../src/kunit/test-filter.js';

/** One line per file and reason: `file: reason` or `file: N tests: reason` (a test with no note stands for its own reason). */
export function skippedLines(skips: ReadonlyArray<{ file: string; test: TestCase }>): string[] {
  const lines = new Map<string, { file: string; why: string; n: number }>();
  for (const { file, test } of skips) {
    const result = test.result();
    const why = (result.state === 'skipped' ? result.note : undefined) ?? test.fullName;
    const line = lines.get(`${file}: ${why}`) ?? { file, why, n: 0 };
    line.n++;
    lines.set(`${file}: ${why}`, line);
  }
  return [...lines.values()].map(({ file, why, n }) => `  ${file}: ${n > 1 ? `${n} tests: ` : ''}${why}`);
}

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
    const skips: { file: string; test: TestCase }[] = [];
    for (const module of testModules) {
      let cases = 0;
      for (const test of module.children.allTests()) {
        cases++;
        const left = leftOutByFilter(test, pattern);
        if (!left) matched++;
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else {
          skipped++;
          if (!left) skips.push({ file: relative(this.vitest?.config.root ?? process.cwd(), module.moduleId), test });
        }
      }
      if (cases === 0 && module.state() === 'failed') failed++;
    }
    if (skips.length > 0) process.stdout.write(`\nSkipped:\n${skippedLines(skips).join('\n')}\n`);
    if (matched === 0 && failed === 0) {
      const include = this.vitest?.config.include.join(', ') ?? 'the include globs';
      const names = pattern ? `, and -t ${pattern.source} matched no test name` : '';
      process.stdout.write(`\nNo test matched: test files must match ${include} (vitest.config.ts)${names}.\n`);
      process.exitCode = 1;
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
