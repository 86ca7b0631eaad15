/**
 * Probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi and
 * Nagarakatte, ASPLOS 2010). Each run gives the tasks random distinct
 * priorities and picks d-1 random change points among the first k steps; the
 * highest-priority runnable task always runs, and at the i-th change point the
 * running task drops to priority i (below every initial one). For a program of
 * n tasks and k steps, one run finds any given bug of depth d with probability
 * at least 1 / (n * k^(d-1)).
 */
import type { Kernel, RunOutcome } from '../kernel/kernel.js';
import type { Task } from '../kernel/sched/task.js';
import { SeededRuns } from './seeded-runs.js';

export interface PctBound {
  depth: number;
  /** Most tasks seen in one run. */
  tasks: number;
  /** Most steps seen in one run. */
  steps: number;
  /** Lower bound on the chance one run finds a given bug of this depth. */
  perRun: number;
  /** Lower bound on the chance the runs made so far found it: 1 - (1 - perRun)^runs. */
  overall: number;
}

export class PctSearch extends SeededRuns {
  readonly name: string;
  private readonly priorities = new Map<number, number>();
  private changePoints: number[] = [];
  private maxTasks = 1;
  private maxSteps = 1;
  /** k: change points are drawn from the first k steps; the length of run 0, which every shard runs. */
  private k: number;

  constructor(private readonly depth: number, seed: number, runs: number, stepsHint: number) {
    super(seed, runs);
    this.name = `pct(d=${depth}, seed=${seed})`;
    this.k = Math.max(1, stepsHint);
  }

  protected override mustRun(n: number): boolean {
    return n === 0 || super.mustRun(n);
  }

  protected override prepareRun(): void {
    this.priorities.clear();
    this.changePoints = [];
    for (let i = 0; i < this.depth - 1; i++) this.changePoints.push(1 + this.rng.below(this.k));
  }

  choose(enabled: readonly Task[], kernel: Kernel): Task {
    for (const task of enabled) {
      // A task seen for the first time gets a random priority above every change-point priority.
      if (!this.priorities.has(task.pid)) this.priorities.set(task.pid, this.depth + 1 + this.rng.next() / 2 ** 32);
    }
    let best = this.highest(enabled);
    const change = this.changePoints.indexOf(kernel.stepCount + 1);
    if (change >= 0) {
      this.priorities.set(best.pid, change + 1);
      best = this.highest(enabled);
    }
    return best;
  }

  private highest(enabled: readonly Task[]): Task {
    let best = enabled[0]!;
    for (const task of enabled) if (this.priorities.get(task.pid)! > this.priorities.get(best.pid)!) best = task;
    return best;
  }

  override endRun(_outcome: RunOutcome, kernel: Kernel): void {
    if (this.run === 0) this.k = Math.max(1, kernel.stepCount);
    if (!this.runCounts()) return;
    this.maxTasks = Math.max(this.maxTasks, kernel.tasks.length);
    this.maxSteps = Math.max(this.maxSteps, kernel.stepCount);
  }

  /** What the probability bound depends on, as seen in the runs counted so far. */
  stats(): { depth: number; tasks: number; steps: number } {
    return { depth: this.depth, tasks: this.maxTasks, steps: this.maxSteps };
  }
}

/** PCT's guarantee for `runs` runs of programs with at most `tasks` tasks and `steps` steps. */
export function pctBound(depth: number, tasks: number, steps: number, runs: number): PctBound {
  const perRun = 1 / (tasks * steps ** (depth - 1));
  return { depth, tasks, steps, perRun, overall: 1 - (1 - perRun) ** runs };
}
