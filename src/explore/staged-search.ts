/**
 * The default search: shallow schedules first, then the whole space.
 *
 * A reduced search explores the space depth first from the non-preemptive
 * schedule, so a bug that needs one early preemption can come late in a big
 * space. Most concurrency bugs need few preemptions (Musuvathi and Qadeer,
 * PLDI 2007), so the default first runs every schedule with at most 0, then 1,
 * then 2 preemptions (iterative context bounding, each stage within a budget
 * of schedules), and then optimal DPOR over everything. Every stage reports
 * what it covered, so a search a limit stopped says exactly how far it got.
 */
import type { Chooser, Kernel, RunOutcome } from '../kernel/kernel.js';
import { PreemptionBoundedSearch } from './exhaustive.js';
import { OptimalDpor } from './optimal-dpor.js';
import type { Strategy } from './strategy.js';

/** What one stage of a search covered. */
export interface StageCoverage {
  /** `every schedule with ≤ 1 preemption`, `every class of schedules (DPOR)`. */
  readonly what: string;
  /** Schedules it counted. */
  schedules: number;
  /** Whether it covered all of what it says (false: its budget or a limit stopped it). */
  complete: boolean;
}

interface Stage {
  readonly strategy: Strategy;
  /** Counted schedules after which the stage gives way to the next (Infinity: none). */
  readonly budget: number;
  readonly coverage: StageCoverage;
}

export class StagedSearch implements Strategy {
  readonly name: string;
  readonly exhaustive = true;
  private readonly stages: Stage[];
  private current = 0;

  /** `bounds`: the preemption bounds to try first; `budget`: schedules each of those stages may count; `dpor`: the last stage. */
  constructor(bounds: readonly number[], budget: number, dpor: OptimalDpor) {
    this.stages = [
      ...bounds.map((b) => ({
        strategy: new PreemptionBoundedSearch(b, b),
        budget,
        coverage: { what: `every schedule with ≤ ${b} preemption${b === 1 ? '' : 's'}`, schedules: 0, complete: false },
      })),
      { strategy: dpor, budget: Infinity, coverage: { what: 'every class of schedules (DPOR)', schedules: 0, complete: false } },
    ];
    this.name = 'default';
  }

  /** What each stage covered so far. */
  coverage(): StageCoverage[] {
    return this.stages.map((s) => ({ ...s.coverage }));
  }

  /** The reduction's statistics (its last stage). */
  get dpor(): OptimalDpor {
    return this.stages[this.stages.length - 1]!.strategy as OptimalDpor;
  }

  private get stage(): Stage {
    return this.stages[this.current]!;
  }

  get chooser(): Chooser {
    return this.stage.strategy.chooser;
  }

  beginRun(): boolean {
    for (;;) {
      const stage = this.stage;
      if (stage.coverage.schedules < stage.budget && stage.strategy.beginRun()) return true;
      if (stage.coverage.schedules < stage.budget) stage.coverage.complete = true;
      if (this.current === this.stages.length - 1) return false;
      this.current++;
    }
  }

  runCounts(): boolean {
    return this.stage.strategy.runCounts();
  }

  runOrder(): number[] {
    return [this.current, ...this.stage.strategy.runOrder()];
  }

  endRun(outcome: RunOutcome, kernel: Kernel): void {
    if (outcome.kind !== 'pruned' && this.runCounts()) this.stage.coverage.schedules++;
    this.stage.strategy.endRun(outcome, kernel);
  }
}
