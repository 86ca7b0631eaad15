/**
 * Seeded random scheduling: every decision picks a runnable task uniformly.
 * Run `i` uses seed `seed + i`, so any run can be reproduced from its token.
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
