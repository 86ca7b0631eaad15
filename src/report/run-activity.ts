/**
 * What each task was doing between its steps, worked out from a captured
 * run for the drawn views (trace export, HTML page): the locks it held, when
 * it was blocked on a mutex or completion or spinning (on a spinlock, or in
 * cpu_relax() until a cell it polls changes), and the edges that explain why
 * it went on: an unlock that released the lock it then took, a hardware write
 * it then read. A run that ends stuck adds what each stuck task does forever.
 *
 * Positions are indices into `run.trace`: step i occupies [i, i + 1).
 */
import type { KernelReport, TaskSnapshot } from '../kernel/detect/report.js';
import type { TraceStep } from '../kernel/kernel.js';
import { OpKind } from '../kernel/sched/op.js';
import type { CapturedRun } from '../explore/result.js';

export interface HeldSpan {
  pid: number;
  lock: string;
  from: number;
  /** Index of the releasing step, or trace.length when still held at the end. */
  to: number;
}

export interface WaitSpan {
  pid: number;
  state: 'blocked' | 'spinning';
  /** `&lock_b`, `cpu_relax()`, or the forever text of a stuck task. */
  what: string;
  from: number;
  to: number;
  /** Still waiting when the run ended: the hang or lockup itself. */
  forever: boolean;
}

export interface Flow {
  kind: 'unlock' | 'write';
  /** Index of the unlock (or complete) step, or of the hardware write. */
  from: number;
  /** Index of the step it let go on: the lock taken, the value read. */
  to: number;
  what: string;
}

export interface RunActivity {
  held: HeldSpan[];
  waits: WaitSpan[];
  flows: Flow[];
}

const ACQUIRE = new Set<OpKind>([OpKind.MutexLock, OpKind.SpinLock]);
const RELEASE = new Set<OpKind>([OpKind.MutexUnlock, OpKind.SpinUnlock]);
const WRITES = new Set<OpKind>([OpKind.Write, OpKind.Rmw, OpKind.MmioWrite]);

const acquires = (s: TraceStep) => ACQUIRE.has(s.opKind) || (s.opKind === OpKind.MutexTrylock && s.result === 'acquired');

/** What a stuck task does forever, from the report's snapshot of it. */
function foreverText(task: TaskSnapshot): string | null {
  if (task.polls && task.polls.length > 0) return `polls ${task.polls.map((p) => `${p.name} = ${p.value}`).join(', ')} forever`;
  if (!task.waitsFor) return null;
  const owner = task.waitsFor.owner;
  const holder = owner ? `, held by ${owner.pid === task.pid ? 'itself' : owner.comm}` : '';
  return `${task.at} ${task.state === 'D' ? 'blocks' : 'spins'} forever${holder}`;
}

/** The CPU tasks a run-ending hang or lockup leaves stuck, each with what it does forever. */
export function stuckForever(reports: readonly KernelReport[]): { pid: number; state: WaitSpan['state']; text: string }[] {
  const last = [...reports].reverse().find((r) => r.fatal && (r.kind === 'hung-task' || r.kind === 'soft-lockup'));
  if (!last?.task) return [];
  return [last.task, ...last.others].filter((t) => t.kind === 'thread').flatMap((t) => {
    const text = foreverText(t);
    return text ? [{ pid: t.pid, state: t.state === 'D' ? 'blocked' as const : 'spinning' as const, text }] : [];
  });
}

export function runActivity(run: Pick<CapturedRun, 'trace' | 'reports' | 'tasks'>): RunActivity {
  const trace = run.trace;
  const hardware = new Set(run.tasks.filter((t) => t.kind === 'hardware').map((t) => t.pid));
  const held: HeldSpan[] = [];
  const waits: WaitSpan[] = [];
  const flows: Flow[] = [];
  const open = new Map<string, number>();
  const lastStepOf = new Map<number, number>();
  /** Index of the latest release (unlock, complete) of each lock or completion, with who did it. */
  const lastRelease = new Map<string, { at: number; pid: number }>();
  /** Hardware writes not yet read, per cell: the index of the write, and the readers that have seen it. */
  const unread = new Map<string, { at: number; seenBy: Set<number> }>();

  trace.forEach((step, i) => {
    const previous = lastStepOf.get(step.pid);
    const idleFrom = previous === undefined ? i : previous + 1;
    const target = step.target;
    if (target !== null && (acquires(step) || step.opKind === OpKind.WaitCompletion)) {
      const release = lastRelease.get(target);
      if (release && release.pid !== step.pid && release.at >= idleFrom - 1) {
        flows.push({ kind: 'unlock', from: release.at, to: i, what: target });
        // A mutex or completion waiter sleeps until the release; a spinlock waiter spins until it gets the lock.
        const spin = step.opKind === OpKind.SpinLock;
        const to = spin ? i : release.at + 1;
        if (to > idleFrom) waits.push({ pid: step.pid, state: spin ? 'spinning' : 'blocked', what: target, from: idleFrom, to, forever: false });
      }
    }
    if (step.opKind === OpKind.CpuRelax && i > idleFrom) {
      waits.push({ pid: step.pid, state: 'spinning', what: 'cpu_relax()', from: idleFrom, to: i, forever: false });
    }
    if (target !== null) {
      const key = `${step.pid}\u0000${target}`;
      if (acquires(step)) open.set(key, i);
      else if (RELEASE.has(step.opKind) && open.has(key)) {
        held.push({ pid: step.pid, lock: target, from: open.get(key)!, to: i });
        open.delete(key);
      }
      if (RELEASE.has(step.opKind) || step.opKind === OpKind.Complete) lastRelease.set(target, { at: i, pid: step.pid });
      if (step.opKind === OpKind.Read || step.opKind === OpKind.MmioRead) {
        const write = unread.get(target);
        if (write && !write.seenBy.has(step.pid)) {
          write.seenBy.add(step.pid);
          flows.push({ kind: 'write', from: write.at, to: i, what: target });
        }
      }
      if (WRITES.has(step.opKind)) {
        if (hardware.has(step.pid)) unread.set(target, { at: i, seenBy: new Set([step.pid]) });
        else unread.delete(target);
      }
    }
    lastStepOf.set(step.pid, i);
  });
  for (const [key, from] of open) {
    const [pid, lock] = key.split('\u0000') as [string, string];
    held.push({ pid: Number(pid), lock, from, to: trace.length });
  }
  for (const stuck of stuckForever(run.reports)) {
    const last = lastStepOf.get(stuck.pid);
    waits.push({ pid: stuck.pid, state: stuck.state, what: stuck.text, from: last === undefined ? 0 : last + 1, to: trace.length + 1, forever: true });
  }
  held.sort((a, b) => a.from - b.from);
  return { held, waits, flows };
}
