/**
 * Bisecting a board across kernel variants: explore its boot on every variant
 * the board lists and return one structured row per variant. The lead's
 * renderers turn rows into tables and reports; this returns data only.
 */
import { explore, type ExploreOptions } from '../explore/explore.js';
import type { Failure } from '../explore/result.js';
import type { TaskSnapshot } from '../kernel/detect/report.js';
import { frameFunction } from '../kernel/sched/call-trace.js';
import type { BoardEntry } from './catalog.js';

export type BisectOutcome = 'boots' | 'hangs' | 'lockup' | 'warns' | 'oops' | 'use-after-free' | 'fails';

export interface BisectRow {
  variant: string;
  outcome: BisectOutcome;
  /** Schedules explored. */
  schedules: number;
  /** Whether the exploration covered every schedule (within its bounds). */
  exhausted: boolean;
  /** The failure that decides the outcome (a hang before a WARN), or null when it boots. */
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

/** The failure that decides a run's outcome: the most severe kind, then the first found. */
export function decisiveFailure(failures: readonly Failure[]): Failure | null {
  let best: Failure | null = null;
  for (const f of failures) {
    if (!best || (RANK[f.kind] ?? 9) < (RANK[best.kind] ?? 9)) best = f;
  }
  return best;
}

/**
 * The call chain of a task blocked on a lock it already holds: from the
 * outermost frame of the function that took the lock the first time (as
 * lockdep records it) down to the innermost frame, which takes it again.
 * Traces are innermost first; the chain is returned outermost first.
 */
export function selfDeadlockChain(task: TaskSnapshot | null): string[] {
  if (!task?.callTrace || !task.waitsFor) return [];
  const held = task.heldLocks.find((l) => l.name === task.waitsFor!.name && l.className === task.waitsFor!.className);
  if (!held) return [];
  const trace = task.callTrace;
  let outer = -1;
  if (held.acquiredIn) {
    for (let i = trace.length - 1; i >= 0; i--) {
      if (frameFunction(trace[i]!) === held.acquiredIn) {
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
    rows.push({
      variant,
      outcome: outcomeOf(failure),
      schedules: result.schedules,
      exhausted: result.exhausted,
      failure,
      failures: result.failures,
      chain: failure?.kind === 'hung-task' ? selfDeadlockChain(failure.report.task) : [],
    });
  }
  return rows;
}
