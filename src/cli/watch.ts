/**
 * The command's side of the watchdog (src/explore/watchdog.ts). Run by the
 * `kemu` program, the command works in a worker thread and the main thread
 * supervises it (supervisor.ts): each command that runs schedules asks it to
 * watch them, and hands it each failure as it is found, so that a task
 * looping with no scheduling point is stopped and the findings before it are
 * still printed. In the main thread (tests run the command in-process),
 * nothing supervises, and watching does nothing.
 */
import { DEFAULT_MAX_STEPS } from '../explore/explore.js';
import { DEFAULT_WATCHDOG_MS } from '../explore/explore-in-worker.js';
import type { WatchedRuns } from '../explore/watchdog.js';
import { beatInto } from '../kernel/heartbeat.js';
import type { Catalog } from '../machine/catalog.js';
import { requestShape, type Target, type TargetRequest } from './targets.js';
import { workerSource } from './worker-target.js';

/** What the thread supervising the command does for it. */
export interface CommandSupervisor {
  /** Watches runs of `maxSteps` steps beating into a new heartbeat, which it returns (for this thread, or a shard's). */
  watch(runs: Omit<WatchedRuns, 'heartbeat'>, maxSteps: number): Int32Array;
  /** A failure a search found, and the command that replays it: printed if the command is stopped before it prints its result. */
  found(signature: string, replayCommand: string): void;
}

/** Seconds a step may run before the watchdog stops its task, unless --watchdog says otherwise. */
export const DEFAULT_WATCHDOG_SECONDS = DEFAULT_WATCHDOG_MS / 1000;

/** How one command has its runs watched. */
export interface RunWatch {
  /** A heartbeat for runs of `request`, watched; null when nothing watches. */
  heartbeat(request: TargetRequest): Int32Array | null;
  /** From now on, this thread's runs are runs of `request`, watched. */
  runs(request: TargetRequest): void;
  found(signature: string, replayCommand: string): void;
}

/** The request a target was resolved from, with its kernel variant: what resolves to the same scenario in another thread. */
export const resolvedRequest = (target: Target): TargetRequest => ({ ...target.request, kernel: target.variant || undefined });

/** Watching by `supervisor` (if any) with a limit of `seconds` per step (0: no watching), for targets of `catalog`. */
export function runWatch(supervisor: CommandSupervisor | undefined, seconds: number, catalog: Catalog): RunWatch {
  const heartbeat = (request: TargetRequest): Int32Array | null => {
    if (!supervisor || seconds === 0) return null;
    const shape = requestShape(request);
    return supervisor.watch({ source: workerSource(catalog.sources, request), settings: { lockdep: shape.lockdep, faults: {} }, limitMs: seconds * 1000 },
      shape.maxSteps ?? DEFAULT_MAX_STEPS);
  };
  return {
    heartbeat,
    runs: (request) => beatInto(heartbeat(request)),
    found: (signature, replayCommand) => supervisor?.found(signature, replayCommand),
  };
}
