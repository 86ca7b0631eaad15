/**
 * Exhaustive search without reduction: every runnable task is an alternative at
 * every decision. The reference the reduced search is checked against.
 */
import { TreeSearch, type TreeNode } from './tree-search.js';

export class ExhaustiveSearch extends TreeSearch {
  readonly name: string = 'exhaustive';

  protected initialAlternatives(node: TreeNode): void {
    node.backtrack.push(...node.enabled);
  }
}

/**
 * Iterative context bounding (Musuvathi and Qadeer, CHESS): exhaustive search
 * over the schedules with at most `bound` preemptions, for bound 0, 1, … up to
 * the limit. Bugs that need few preemptions are found first, and with them the
 * simplest schedule that shows each. Each bound walks the tree again; a
 * schedule is counted at the bound equal to its preemptions, so once.
 */
export class PreemptionBoundedSearch extends ExhaustiveSearch {
  override readonly name: string;
  private bound: number;

  /** Bounds `firstBound` (default 0) to `maxBound`; a search that starts above 0 counts only the schedules at its bounds. */
  constructor(private readonly maxBound: number, firstBound = 0) {
    super();
    this.bound = firstBound;
    this.name = `bounded(preemptions<=${maxBound})`;
  }

  get currentBound(): number {
    return this.bound;
  }

  protected override allowed(node: TreeNode, pid: number): boolean {
    return node.preemptionsBefore + this.preemptionCost(node, pid) <= this.bound;
  }

  protected override countsRun(): boolean {
    return this.runPreemptions() === this.bound;
  }

  protected override treeExhausted(): boolean {
    if (this.bound >= this.maxBound) return false;
    this.bound++;
    return true;
  }
}
