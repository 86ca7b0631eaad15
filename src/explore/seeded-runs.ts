/**
 * What the randomised strategies share: numbered runs, run `i` seeded from
 * `seed` and `i` together (Rng.forRun), and sharding by run number, so the
 * runs of `count` shards are exactly the runs of one exploration.
 */
import type { Chooser, Kernel, RunOutcome } from '../kernel/kernel.js';
import type { Task } from '../kernel/sched/task.js';
import { Rng } from './rng.js';
import type { Shard, Strategy } from './strategy.js';

export abstract class SeededRuns implements Strategy, Chooser {
  abstract readonly name: string;
  readonly exhaustive = false;
  protected rng: Rng;
  /** Number of the run in progress (0-based). */
  protected run = -1;
  private shard: Shard | null = null;

  constructor(protected readonly seed: number, private readonly runs: number) {
    this.rng = new Rng(seed);
  }

  get chooser(): Chooser {
    return this;
  }

  shardBy(shard: Shard): this {
    this.shard = shard;
    return this;
  }

  beginRun(): boolean {
    do this.run++;
    while (this.run < this.runs && !this.mustRun(this.run));
    if (this.run >= this.runs) return false;
    this.rng = Rng.forRun(this.seed, this.run);
    this.prepareRun();
    return true;
  }

  runCounts(): boolean {
    return this.shard === null || this.run % this.shard.count === this.shard.index;
  }

  runOrder(): number[] {
    return [this.run];
  }

  /** Whether this shard executes run `n` (its own runs, plus any the strategy needs everywhere). */
  protected mustRun(n: number): boolean {
    return this.shard === null || n % this.shard.count === this.shard.index;
  }

  protected prepareRun(): void {}

  abstract choose(enabled: readonly Task[], kernel: Kernel): Task;

  endRun(_outcome: RunOutcome, _kernel: Kernel): void {}
}
