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
 * simplest schedule that shows each.
 */
export class PreemptionBoundedSearch extends ExhaustiveSearch {
  override readonly name: string;
  private bound = 0;

  constructor(private readonly maxBound: number) {
    super();
    this.name = `bounded(preemptions<=${maxBound})`;
  }

  get currentBound(): number {
    return this.bound;
  }

  protected override allowed(node: TreeNode, pid: number): boolean {
    return node.preemptionsBefore + this.preemptionCost(node, pid) <= this.bound;
  }

  protected override treeExhausted(): boolean {
    if (this.bound >= this.maxBound) return false;
    this.bound++;
    return true;
  }
}
