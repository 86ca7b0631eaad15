/**
 * The reference the explorer is checked against: every schedule of a
 * scenario, with no reduction at all. Depth-first over every runnable task at
 * every decision; each schedule re-executes the scenario from scratch,
 * replaying the prefix of choices that leads to it. Deliberately simple, and
 * sharing no code with the explorer's strategies.
 *
 * Besides what the runs end in (the failure signatures and final states), it
 * counts the equivalence classes of the maximal runs (trace-class.ts): the
 * number of schedules an optimal reduction must run.
 */
import { KemuError, type Kernel, type RunOutcome } from '../../src/kernel/index.js';
import type { Scenario } from '../../src/explore/run-schedule.js';
import { recordedRun, scheduleText } from './recorded-run.js';
import { traceKey, type Step } from './trace-class.js';

export interface EnumerateOptions {
  /** Stop after this many schedules: the enumeration then is not exhausted, and says nothing. */
  readonly cap: number;
  /** What a run ended in (a final-state key); called right after each run. */
  readonly finalState: (kernel: Kernel, outcome: RunOutcome) => string;
  /** Sees the steps of each run, for a class key of the caller's own. */
  readonly onRun?: (steps: readonly Step[]) => void;
}

export interface Enumeration {
  /** Schedules run (each a maximal run). */
  schedules: number;
  /** Every schedule was run (the cap was not reached). */
  exhausted: boolean;
  /** The signature of every report of every run. */
  readonly failures: Set<string>;
  /** Each final state, with the first schedule that reached it. */
  readonly finalStates: Map<string, string>;
  /** Each equivalence class of maximal runs (its traceKey), with the first schedule in it. */
  readonly classes: Map<string, string>;
}

export async function enumerate(scenario: Scenario, options: EnumerateOptions): Promise<Enumeration> {
  const result: Enumeration = { schedules: 0, exhausted: false, failures: new Set(), finalStates: new Map(), classes: new Map() };
  // The current schedule: the index chosen at each decision, and how many tasks could run there.
  const choices: number[] = [];
  const widths: number[] = [];
  for (;;) {
    const run = await recordedRun(scenario, (enabled, decision) => {
      if (decision === choices.length) {
        choices.push(0);
        widths.push(enabled.length);
      } else if (widths[decision] !== enabled.length) {
        throw new KemuError('replay-mismatch',
          `the scenario is not deterministic: at decision ${decision + 1} of a replayed prefix ${enabled.length} tasks can run, before ${widths[decision]}`);
      }
      return enabled[choices[decision]!]!;
    });
    result.schedules++;
    for (const report of run.kernel.reports) result.failures.add(report.signature);
    const state = options.finalState(run.kernel, run.outcome);
    options.onRun?.(run.steps);
    const key = traceKey(run.steps);
    if (!result.finalStates.has(state) || !result.classes.has(key)) {
      const schedule = scheduleText(run.steps.map((s) => s.task));
      if (!result.finalStates.has(state)) result.finalStates.set(state, schedule);
      if (!result.classes.has(key)) result.classes.set(key, schedule);
    }
    // Backtrack: the deepest decision with an untried task gets its next one.
    let d = choices.length - 1;
    while (d >= 0 && choices[d]! + 1 >= widths[d]!) d--;
    if (d < 0) {
      result.exhausted = true;
      return result;
    }
    if (result.schedules >= options.cap) return result;
    choices.length = widths.length = d + 1;
    choices[d]!++;
  }
}
