/**
 * The summary line `npm test` ends with: a run that matched no test (a file
 * outside the include globs, a -t naming nothing) says so and fails, and the
 * last line stays the plain `N passed, N failed, N skipped`.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';

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
