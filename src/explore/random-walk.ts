/**
 * Seeded random scheduling: every decision picks a runnable task uniformly.
 * Run `i`'s choices come from `seed` and `i` (Rng.forRun), so any run can be
 * reproduced from its token, and two seeds make different runs.
 */
import type { Kernel } from '../kernel/kernel.js';
import type { Task } from '../kernel/sched/task.js';
import { SeededRuns } from './seeded-runs.js';

export class RandomWalk extends SeededRuns {
  readonly name: string;

  constructor(seed: number, runs: number) {
    super(seed, runs);
    this.name = `random(seed=${seed})`;
  }

  choose(enabled: readonly Task[], _kernel: Kernel): Task {
    return enabled[this.rng.below(enabled.length)]!;
  }
}
