/**
 * Bisecting a board across kernel variants: explore its boot on every variant
 * the board lists and return one structured row per variant: the outcome, the
 * boot's health (probes that failed, devices left deferred, WARNs) and, for a
 * hang on a device lock, the call chain. Renderers turn rows into tables and
 * reports; this returns data only.
 */
import { explore, type ExploreOptions } from '../explore/explore.js';
import type { Failure } from '../explore/result.js';
import type { ProbeOutcome, TaskSnapshot } from '../kernel/detect/report.js';
import { frameFunction } from '../kernel/sched/call-trace.js';
import type { BoardEntry } from './catalog.js';

export type BisectOutcome = 'boots' | 'hangs' | 'lockup' | 'warns' | 'oops' | 'use-after-free' | 'fails';

/** How sick a boot was, over every schedule explored: what `boots` alone would hide. */
export interface BootHealth {
  /** Probes that failed with an error (call_driver_probe's warning). */
  probeFailures: ProbeOutcome[];
  /** Devices still deferred when the deferred-probe timeout expired ("deferred probe pending"). */
  deferred: string[];
  /** Distinct WARNs. */
  warnings: number;
}

export interface BisectRow {
  variant: string;
  outcome: BisectOutcome;
  /** The boot's health, as data. */
  health: BootHealth;
  /** The outcome and the health in words: `boots, 2 probes failed, 3 deferred`. */
  verdict: string;
  /**
   * Lock classes the boot took that lockdep did not validate (`&dev->mutex`
   * unless validateDeviceMutex was asked for); empty when every lock taken
   * was validated.
   */
  notValidated: string[];
  /** Schedules explored. */
  schedules: number;
  /** Whether the exploration covered every schedule (within its bounds). */
  exhausted: boolean;
  /** The failure that decides the outcome (a hang before a WARN), or null when it boots (whatever its health). */
  failure: Failure | null;
  /** Every distinct failure found. */
  failures: Failure[];
  /**
   * For a device-lock self-deadlock: the kernel call chain from the function
   * that took the device lock first (the driver core entry) to the second
   * device_lock of the same device, outermost first, as `fn (file:line)`.
   * Empty otherwise.
   */
  chain: string[];
}

/**
 * Which kind of failure decides a row. A memory error or an oops comes first:
 * the task an oops kills keeps its locks, so a hang found in the same boot is
 * often its consequence, not its cause.
 */
const RANK: Record<string, number> = { kasan: 0, oops: 1, 'hung-task': 2, 'soft-lockup': 3, 'sleep-in-atomic': 4, 'lockdep-circular': 5, 'lockdep-recursive': 6, warn: 7 };

/** The report kinds that describe a boot's health rather than decide its outcome. */
const HEALTH_KINDS: ReadonlySet<string> = new Set(['probe-failed', 'deferred-probe-pending']);

function outcomeOf(failure: Failure | null): BisectOutcome {
  if (!failure) return 'boots';
  switch (failure.kind) {
    case 'hung-task': return 'hangs';
    case 'soft-lockup': return 'lockup';
    case 'oops': return 'oops';
    case 'kasan': return 'use-after-free';
    case 'warn': return 'warns';
    default: return 'fails';
  }
}

/** The failure that decides a run's outcome: the most severe kind, then the first found; health reports decide nothing. */
export function decisiveFailure(failures: readonly Failure[]): Failure | null {
  let best: Failure | null = null;
  for (const f of failures) {
    if (HEALTH_KINDS.has(f.kind)) continue;
    if (!best || (RANK[f.kind] ?? 9) < (RANK[best.kind] ?? 9)) best = f;
  }
  return best;
}

/** The boot health the failures of an exploration describe. */
export function bootHealth(failures: readonly Failure[]): BootHealth {
  return {
    probeFailures: failures.filter((f) => f.kind === 'probe-failed').map((f) => f.report.probe!),
    deferred: failures.filter((f) => f.kind === 'deferred-probe-pending').map((f) => f.report.probe!.device),
    warnings: failures.filter((f) => f.kind === 'warn').length,
  };
}

const counted = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** `boots`, `boots, 2 probes failed, 3 deferred`, `warns (1 WARN)`: an outcome with its health. */
export function verdictOf(outcome: BisectOutcome, health: BootHealth): string {
  const parts: string[] = [];
  if (health.probeFailures.length) parts.push(counted(health.probeFailures.length, 'probe failed', 'probes failed'));
  if (health.deferred.length) parts.push(`${health.deferred.length} deferred`);
  if (health.warnings && outcome !== 'warns') parts.push(counted(health.warnings, 'WARN', 'WARNs'));
  const head = outcome === 'warns' ? `warns (${counted(health.warnings, 'WARN', 'WARNs')})` : outcome;
  return [head, ...parts].join(', ');
}

/**
 * The call chain of a task blocked on a lock it already holds: from the frame
 * of the function that took the lock the first time (as lockdep records it)
 * down to the innermost frame, which takes it again. Locks taken by nested
 * calls of one function (__device_attach within __device_attach) are matched
 * to its frames in order, outermost first. Traces are innermost first; the
 * chain is returned outermost first.
 */
export function selfDeadlockChain(task: TaskSnapshot | null): string[] {
  if (!task?.callTrace || !task.waitsFor) return [];
  const at = task.heldLocks.findIndex((l) => l.name === task.waitsFor!.name && l.className === task.waitsFor!.className);
  if (at < 0) return [];
  const held = task.heldLocks[at]!;
  const trace = task.callTrace;
  let outer = -1;
  if (held.acquiredIn) {
    let nth = task.heldLocks.slice(0, at).filter((l) => l.acquiredIn === held.acquiredIn).length;
    for (let i = trace.length - 1; i >= 0; i--) {
      if (frameFunction(trace[i]!) === held.acquiredIn && nth-- === 0) {
        outer = i;
        break;
      }
    }
  }
  if (outer < 0) outer = trace.length - 1;
  // End at the innermost device_lock (or whatever took the lock), not inside the mutex code.
  let inner = trace.findIndex((f) => frameFunction(f) === 'device_lock');
  if (inner < 0 || inner > outer) inner = 0;
  return trace.slice(inner, outer + 1).reverse();
}

/** Explores `board.boot(variant)` for each variant (default: all the board lists). */
export async function bisectBoard(board: BoardEntry, options: ExploreOptions & { variants?: readonly string[] } = {}): Promise<BisectRow[]> {
  const rows: BisectRow[] = [];
  for (const variant of options.variants ?? board.variants) {
    const result = await explore(board.boot(variant), { strategy: board.strategy, ...options });
    const failure = decisiveFailure(result.failures);
    const outcome = outcomeOf(failure);
    const health = bootHealth(result.failures);
    rows.push({
      variant,
      outcome,
      health,
      verdict: verdictOf(outcome, health),
      notValidated: result.notValidated,
      schedules: result.schedules,
      exhausted: result.exhausted,
      failure,
      failures: result.failures,
      chain: failure?.kind === 'hung-task' ? selfDeadlockChain(failure.report.task) : [],
    });
  }
  return rows;
}
