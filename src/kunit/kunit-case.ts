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
import { test, type TestContext } from 'vitest';
import { KunitTest } from './kunit-test.js';

type CaseFn<P> = (test: KunitTest<P>) => unknown | Promise<unknown>;

async function runCase<P>(name: string, param: P, fn: CaseFn<P>, vitest: TestContext): Promise<void> {
  // test.log() lines become vitest annotations, which reporters (KTAP among them) show with the result.
  const notes: Promise<unknown>[] = [];
  const ctx = new KunitTest(name, param, (line) => void notes.push(vitest.annotate(line, 'log')));
  let failure: unknown = null;
  try {
    await fn(ctx);
  } catch (error) {
    failure = error;
  }
  await Promise.all(notes);
  const cleanupErrors = await ctx.runActions();
  if (failure !== null) throw failure;
  if (cleanupErrors.length > 0) {
    throw new AggregateError(cleanupErrors, `${cleanupErrors.length} cleanup action(s) of "${name}" failed`);
  }
}

export function kunitTest(name: string, fn: CaseFn<undefined>, timeout?: number): void {
  test(name, (context) => runCase(name, undefined, fn, context), timeout);
}

/** One case per parameter; `describe` names each (default: String(param)). */
kunitTest.each = <P>(params: readonly P[], describe: (param: P) => string = String) =>
  (name: string, fn: CaseFn<P>, timeout?: number): void => {
    for (const param of params) {
      const caseName = `${name} [${describe(param)}]`;
      test(caseName, (context) => runCase(caseName, param, fn, context), timeout);
    }
  };
