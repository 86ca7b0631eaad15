/**
 * Names of a program's tasks: the top-level tasks are t1…tn in order, and the
 * children their spawn operations start come after them, t(n+1)…: first the
 * children of t1, t2, … in the order their spawns appear, then theirs. Names
 * are fixed by the program text, not by which spawn runs first, so every run
 * names the same task the same way.
 */
import { bodyOf, type Op, type Program, type TaskProgram } from './program.js';

export interface TaskName {
  readonly name: string;
  /** The task whose spawn starts it; null for a top-level task. */
  readonly parent: TaskProgram | null;
}

function children(ops: readonly Op[], parent: TaskProgram, into: [TaskProgram, TaskProgram | null][]): void {
  for (const op of ops) {
    if (op.kind === 'spawn') into.push([op.child, parent]);
    children(bodyOf(op), parent, into);
  }
}

/** Every task of the program with its name, in name order. */
export function taskNames(program: Program): Map<TaskProgram, TaskName> {
  const order: [TaskProgram, TaskProgram | null][] = program.tasks.map((task) => [task, null]);
  for (let i = 0; i < order.length; i++) children(order[i]![0].ops, order[i]![0], order);
  return new Map(order.map(([task, parent], i) => [task, { name: `t${i + 1}`, parent }]));
}
