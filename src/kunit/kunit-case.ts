/**
 * KUnit-style cases on vitest. `kunitTest(name, fn)` gives `fn` a KunitTest
 * context and runs its cleanup actions whatever happens; `kunitTest.each`
 * makes one case per parameter (KUNIT_CASE_PARAM / KUNIT_ARRAY_PARAM), each
 * named by its description, e.g. one per kernel variant or board.
 *
 * EXPECT vs ASSERT are vitest's own: `expect.soft(...)` records a failure and
 * goes on, `expect(...)` stops the case. The matchers in matchers.ts work with
 * both.
 */
import { test } from 'vitest';
import { KunitTest } from './kunit-test.js';

type CaseFn<P> = (test: KunitTest<P>) => unknown | Promise<unknown>;

async function runCase<P>(name: string, param: P, fn: CaseFn<P>): Promise<void> {
  const ctx = new KunitTest(name, param);
  let failure: unknown = null;
  try {
    await fn(ctx);
  } catch (error) {
    failure = error;
  }
  const cleanupErrors = await ctx.runActions();
  if (failure !== null) throw failure;
  if (cleanupErrors.length > 0) {
    throw new AggregateError(cleanupErrors, `${cleanupErrors.length} cleanup action(s) of "${name}" failed`);
  }
}

export function kunitTest(name: string, fn: CaseFn<undefined>, timeout?: number): void {
  test(name, () => runCase(name, undefined, fn), timeout);
}

/** One case per parameter; `describe` names each (default: String(param)). */
kunitTest.each = <P>(params: readonly P[], describe: (param: P) => string = String) =>
  (name: string, fn: CaseFn<P>, timeout?: number): void => {
    for (const param of params) {
      const caseName = `${name} [${describe(param)}]`;
      test(caseName, () => runCase(caseName, param, fn), timeout);
    }
  };
