import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A consumer project's files, run by test/package/pack-and-consume.test.ts against the packed kemu.
    exclude: [...configDefaults.exclude, 'test/package/consumer/**'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
  },
});
