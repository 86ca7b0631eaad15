/**
 * Whether vitest left a test out because of a name filter (`-t`), as opposed
 * to a test that was skipped on purpose (`test.skip`, `skipIf`, a missing
 * tool): reporters leave filtered tests out instead of reporting them as
 * skipped. Vitest marks both kinds `skipped`; the filter is matched here the
 * way its runner matches it, against the describe names and the test name
 * joined by spaces.
 */
import type { TestCase } from 'vitest/node';

/** The name vitest's `-t` pattern is matched against. */
function filterName(test: TestCase): string {
  const names = [test.name];
  for (let parent = test.parent; parent.type === 'suite'; parent = parent.parent) names.unshift(parent.name);
  return names.join(' ');
}

export function leftOutByFilter(test: TestCase, pattern: RegExp | undefined): boolean {
  return pattern !== undefined && test.result().state === 'skipped' && filterName(test).match(pattern) === null;
}
