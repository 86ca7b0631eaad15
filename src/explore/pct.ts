/**
 * Probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi and
 * Nagarakatte, ASPLOS 2010). Each run gives the tasks random distinct
 * priorities and picks d-1 random change points among the first k steps; the
 * highest-priority runnable task always runs, and at the i-th change point the
 * running task drops to priority i (below every initial one). For a program of
 * at most n tasks and k steps, one run finds any given bug of depth d with
 * probability at least 1 / (n * k^(d-1)).
 *
 * The guarantee needs k before the first change point is drawn, and holds
 * only for runs no longer than k. So the first CALIBRATION_RUNS runs are plain
 * random walks that measure how long runs get (every shard makes them alike);
 * k is twice the longest of them. Runs longer than k still run and still find
 * what they find, but the printed bound does not count them, and says so.
 */
import type { Kernel, RunOutcome } from '../kernel/kernel.js';
import type { Task } from '../kernel/sched/task.js';
import { SeededRuns } from './seeded-runs.js';

/** Random walks that measure run length before the change points can be drawn. */
export const CALIBRATION_RUNS = 16;

export interface PctBound {
  depth: number;
  /** n: most tasks seen in one run. */
  tasks: number;
  /** k: the steps change points were drawn over (twice the longest calibration run). */
  steps: number;
  /** PCT runs no longer than k: the ones the bound speaks for. */
  runs: number;
  /** PCT runs longer than k (their bugs past step k are not covered by the bound). */
  longer: number;
  /** Lower bound on the chance one run finds a given bug of this depth. */
  perRun: number;
  /** Lower bound on the chance the runs counted found it: 1 - (1 - perRun)^runs. */
  overall: number;
}

/** What the bound depends on, as plain data shards can merge. */
export interface PctStats {
  depth: number;
  tasks: number;
  steps: number;
  runs: number;
  longer: number;
}

export class PctSearch extends SeededRuns {
  readonly name: string;
  private readonly priorities = new Map<number, number>();
  private changePoints: number[] = [];
  private maxTasks = 1;
  private longestCalibration = 1;
  private coveredRuns = 0;
  private longerRuns = 0;

  constructor(private readonly depth: number, seed: number, runs: number) {
    super(seed, runs);
    this.name = `pct(d=${depth}, seed=${seed})`;
  }

  /** k: the steps change points are drawn over. */
  private get k(): number {
    return 2 * this.longestCalibration;
  }

  private calibrating(): boolean {
    return this.run < CALIBRATION_RUNS;
  }

  /** Every shard makes the calibration runs, so all agree on k. */
  protected override mustRun(n: number): boolean {
    return n < CALIBRATION_RUNS || super.mustRun(n);
  }

  protected override prepareRun(): void {
    this.priorities.clear();
    this.changePoints = [];
    if (this.calibrating()) return;
    for (let i = 0; i < this.depth - 1; i++) this.changePoints.push(1 + this.rng.below(this.k));
  }

  choose(enabled: readonly Task[], kernel: Kernel): Task {
    if (this.calibrating()) return enabled[this.rng.below(enabled.length)]!;
    for (const task of enabled) {
      // A task seen for the first time gets a random priority above every change-point priority.
      if (!this.priorities.has(task.uid)) this.priorities.set(task.uid, this.depth + 1 + this.rng.next() / 2 ** 32);
    }
    let best = this.highest(enabled);
    const change = this.changePoints.indexOf(kernel.stepCount + 1);
    if (change >= 0) {
      this.priorities.set(best.uid, change + 1);
      best = this.highest(enabled);
    }
    return best;
  }

  private highest(enabled: readonly Task[]): Task {
    let best = enabled[0]!;
    for (const task of enabled) if (this.priorities.get(task.uid)! > this.priorities.get(best.uid)!) best = task;
    return best;
  }

  override endRun(_outcome: RunOutcome, kernel: Kernel): void {
    if (this.calibrating()) this.longestCalibration = Math.max(this.longestCalibration, kernel.stepCount);
    if (!this.runCounts()) return;
    this.maxTasks = Math.max(this.maxTasks, kernel.tasks.length);
    if (this.calibrating()) return;
    if (kernel.stepCount <= this.k) this.coveredRuns++;
    else this.longerRuns++;
  }

  /** What the probability bound depends on, as seen in the runs counted so far. */
  stats(): PctStats {
    return { depth: this.depth, tasks: this.maxTasks, steps: this.k, runs: this.coveredRuns, longer: this.longerRuns };
  }
}

/** PCT's guarantee for the runs of `stats`. */
export function pctBound(stats: PctStats): PctBound {
  const perRun = 1 / (stats.tasks * stats.steps ** (stats.depth - 1));
  return { ...stats, perRun, overall: 1 - (1 - perRun) ** stats.runs };
}

/** The stats of one search from the stats of its shards (they all drew over the same k). */
export function mergePctStats(parts: readonly PctStats[]): PctStats {
  return {
    depth: parts[0]!.depth,
    tasks: Math.max(...parts.map((p) => p.tasks)),
    steps: parts[0]!.steps,
    runs: parts.reduce((n, p) => n + p.runs, 0),
    longer: parts.reduce((n, p) => n + p.longer, 0),
  };
}
