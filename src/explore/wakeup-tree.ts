/**
 * Wakeup trees (Abdulla, Aronis, Jonsson and Sagonas, "Source Sets: A
 * Foundation for Optimal Dynamic Partial Order Reduction", JACM 64(4) 2017,
 * section 6; as implemented in Nidhugg's WakeupTrees.h and race_detect_optimal).
 *
 * A node stands for a state of the search; its children, in order, are the
 * next steps still to explore from it (the first one is being explored or
 * comes next), each followed by the sequence the search must take after it.
 * The current execution is the path of first children. Inserting a wakeup
 * sequence v (the reversal of a race) follows the first child that is a weak
 * initial of what is left of v and removes that step from v; it stops without
 * inserting when v runs out, when it reaches a leaf (an execution that will
 * cover v is already scheduled), or when a child's step is independent of all
 * of v (exploring that child covers v, which commutes with it); otherwise the
 * rest of v becomes a new last child.
 *
 * One case cannot be decided: v reaches, after other steps, the step of a
 * task whose tentative step is already a child here. Whether those other
 * steps commute with it is known only once it has run. The rest of v waits on
 * that child and is inserted again when the child runs, or when it is dropped
 * because it cannot run, before the search takes the next child.
 *
 * A node of the tree's top (split.ts) is expanded instead: all its runnable
 * tasks that are not asleep are its children from the start, as in a search
 * with sleep sets alone, and a sequence inserted there only follows the child
 * being explored. Every other child is a leaf that will be explored whole, and
 * a step no child takes is one of a task asleep, held back or blocked there,
 * which the search would cut; so the top is the same in every part of a split
 * search, whatever races each part reverses below it.
 */
import { footprintsConflict } from '../kernel/sched/access.js';

/**
 * A step of a wakeup sequence: a task and the footprint its step had where it
 * was seen. A step is `tentative` until it has run where the tree puts it: a
 * blocked task's step was never taken (its footprint is only its operation's),
 * and a reversed step that waits (a cpu_relax(), a completion wait) may not be
 * able to run there. A tentative step never counts as covering a sequence.
 */
export interface WakeupStep {
  /** The task's identity (Task.uid: the same task in every run). */
  readonly uid: number;
  readonly footprint: readonly number[];
  readonly tentative?: boolean;
}

export class WakeupNode {
  readonly children: WakeupNode[] = [];
  /** Sequences to insert again at this node's parent once its step has run (or is dropped). */
  deferred: WakeupStep[][] | null = null;
  /** Whether its children are all its free tasks (it is in the tree's top). */
  expanded = false;
  /** split.ts: the product of the child counts of the expanded nodes above, or Infinity below the top. */
  weight = Infinity;

  /** `footprint` is the step's when it has run; before, the sequence's (maybe partial) or none for a fresh choice. */
  constructor(readonly uid: number, public footprint: readonly number[], public tentative: boolean) {}

  /** Appends a fresh child (a step chosen by default, not by a wakeup sequence); its footprint comes when it runs. */
  addChild(uid: number): WakeupNode {
    const child = new WakeupNode(uid, [], true);
    this.children.push(child);
    return child;
  }

  /** The step ran: from now on its footprint is known whole. */
  ran(footprint: readonly number[]): void {
    this.footprint = footprint;
    this.tentative = false;
  }
}

const INCOMPATIBLE = -2;
const INDEPENDENT = -1;
const UNDECIDED = -3;

/**
 * Where `child`'s step appears in `v` as a weak initial (its index), INDEPENDENT
 * if its task does not appear and its step commutes with all of v, or
 * INCOMPATIBLE if a step of v before it (or any, when absent) conflicts with it.
 *
 * Both name the next step of one task from this node, so where one of them is
 * known whole (it ran here, or it is a step of v that is not tentative) that
 * footprint is the step's. When neither is, nothing before it in v may be
 * taken to commute with it; a tentative child never counts as independent,
 * and nothing is taken to commute with a tentative step of v.
 */
function weakInitial(child: WakeupNode, v: readonly WakeupStep[]): number {
  for (let i = 0; i < v.length; i++) {
    const step = v[i]!;
    if (step.uid === child.uid) {
      const footprint = !child.tentative ? child.footprint : !step.tentative ? step.footprint : null;
      if (footprint === null) return i === 0 ? 0 : UNDECIDED;
      for (let j = 0; j < i; j++) if (footprintsConflict(v[j]!.footprint, footprint)) return INCOMPATIBLE;
      return i;
    }
    // A tentative step of v may touch anything beyond its operation: it is not known to commute with the child.
    if (step.tentative || (!child.tentative && footprintsConflict(step.footprint, child.footprint))) return INCOMPATIBLE;
  }
  return child.tentative ? INCOMPATIBLE : INDEPENDENT;
}

/** Inserts wakeup sequence `v` under `node`; returns whether the tree grew. */
export function insertWakeupSequence(node: WakeupNode, v: WakeupStep[]): boolean {
  let at = node;
  let rest = v;
  descend: for (;;) {
    if (at.children.length === 0) return false;
    if (at.expanded) {
      // Only the child being explored has children; any other outcome inserts nothing here (see above).
      const current = at.children[0]!;
      const found = current.children.length > 0 ? weakInitial(current, rest) : INCOMPATIBLE;
      if (found < 0 || rest.length === 1) return false;
      rest = rest.slice(0, found).concat(rest.slice(found + 1));
      at = current;
      continue;
    }
    for (const child of at.children) {
      const found = weakInitial(child, rest);
      if (found === INCOMPATIBLE) continue;
      if (found === UNDECIDED) {
        (child.deferred ??= []).push(rest);
        return true;
      }
      if (found === INDEPENDENT) return false;
      if (rest.length === 1) return false;
      rest = rest.slice(0, found).concat(rest.slice(found + 1));
      at = child;
      continue descend;
    }
    for (const step of rest) at = appendChild(at, step);
    return true;
  }
}

function appendChild(parent: WakeupNode, step: WakeupStep): WakeupNode {
  const child = new WakeupNode(step.uid, step.footprint, step.tentative === true);
  parent.children.push(child);
  return child;
}
