/** Passing, failing (with a kemu report), skipped, logging and nested cases. */
import { describe, expect, test } from 'vitest';
import { kunitTest } from '../../../src/kunit/index.js';
import { abba } from '../../../src/examples/classic-scenarios.js';

describe('results', () => {
  test('passes', () => {
    expect(1 + 1).toBe(2);
  });

  kunitTest('finds no deadlock in ABBA (it does: the report, timeline and token are the diagnostics)', async (t) => {
    expect(await t.explore(abba)).toFindNoFailure();
  });

  test.skip('skipped on purpose', () => {});

  describe('nested', () => {
    kunitTest('logs with test.log()', (t) => {
      t.log('probing omap4 on v6.7');
      t.log('every schedule is clean');
    });
  });
});
