/**
 * A program as a kernel developer reads it: one block per task, one line per
 * operation, numbered by the path final states use (`blocked at 2.1` is the
 * first operation in the body of the task's second).
 *
 *   t1 (cpu 1):
 *     1     r = READ_ONCE(x)
 *     2     mutex_lock(m0)
 *     2.1     y = 1   (plain store)
 *           mutex_unlock(m0)
 *     3     WARN_ON(r == 1)
 */
import { bodyOf, type Op, type Program } from './program.js';
import { taskNames, type TaskName } from './task-names.js';

const NUMBER_WIDTH = 6;

type Names = ReadonlyMap<unknown, TaskName>;

/** The lines an operation opens with, and the line that closes its section, if it has one. */
function statement(op: Op, names: Names): { open: string[]; close?: string } {
  switch (op.kind) {
    case 'read': return { open: [`r = READ_ONCE(${op.loc})`] };
    case 'write': return { open: [`WRITE_ONCE(${op.loc}, ${op.value})`] };
    case 'inc': return { open: [`r = atomic_inc_return(${op.loc})`] };
    case 'xchg': return { open: [`r = atomic_xchg(${op.loc}, ${op.value})`] };
    case 'cmpxchg': return { open: [`r = atomic_cmpxchg(${op.loc}, ${op.expected}, ${op.value})`] };
    case 'get': return { open: [`r = ${op.loc}   (plain load)`] };
    case 'set': return { open: [`${op.loc} = ${op.value}   (plain store)`] };
    case 'mutex': return { open: [`mutex_lock(m${op.lock})`], close: `mutex_unlock(m${op.lock})` };
    case 'trylock': return { open: [`if ((r = mutex_trylock(m${op.lock}))) {`], close: `mutex_unlock(m${op.lock}) }` };
    case 'is_locked': return { open: [`r = mutex_is_locked(m${op.lock})`] };
    case 'spin': return op.irqsave
      ? { open: [`raw_spin_lock_irqsave(s${op.lock}, flags)`], close: `raw_spin_unlock_irqrestore(s${op.lock}, flags)` }
      : { open: [`raw_spin_lock(s${op.lock})`], close: `raw_spin_unlock(s${op.lock})` };
    case 'complete': return { open: [op.all ? 'complete_all(&comp)' : 'complete(&comp)'] };
    case 'wait': return { open: ['wait_for_completion(&comp)'] };
    case 'await': return { open: [`spin_begin(); while (READ_ONCE(${op.loc}) != ${op.value}) cpu_relax()`] };
    case 'qi_await': return {
      open: [
        `raw_spin_lock_irqsave(s${op.lock}, flags); spin_begin()`,
        `while (READ_ONCE(${op.loc}) != ${op.value}) { raw_spin_unlock_irqrestore(s${op.lock}, flags); cpu_relax(); raw_spin_lock_irqsave(s${op.lock}, flags) }`,
        `raw_spin_unlock_irqrestore(s${op.lock}, flags)`,
      ],
    };
    case 'readl': return { open: [`r = readl(${op.reg})`] };
    case 'writel': return { open: [`writel(${op.reg}, ${op.value})   (${op.reg === 'status' ? 'write 1 to clear' : 'rings the device: dma0 = value'})`] };
    case 'spawn': return { open: [`kthread_run(${names.get(op.child)!.name})`] };
    case 'warn': return { open: [`WARN_ON(r == ${op.equals})`] };
    case 'bug': return { open: [`BUG_ON(r == ${op.equals})`] };
  }
}

function block(ops: readonly Op[], path: string, depth: number, names: Names, out: string[]): void {
  ops.forEach((op, i) => {
    const at = path === '' ? `${i + 1}` : `${path}.${i + 1}`;
    const indent = '  '.repeat(depth);
    const { open, close } = statement(op, names);
    open.forEach((line, n) => out.push(`  ${(n === 0 ? at : '').padEnd(NUMBER_WIDTH)}${indent}${line}`));
    block(bodyOf(op), at, depth + 1, names, out);
    if (close !== undefined) out.push(`  ${''.padEnd(NUMBER_WIDTH)}${indent}${close}`);
  });
}

/** The program as numbered pseudo-code, one block per task, children after the tasks that spawn them. */
export function pseudoCode(program: Program): string {
  const names = taskNames(program);
  const out: string[] = [];
  for (const [task, { name, parent }] of names) {
    const notes = [
      parent ? `spawned by ${names.get(parent)!.name}` : null, task.cpu !== undefined ? `cpu ${task.cpu}` : null,
      task.twinOf !== undefined ? `twin of t${task.twinOf + 1}` : null,
    ].filter((n) => n !== null);
    out.push(`${name}${notes.length ? ` (${notes.join(', ')})` : ''}:`);
    block(task.ops, '', 0, names, out);
  }
  return out.join('\n');
}
