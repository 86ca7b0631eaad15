import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A consumer project's files, run by test/package/pack-and-consume.test.ts against the packed kemu.
    exclude: [...configDefaults.exclude, 'test/package/consumer/**'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    // One test file per core. Vitest's default leaves one core free, which on a 2-vCPU machine runs the
    // files one at a time: 618 s for the suite there, against 413 s with both cores.
    maxWorkers: '100%',
  },
});
