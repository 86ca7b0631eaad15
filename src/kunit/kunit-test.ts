/**
 * The per-test context, as KUnit's `struct kunit`: the test's name and
 * parameter, a log, deferred cleanup actions that run last-in first-out even
 * when the test fails (kunit_add_action), static stubs active for this test
 * only (kunit_activate_static_stub), and the fault plan its explorations use.
 */
import { activateStaticStub, deactivateStaticStub } from '../kernel/static-stub.js';
import type { FaultPlan } from '../kernel/fault-inject.js';
import { explore, type ExploreOptions } from '../explore/explore.js';
import type { ExploreResult } from '../explore/result.js';
import type { Scenario } from '../explore/run-schedule.js';

type Action = () => unknown | Promise<unknown>;

export class KunitTest<P = undefined> {
  /** Free for fixtures (KUnit's test->priv). */
  priv: unknown = undefined;
  readonly logLines: string[] = [];
  private readonly actions: Action[] = [];
  private faults: Record<string, number | readonly number[]> = {};

  /** `report` shows a log line with the test's result (kunit-case.ts passes vitest's annotate). */
  constructor(readonly name: string, readonly param: P, private readonly report: (line: string) => void = () => {}) {}

  /** kunit_info(): a diagnostic line, shown with the test's result (in KTAP, as `# name: line`). */
  log(line: string): void {
    this.logLines.push(line);
    this.report(line);
  }

  /** kunit_add_action(): run `action` when the test ends, after actions added later. */
  addAction(action: Action): void {
    this.actions.push(action);
  }

  /** kunit_add_action_or_reset(): as addAction, for a resource just acquired; returns it. */
  addActionOrReset<T>(resource: T, release: (resource: T) => unknown): T {
    this.addAction(() => release(resource));
    return resource;
  }

  /** kunit_activate_static_stub(): calls of `real` go to `replacement` until the test ends. */
  activateStaticStub<F extends (...args: never[]) => unknown>(real: F, replacement: F): void {
    activateStaticStub(real, replacement);
    this.addAction(() => deactivateStaticStub(real));
  }

  /** Makes the `nth` call (1-based) of should_fail(point) fail in this test's explorations. */
  failNth(point: string, nth: number | readonly number[]): void {
    this.faults = { ...this.faults, [point]: nth };
  }

  get faultPlan(): FaultPlan {
    return this.faults;
  }

  /** explore() with this test's fault plan. */
  explore(scenario: Scenario, options: ExploreOptions = {}): Promise<ExploreResult> {
    return explore(scenario, { ...options, faults: { ...this.faults, ...options.faults } });
  }

  /** Runs the deferred actions, newest first; every action runs even if one throws. Returns the errors. */
  async runActions(): Promise<unknown[]> {
    const errors: unknown[] = [];
    while (this.actions.length > 0) {
      try {
        await this.actions.pop()!();
      } catch (error) {
        errors.push(error);
      }
    }
    return errors;
  }
}
