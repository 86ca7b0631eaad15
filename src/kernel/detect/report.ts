/**
 * What the detectors find, as data. Text in the kernel's own formats is a view
 * of these (src/report); tests and tools assert on the data.
 */
export type ReportKind =
  | 'hung-task'          // tasks blocked forever on sleeping locks or completions (kernel/hung_task.c)
  | 'soft-lockup'        // a CPU spinning on something nothing can change (kernel/watchdog.c)
  | 'lockdep-recursive'  // a validated lock class taken twice (print_deadlock_bug)
  | 'lockdep-circular'   // an inversion in the lock-class dependency graph (print_circular_bug)
  | 'sleep-in-atomic'    // a sleeping lock taken with a spinlock held or IRQs off (__might_sleep)
  | 'warn'               // WARN_ON / lockdep_assert_held failure
  | 'oops'               // kernel code threw: the emulator's equivalent of an oops
  | 'probe-failed'       // a driver's probe failed with an error (call_driver_probe's warning)
  | 'deferred-probe-pending' // a device still deferred when the deferred-probe timeout expired
  | 'kasan'              // an access to freed slab memory, or a double free (mm/kasan/report.c)
  | 'invariant';         // an invariant the scenario stated does not hold after a step (invariants.ts)

export interface LockSnapshot {
  name: string;
  className: string;
  waitType: 'sleep' | 'spin';
  /** Lockdep's `{3:3}` sleeping / `{2:2}` spinning wait-type tag. */
  novalidate: boolean;
  owner: { comm: string; pid: number } | null;
  /** Kernel function that acquired it, when call traces were captured. */
  acquiredIn: string | null;
}

export interface PolledValue {
  name: string;
  value: string;
}

export interface TaskSnapshot {
  pid: number;
  comm: string;
  cpu: number;
  kind: 'thread' | 'hardware';
  /** `D` blocked uninterruptibly, `R` running or spinning, `X` exited. */
  state: 'D' | 'R' | 'X';
  /** The operation the task is at, e.g. `mutex_lock(&dev->mutex (4a066000.mmu))`. */
  at: string;
  waitsFor: LockSnapshot | null;
  heldLocks: LockSnapshot[];
  /** Innermost frame first; null when the run was not replayed with call traces. */
  callTrace: string[] | null;
  /** For a spinning task: what it keeps reading, and the value it keeps getting. */
  polls: PolledValue[] | null;
  irqsDisabled: boolean;
  /** Spinlocks held (preempt_count). */
  preemptCount: number;
  pendingSinceNs: number;
  lastScheduledNs: number;
}

export interface LockdepChainLink {
  /** The class already held when `to` was taken. */
  from: string;
  to: string;
  comm: string;
  pid: number;
  /** Kernel function that took `to`, when known. */
  acquiredIn: string | null;
}

/** Who allocated or freed the object a KASAN report is about (kasan_track). */
export interface KasanTrack {
  pid: number;
  comm: string;
  /** Innermost frame first; null when the run was not replayed with call traces. */
  callTrace: string[] | null;
}

/** What KASAN found, as data (struct kasan_report_info, mm/kasan/kasan.h). */
export interface KasanInfo {
  /** `slab-use-after-free` or `double-free`, as the report's first line names it. */
  bugType: 'slab-use-after-free' | 'double-free';
  /** The bad access: a read or write of `size` bytes at `addr`, or the second free. */
  access: { kind: 'read' | 'write' | 'free'; size: number; addr: string };
  /** The object: its struct, cache, start address, size, and where the access fell in it. */
  object: { struct: string; field: string | null; cache: string; cacheSize: number; addr: string; size: number; offset: number };
  allocated: KasanTrack;
  freed: KasanTrack | null;
}

export interface KernelReport {
  kind: ReportKind;
  /** The task it is about can never go on (hung, locked up, or killed by an oops); WARNs and lockdep splats are not fatal. */
  fatal: boolean;
  ns: number;
  step: number;
  /** Deduplication key: the kind and where it happened. */
  signature: string;
  /** One line a person can read. */
  title: string;
  /** The task the report is about (the blocked, spinning or warning task). */
  task: TaskSnapshot | null;
  /** Every other task worth showing (lock owners, other blocked tasks). */
  others: TaskSnapshot[];
  /** Free-form details: the WARN condition, the thrown error, the sleeping lock. */
  message: string;
  /** Where: the function that warned, the lock classes involved. */
  location: string;
  /** Lockdep: the dependency chain that closes the cycle, or the recursive pair. */
  chain: LockdepChainLink[];
  /** Stuck duration the kernel's detector would print, in seconds. */
  stuckSeconds: number;
  /** For probe-failed and deferred-probe-pending: the device, its driver, and the error. */
  probe?: ProbeOutcome;
  /** Lines kemu adds below the kernel's text (`kemu: ...`), e.g. which lock classes lockdep did not validate. */
  notes?: string[];
  /** KASAN reports only: the access, the object, and its allocation and free. */
  kasan?: KasanInfo;
}

/** A device whose probe failed or never finished: what the boot-health verdict counts. */
export interface ProbeOutcome {
  device: string;
  /** The driver whose probe failed; null for a device still deferred. */
  driver: string | null;
  /** The negative errno the probe returned; null for a device still deferred. */
  errno: number | null;
}
