/**
 * The fixture run of test/kunit/ktap-reporter.test.ts: test files made to
 * pass, fail, skip, log, fail to load and leave unhandled errors, run one
 * after the other (in path order) under the KTAP reporter.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/kunit/ktap-fixtures/*.fixture.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
  },
});
