/**
 * Seeded random scheduling: every decision picks a runnable task uniformly.
 * Run `i` uses seed `seed + i`, so any run can be reproduced from its token.
 */
import type { Chooser, Kernel, RunOutcome } from '../kernel/kernel.js';
import type { Task } from '../kernel/sched/task.js';
import { Rng } from './rng.js';
import type { Strategy } from './strategy.js';

export class RandomWalk implements Strategy, Chooser {
  readonly name: string;
  readonly exhaustive = false;
  private run = 0;
  private rng: Rng;

  constructor(private readonly seed: number, private readonly runs: number) {
    this.name = `random(seed=${seed})`;
    this.rng = new Rng(seed);
  }

  get chooser(): Chooser {
    return this;
  }

  beginRun(): boolean {
    if (this.run >= this.runs) return false;
    this.rng = new Rng(this.seed + this.run++);
    return true;
  }

  choose(enabled: readonly Task[], _kernel: Kernel): Task {
    return enabled[this.rng.below(enabled.length)]!;
  }

  endRun(_outcome: RunOutcome, _kernel: Kernel): void {}
}
