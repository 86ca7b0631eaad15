/**
 * Systematic exploration of the tree of scheduling decisions, statelessly: each
 * run re-executes the scenario from the start, replays the prefix of decisions
 * that leads to the branch being explored, then extends it with default
 * choices (keep running the current task, else the lowest pid), so the first
 * schedules explored are the ones with fewest preemptions.
 *
 * Subclasses decide which alternatives each decision point has: all of them
 * (unreduced), or those within a preemption bound. (Partial-order reduction
 * is optimal-dpor.ts, which keeps its own tree.)
 */
import { KemuError } from '../kernel/errors.js';
import type { Chooser, Kernel, RunOutcome } from '../kernel/kernel.js';
import type { Task } from '../kernel/sched/task.js';
import { LeafOwnership, SPLIT_WEIGHT, type LeafCounts } from './split.js';
import type { Shard, Strategy } from './strategy.js';

export interface TreeNode {
  /** Pids of the tasks that could run at this decision. */
  readonly enabled: number[];
  /** Pid that ran the previous step, or 0. */
  readonly prev: number;
  /** Pid chosen here in the current run. */
  chosen: number;
  /** Pids still to explore here (the backtrack set). */
  readonly backtrack: number[];
  /** Pids explored here so far, the current one included. */
  readonly done: number[];
  /** Preemptions spent on the way to this decision. */
  readonly preemptionsBefore: number;
  /** The product of the runnable counts of the decisions above (split.ts: below SPLIT_WEIGHT, the decision is in the tree's top). */
  readonly weight: number;
}

export abstract class TreeSearch implements Strategy, Chooser {
  abstract readonly name: string;
  readonly exhaustive = true;
  protected readonly nodes: TreeNode[] = [];
  /** Index of the next decision in the current run. */
  protected depth = 0;
  private started = false;
  private ownership = new LeafOwnership(null);
  private splitWeight = SPLIT_WEIGHT;
  /** Ordinal of the current run's leaf (its decisions in the tree's top, split.ts), and the run's place within it. */
  private prefixOrdinal = 0;
  private runInPrefix = 0;
  /** Whether this part of the search owns the current leaf. */
  private owned = true;

  /** Explores only the leaves of the tree's top this shard owns (split.ts; `splitWeight` where the top ends). */
  shardBy(shard: Shard, splitWeight = SPLIT_WEIGHT): this {
    this.ownership = new LeafOwnership(shard);
    this.splitWeight = splitWeight;
    return this;
  }

  /** Whether the current run counts: it is this shard's, and the subclass has not counted its schedule already. */
  runCounts(): boolean {
    return this.owned && this.countsRun();
  }

  /** Whether the run just made is one this search has not counted before (a bounded search re-runs smaller bounds). */
  protected countsRun(): boolean {
    return true;
  }

  /** Preemptions in the current run's schedule. */
  protected runPreemptions(): number {
    const last = this.nodes[this.depth - 1];
    return last ? last.preemptionsBefore + this.preemptionCost(last, last.chosen) : 0;
  }

  leafCounts(): LeafCounts | null {
    return this.ownership.counts();
  }

  /** Where the current run comes in the single-threaded order: [prefix ordinal, run within the prefix]. */
  runOrder(): number[] {
    return [this.prefixOrdinal, this.runInPrefix];
  }

  get chooser(): Chooser {
    return this;
  }

  beginRun(): boolean {
    this.depth = 0;
    if (!this.started) {
      this.started = true;
      this.owned = this.ownership.owns(this.prefixOrdinal);
      return true;
    }
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i]!;
      const top = node.weight < this.splitWeight;
      if (!top && !this.owned) continue;
      const next = this.nextAlternative(node);
      if (next !== undefined) {
        node.chosen = next;
        node.done.push(next);
        this.nodes.length = i + 1;
        this.nextRun(top);
        return true;
      }
    }
    this.nodes.length = 0;
    this.nextRun(true);
    return this.treeExhausted();
  }

  private nextRun(newPrefix: boolean): void {
    if (newPrefix) {
      this.prefixOrdinal++;
      this.runInPrefix = 0;
      this.owned = this.ownership.owns(this.prefixOrdinal);
    } else {
      this.runInPrefix++;
    }
  }

  endRun(_outcome: RunOutcome, _kernel: Kernel): void {}

  choose(enabled: readonly Task[], kernel: Kernel): Task {
    const d = this.depth++;
    if (d < this.nodes.length) {
      const pid = this.nodes[d]!.chosen;
      const task = enabled.find((t) => t.pid === pid);
      if (!task) {
        throw new KemuError('bad-usage',
          `the scenario is not deterministic: at step ${d + 1} task pid ${pid} ran in an earlier run but cannot run now ` +
          `(runnable: ${enabled.map((t) => t.label).join(', ')}); remove wall-clock time, Math.random and I/O from it`);
      }
      return task;
    }
    const parent = this.nodes[d - 1];
    const prev = kernel.running?.pid ?? 0;
    const node: TreeNode = {
      enabled: enabled.map((t) => t.pid), prev, chosen: 0, backtrack: [], done: [],
      preemptionsBefore: parent ? parent.preemptionsBefore + this.preemptionCost(parent, parent.chosen) : 0,
      weight: parent ? parent.weight * parent.enabled.length : 1,
    };
    const first = node.enabled.includes(prev) ? prev : node.enabled[0]!;
    node.chosen = first;
    node.done.push(first);
    this.initialAlternatives(node);
    this.nodes.push(node);
    return enabled.find((t) => t.pid === first)!;
  }

  /** 1 if choosing `pid` at `node` preempts a task that could have gone on. */
  protected preemptionCost(node: TreeNode, pid: number): number {
    return node.prev !== 0 && pid !== node.prev && node.enabled.includes(node.prev) ? 1 : 0;
  }

  /** Fills the new node's backtrack set with the alternatives it has from the start. */
  protected abstract initialAlternatives(node: TreeNode): void;

  /** Whether `pid` may be explored at `node`. */
  protected allowed(_node: TreeNode, _pid: number): boolean {
    return true;
  }

  /** The whole tree is explored: start another (true) or stop (false). */
  protected treeExhausted(): boolean {
    return false;
  }

  private nextAlternative(node: TreeNode): number | undefined {
    for (const pid of node.backtrack) {
      if (!node.done.includes(pid) && this.allowed(node, pid)) return pid;
    }
    return undefined;
  }
}
