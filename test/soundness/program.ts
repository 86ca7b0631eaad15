/**
 * The language of generated programs. A program is a few tasks, each a short
 * list of operations over a fixed set of shared objects; every kemu primitive
 * has an operation. Programs are plain data, so fast-check can generate and
 * shrink them and a mismatch can be printed as pseudo-code (pseudo-code.ts);
 * interpret.ts turns one into a scenario.
 */

/** Words tasks share: two plain cells and the two words of a DMA buffer. */
export const LOCATIONS = ['x', 'y', 'dma0', 'dma1'] as const;
export type Location = (typeof LOCATIONS)[number];

/**
 * Device registers: `status` is write-1-to-clear (starts at 0b11); a write to
 * `doorbell` stores the value and DMA-writes it into `dma0`, as a device that
 * posts a status word when it is rung.
 */
export const REGISTERS = ['status', 'doorbell'] as const;
export type RegisterName = (typeof REGISTERS)[number];

/** Index of a mutex (m0, m1) or a raw spinlock (s0, s1). */
export type LockIndex = 0 | 1;

export type Op =
  /** r = READ_ONCE(loc) */
  | { kind: 'read'; loc: Location }
  /** WRITE_ONCE(loc, value) */
  | { kind: 'write'; loc: Location; value: number }
  /** r = atomic_inc_return(loc) */
  | { kind: 'inc'; loc: Location }
  /** r = atomic_xchg(loc, value) */
  | { kind: 'xchg'; loc: Location; value: number }
  /** r = atomic_cmpxchg(loc, expected, value) */
  | { kind: 'cmpxchg'; loc: Location; expected: number; value: number }
  /** r = loc.get(): a plain load, generated only inside a critical section */
  | { kind: 'get'; loc: Location }
  /** loc.set(value): a plain store, generated only inside a critical section */
  | { kind: 'set'; loc: Location; value: number }
  /** mutex_lock(m); body; mutex_unlock(m) */
  | { kind: 'mutex'; lock: LockIndex; body: Op[] }
  /** r = mutex_trylock(m); if (r) { body; mutex_unlock(m) } */
  | { kind: 'trylock'; lock: LockIndex; body: Op[] }
  /** r = mutex_is_locked(m) */
  | { kind: 'is_locked'; lock: LockIndex }
  /** raw_spin_lock(s) (or the _irqsave form); body; raw_spin_unlock(s) (or _irqrestore) */
  | { kind: 'spin'; lock: LockIndex; irqsave: boolean; body: Op[] }
  /** complete(&comp), or complete_all(&comp) */
  | { kind: 'complete'; all: boolean }
  /** wait_for_completion(&comp) */
  | { kind: 'wait' }
  /** spin_begin(); while (READ_ONCE(loc) != value) cpu_relax(); */
  | { kind: 'await'; loc: Location; value: number }
  /**
   * The queued-invalidation poll (qi_submit_sync): the lock is dropped around
   * cpu_relax. raw_spin_lock_irqsave(s); spin_begin();
   * while (READ_ONCE(loc) != value) { raw_spin_unlock_irqrestore(s); cpu_relax(); raw_spin_lock_irqsave(s); }
   * raw_spin_unlock_irqrestore(s)
   */
  | { kind: 'qi_await'; lock: LockIndex; loc: Location; value: number }
  /** r = readl(reg) */
  | { kind: 'readl'; reg: RegisterName }
  /** writel(reg, value) */
  | { kind: 'writel'; reg: RegisterName; value: number }
  /** kthread_run(child): the child is a task of its own */
  | { kind: 'spawn'; child: TaskProgram }
  /** WARN_ON(r == equals), r being the task's last recorded result (0 before any) */
  | { kind: 'warn'; equals: number }
  /** BUG_ON(r == equals), on the same local condition */
  | { kind: 'bug'; equals: number };

export interface TaskProgram {
  /** CPU the task is pinned to; tasks pinned to one CPU obey preemption and irq rules between them. */
  cpu?: number;
  ops: Op[];
  /**
   * Index of an earlier top-level task this one is a twin of (SpawnOptions.twinOf):
   * it has the same operations, on a CPU of its own (symmetry.ts).
   */
  twinOf?: number;
}

export interface Program {
  tasks: TaskProgram[];
}

/**
 * What a run can exercise, for the coverage table: the primitives, and the
 * situations worth counting (nested locks, a trylock that fails, a fired
 * WARN_ON). The interpreter marks each one when it happens.
 */
export const PRIMITIVES = [
  'READ_ONCE', 'WRITE_ONCE', 'atomic_inc_return', 'atomic_xchg', 'atomic_cmpxchg', 'plain get/set',
  'mutex_lock/unlock', 'nested locks', 'mutex_trylock acquired', 'mutex_trylock failed', 'mutex_is_locked',
  'raw_spin_lock', 'raw_spin_lock_irqsave', 'shared CPU', 'complete', 'complete_all', 'wait_for_completion',
  'spin-wait', 'spin-wait dropping a lock', 'readl', 'writel status (W1C)', 'writel doorbell', 'DMA memory',
  'spawn', 'WARN_ON fired', 'BUG_ON fired',
] as const;
export type Primitive = (typeof PRIMITIVES)[number];

/** The operations inside a lock section (none for other operations). */
export function bodyOf(op: Op): readonly Op[] {
  return op.kind === 'mutex' || op.kind === 'trylock' || op.kind === 'spin' ? op.body : [];
}
