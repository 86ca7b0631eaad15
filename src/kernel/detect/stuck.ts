/**
 * What a run that can no longer move means. Called when live tasks remain and
 * none can take a step: tasks asleep on mutexes or completions are hung
 * (kernel/hung_task.c reports them); tasks spinning on a lock or polling memory
 * nothing will change are soft lockups (kernel/watchdog.c). Virtual time moves
 * to when the kernel's own detector would have printed the report.
 */
import { NSEC_PER_SEC } from '../clock.js';
import type { Kernel } from '../kernel.js';
import type { LockBase } from '../locking/lock-base.js';
import { OpKind } from '../sched/op.js';
import type { Task } from '../sched/task.js';
import type { KernelReport } from './report.js';
import { snapshotTask } from './snapshot.js';

/** hung_task_timeout_secs default (CONFIG_DEFAULT_HUNG_TASK_TIMEOUT). */
export const HUNG_TASK_TIMEOUT_SECS = 120;
/** watchdog_thresh default; a soft lockup is reported after twice this. */
export const WATCHDOG_THRESH_SECS = 10;
/** The watchdog hrtimer period: 2 * watchdog_thresh / 5. */
const WATCHDOG_SAMPLE_NS = ((2 * WATCHDOG_THRESH_SECS) / 5) * NSEC_PER_SEC;

function isSleepingWait(task: Task): boolean {
  return task.pending.kind === OpKind.MutexLock || task.pending.kind === OpKind.WaitCompletion;
}

function waitTarget(kernel: Kernel, task: Task): string {
  // A task that only waits for its CPU is starved where it happens to be; what it waits for is the CPU.
  if (task.cpuShared && kernel.cpuTakenFrom(task) && kernel.isEnabledIgnoringCpu(task)) return 'cpu';
  const obj = task.pending.obj as (LockBase & { lockClass?: { name: string } }) | null;
  if (!obj) return task.pending.kind === OpKind.CpuRelax ? 'cpu_relax' : 'cpu';
  return obj.lockClass?.name ?? obj.name;
}

/**
 * Where a set of stuck tasks is stuck, independent of which task it is and of
 * array indices (`desc_status[2]` and `desc_status[5]` are one place): two
 * schedules that hang the same code the same way share a signature.
 */
function location(parts: string[]): string {
  return [...new Set(parts.map((p) => p.replace(/\[\d+\]/g, '[]')))].sort().join('|');
}

export function detectStuck(kernel: Kernel): KernelReport {
  const live = kernel.tasks.filter((t) => t.state === 'ready' && !t.daemon);
  // Self-deadlocked tasks were reported when they blocked; the run ends on the first of those reports.
  const stuck = live.filter((t) => t.selfDeadlock === null);
  if (stuck.length === 0) return live[0]!.selfDeadlock!;
  const spinning = stuck.filter((t) => !isSleepingWait(t));
  const others = (main: Task) => kernel.tasks.filter((t) => t !== main && t.state === 'ready').map((t) => snapshotTask(kernel, t));

  if (spinning.length > 0) {
    const task = spinning[0]!;
    // The first watchdog sample at which the CPU has gone 2*thresh without scheduling.
    const touched = task.lastScheduled;
    const limit = touched + 2 * WATCHDOG_THRESH_SECS * NSEC_PER_SEC;
    const at = (Math.floor(limit / WATCHDOG_SAMPLE_NS) + 1) * WATCHDOG_SAMPLE_NS;
    kernel.clock.advanceTo(at);
    const snapshot = snapshotTask(kernel, task);
    const spinsOn = (t: Task, polls = snapshotTask(kernel, t).polls): string => polls?.map((p) => p.name).join(',') || waitTarget(kernel, t);
    const polls = spinsOn(task, snapshot.polls);
    return {
      kind: 'soft-lockup', fatal: true, ns: kernel.clock.ns, step: kernel.stepCount,
      // Every spinning task's part, so the signature does not depend on which of them has the lowest pid.
      signature: `soft-lockup:${location(spinning.map((t) => (t === task ? polls : spinsOn(t))))}`,
      title: `soft lockup: ${task.comm} spins forever in ${snapshot.at} on CPU#${task.cpu}`,
      task: snapshot, others: others(task), message: '', location: polls, chain: [],
      stuckSeconds: Math.floor((kernel.clock.ns - touched) / NSEC_PER_SEC),
    };
  }

  const task = stuck[0]!;
  const timeout = HUNG_TASK_TIMEOUT_SECS * NSEC_PER_SEC;
  // khungtaskd checks every timeout; it reports a task blocked for a whole timeout.
  kernel.clock.advanceTo(Math.ceil((task.pendingSince + timeout) / timeout) * timeout);
  return {
    kind: 'hung-task', fatal: true, ns: kernel.clock.ns, step: kernel.stepCount,
    signature: `hung-task:${location(stuck.map((t) => waitTarget(kernel, t)))}`,
    title: `hung task: ${stuck.map((t) => `${t.comm} blocked in ${snapshotTask(kernel, t).at}`).join('; ')}`,
    task: snapshotTask(kernel, task), others: others(task), message: '', location: waitTarget(kernel, task), chain: [],
    stuckSeconds: HUNG_TASK_TIMEOUT_SECS,
  };
}
