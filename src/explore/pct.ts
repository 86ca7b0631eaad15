/**
 * Probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi and
 * Nagarakatte, ASPLOS 2010). Each run gives the tasks random distinct
 * priorities and picks d-1 random change points among the first k steps; the
 * highest-priority runnable task always runs, and at the i-th change point the
 * running task drops to priority i (below every initial one). For a program of
 * n tasks and k steps, one run finds any given bug of depth d with probability
 * at least 1 / (n * k^(d-1)).
 */
import type { Chooser, Kernel, RunOutcome } from '../kernel/kernel.js';
import type { Task } from '../kernel/sched/task.js';
import { Rng } from './rng.js';
import type { Strategy } from './strategy.js';

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

export class PctSearch implements Strategy, Chooser {
  readonly name: string;
  readonly exhaustive = false;
  private run = 0;
  private rng: Rng;
  private readonly priorities = new Map<number, number>();
  private changePoints: number[] = [];
  private maxTasks = 1;
  private maxSteps: number;

  constructor(private readonly depth: number, private readonly seed: number, private readonly runs: number, stepsHint: number) {
    this.name = `pct(d=${depth}, seed=${seed})`;
    this.rng = new Rng(seed);
    this.maxSteps = Math.max(1, stepsHint);
  }

  get chooser(): Chooser {
    return this;
  }

  beginRun(): boolean {
    if (this.run >= this.runs) return false;
    this.rng = new Rng(this.seed + this.run++);
    this.priorities.clear();
    this.changePoints = [];
    for (let i = 0; i < this.depth - 1; i++) this.changePoints.push(1 + this.rng.below(this.maxSteps));
    return true;
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

  endRun(_outcome: RunOutcome, kernel: Kernel): void {
    this.maxTasks = Math.max(this.maxTasks, kernel.tasks.length);
    this.maxSteps = Math.max(this.maxSteps, kernel.stepCount);
  }

  bound(): PctBound {
    const perRun = 1 / (this.maxTasks * this.maxSteps ** (this.depth - 1));
    return { depth: this.depth, tasks: this.maxTasks, steps: this.maxSteps, perRun, overall: 1 - (1 - perRun) ** this.run };
  }
}
