/**
 * The summary line `npm test` ends with: a run that matched no test (a file
 * outside the include globs, a -t naming nothing) says so and fails, and the
 * last line stays the plain `N passed, N failed, N skipped`; the tests
 * skipped are listed above it, by file, with why.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';
import type { TestCase } from 'vitest/node';
import { skippedLines } from './summary-reporter.js';

const root = resolve(import.meta.dirname, '..', '..');
const vitest = (...args: string[]) => spawnSync(join(root, 'node_modules', '.bin', 'vitest'), ['run', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
const lastLine = (out: string) => out.trimEnd().split('\n').at(-1);

test('a file outside the include globs: "No test matched", exit 1', () => {
  const run = vitest('docs/README.md');
  expect(run.status).toBe(1);
  expect(run.stdout).toContain('No test matched: test files must match test/**/*.test.ts (vitest.config.ts).');
  expect(lastLine(run.stdout)).toBe('0 passed, 0 failed, 0 skipped');
});

test('a -t that names no test: "No test matched", exit 1', () => {
  const run = vitest('test/support/smoke.test.ts', '-t', 'no such test name');
  expect(run.status).toBe(1);
  expect(run.stdout).toContain('-t no such test name matched no test name');
  expect(lastLine(run.stdout)).toBe('0 passed, 0 failed, 1 skipped');
});

test('a run that matched tests ends with the plain line and exits 0', () => {
  const run = vitest('test/support/smoke.test.ts');
  expect(run.status).toBe(0);
  expect(run.stdout).not.toContain('No test matched');
  expect(lastLine(run.stdout)).toBe('1 passed, 0 failed, 0 skipped');
});

test('the tests skipped are listed by file with why, just above the plain line; a test -t leaves out is not', () => {
  const fixtures = ['--config', 'test/kunit/ktap-fixtures/vitest.config.ts', '--reporter=./test/support/summary-reporter.ts'];
  const listed = '\nSkipped:\n  test/kunit/ktap-fixtures/a-results.fixture.ts: results > skipped on purpose\n\n';
  const all = vitest(...fixtures);
  expect(all.stdout).toContain(`${listed}4 passed, 3 failed, 1 skipped`);
  const filtered = vitest(...fixtures, '-t', 'skipped on purpose');
  expect(filtered.stdout).toContain(`${listed}0 passed, 1 failed, 6 skipped`);
});

test('tests of one file skipped for one reason are one line; a test skipped with no note gives its name', () => {
  const skip = (fullName: string, note?: string) =>
    ({ fullName, result: () => ({ state: 'skipped', note, errors: undefined }) }) as unknown as TestCase;
  const lines = skippedLines([
    { file: 'test/a.test.ts', test: skip('a > one', 'dtc (device-tree-compiler) not installed') },
    { file: 'test/a.test.ts', test: skip('a > two', 'dtc (device-tree-compiler) not installed') },
    { file: 'test/b.test.ts', test: skip('b > three', 'dtc (device-tree-compiler) not installed') },
    { file: 'test/b.test.ts', test: skip('Chromium not installed') },
  ]);
  expect(lines).toEqual([
    '  test/a.test.ts: 2 tests: dtc (device-tree-compiler) not installed',
    '  test/b.test.ts: dtc (device-tree-compiler) not installed',
    '  test/b.test.ts: Chromium not installed',
  ]);
});
