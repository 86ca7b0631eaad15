/**
 * The final state of a run of a generated program, as one line that is both
 * its identity in a set and what a person reads in a mismatch:
 *
 *   x=1 y=0 dma0=0 dma1=0 status=3 doorbell=0 | m0:t2 comp.done=0 | t1 [0,1] done; t2 [1] blocked at 2: mutex_lock(m1) | hung-task:m1
 *
 * the value of every word; the locks still held and by whom, and the
 * completion's count (its `done` field); each task's recorded results and where it stopped
 * (done, killed by an oops, blocked at an operation, or never spawned); and
 * the signatures of every report the run raised.
 */
import type { Kernel } from '../../src/kernel/index.js';
import { COMPLETE_ALL } from '../../src/kernel/locking/completion.js';
import { describeOp } from '../../src/kernel/sched/describe.js';
import type { RunState, TaskRecord } from './interpret.js';

function stopped(record: TaskRecord): string {
  const task = record.task;
  if (task === null) return 'never spawned';
  switch (task.state) {
    case 'done': return 'done';
    case 'dead': return 'killed';
    case 'ready': return `blocked at ${record.at || 'its start'}: ${describeOp(task.pending)}`;
  }
}

export function finalState(state: RunState, kernel: Kernel): string {
  const words = [...state.words].map(([name, cell]) => `${name}=${cell.value}`).join(' ');
  const held = [...state.mutexes, ...state.spinlocks].filter((l) => l.owner !== null).map((l) => `${l.name}:${l.owner!.comm}`);
  const done = state.comp.done === COMPLETE_ALL ? 'all' : String(state.comp.done);
  const tasks = state.tasks.map((t) => `${t.comm} [${t.results.join(',')}] ${stopped(t)}`).join('; ');
  const reports = [...new Set(kernel.reports.map((r) => r.signature))].sort().join(',') || 'no report';
  return `${words} | ${[...held, `comp.done=${done}`].join(' ')} | ${tasks} | ${reports}`;
}

/** How a final state reads, for the mismatch report. */
export const FINAL_STATE_LEGEND = 'words | locks held (lock:owner) and the completion\'s count | each task: [what it recorded] where it stopped | reports';
