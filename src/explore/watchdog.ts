/**
 * The run watchdog: stops a task that loops in plain JavaScript with no
 * scheduling point (`for (;;) {}`, or a loop over plain JS state), which
 * would hang its thread for good: nothing in that thread ever runs again, so
 * only another thread can notice. Such a run therefore happens in a worker
 * thread, and its steps beat into shared memory (src/kernel/heartbeat.ts);
 * the supervising thread watches the beat, and when a step runs longer than
 * the limit it terminates the worker, replays the run up to that step in a
 * fresh worker with call traces on (cheap: one run prefix, and only once the
 * watchdog has fired), and says which task loops, after which operation, and
 * from where.
 *
 * The protocol: a watched worker asks its supervisor to watch (requestWatch,
 * one heartbeat per thread that makes runs, so shards in worker threads of
 * their own are watched too), and superviseWorker does the rest.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { HB_MAX_RECORDED, HB_PIDS, HB_RUN, HB_STEP, createHeartbeat, recordedSteps } from '../kernel/heartbeat.js';
import type { Chooser } from '../kernel/kernel.js';
import { KemuError } from '../kernel/errors.js';
import { describeOp } from '../kernel/sched/describe.js';
import type { ScenarioSource } from './scenario-source.js';
import { lastSchedulingPoint } from '../kernel/sched/call-trace.js';
import type { RunSettings, Scenario } from './run-schedule.js';
import { wallNow } from './wall-clock.js';
import { SEARCH_THREAD_LIMITS } from './young-generation.js';
import { grouped } from '../kernel/grouped.js';

/** The runs a watched thread makes: what the watchdog needs to tell when one stalls, and to replay it. */
export interface WatchedRuns {
  /** Where the runs' scenario comes from: a stalled run is replayed from it, in a thread of its own. */
  source: ScenarioSource;
  /** What shapes the runs besides their schedule. */
  settings: Pick<RunSettings, 'lockdep' | 'faults'>;
  /** How long one step may run before its task counts as looping with no scheduling point. */
  limitMs: number;
  /** What the runs beat into (over a SharedArrayBuffer). */
  heartbeat: Int32Array;
}

/** A step that ran longer than its limit. */
export interface Stall {
  runs: WatchedRuns;
  /** The step, numbered within its run, and the pid of the task that took it (0: not recorded). */
  step: number;
  pid: number;
  /** The pid of each step of the run so far, the stalled one last (empty: not recorded). */
  schedule: number[];
}

/** What replaying a stalled run up to its stalled step shows. */
export interface StallDescription {
  comm: string;
  /** The operation of the stalled step, e.g. `READ_ONCE(flag)`. */
  op: string;
  /** The task's call trace at that operation (innermost first); null for its first step, which has none. */
  callTrace: string[] | null;
  /** Titles of what the run reported before the stalled step. */
  reports: string[];
}

/** What the worker that replays a stalled run is given (stall-worker.ts). */
export interface StallReplay extends Omit<WatchedRuns, 'heartbeat'> {
  schedule: number[];
}

const WATCH = 'kemu:watch';

/** Asks the thread supervising this one to watch runs of `maxSteps` steps beating into a new heartbeat, which it returns. */
export function requestWatch(parent: { postMessage(message: unknown): void }, runs: Omit<WatchedRuns, 'heartbeat'>, maxSteps: number): Int32Array {
  const heartbeat = createHeartbeat(maxSteps);
  parent.postMessage({ kind: WATCH, runs: { ...runs, heartbeat } satisfies WatchedRuns });
  return heartbeat;
}

function watchRequest(message: unknown): WatchedRuns | null {
  const m = message as { kind?: unknown; runs?: WatchedRuns } | null;
  return typeof m === 'object' && m !== null && m.kind === WATCH ? m.runs! : null;
}

/** Tells, from the heartbeats of the threads it watches, when a step has run longer than its limit. */
export class Watchdog {
  private readonly watched: { runs: WatchedRuns; run: number; step: number; since: number }[] = [];

  constructor(private readonly now: () => number = wallNow) {}

  watch(runs: WatchedRuns): void {
    this.watched.push({ runs, run: -1, step: -1, since: this.now() });
  }

  /** The first watched step that has run longer than its limit, or null; a thread between runs never stalls. */
  check(): Stall | null {
    const now = this.now();
    for (const w of this.watched) {
      const beat = w.runs.heartbeat;
      const run = Atomics.load(beat, HB_RUN);
      const step = Atomics.load(beat, HB_STEP);
      if (run !== w.run || step !== w.step) {
        Object.assign(w, { run, step, since: now });
        continue;
      }
      if (step === 0 || now - w.since < w.runs.limitMs) continue;
      // The steps of a run longer than the heartbeat records are not: that run cannot be replayed (pid 0).
      if (step > recordedSteps(beat)) return { runs: w.runs, step, pid: 0, schedule: [] };
      return { runs: w.runs, step, pid: Atomics.load(beat, HB_PIDS + step), schedule: Array.from(beat.subarray(HB_PIDS + 1, HB_PIDS + 1 + step)) };
    }
    return null;
  }
}

/**
 * Replays a stalled run up to its stalled step, with call traces, and stops
 * before that step runs: the task that took it is then at its operation, with
 * the call trace of that scheduling point.
 */
export async function replayToStall(scenario: Scenario, schedule: readonly number[], settings: WatchedRuns['settings']): Promise<StallDescription> {
  const last = schedule.length;
  const chooser: Chooser = {
    choose(enabled, kernel) {
      const step = kernel.stepCount + 1;
      const task = enabled.find((t) => t.pid === schedule[step - 1]);
      if (!task) {
        throw new KemuError('replay-mismatch', `at step ${step} of the replay, pid ${schedule[step - 1]} cannot run as it did in the stalled run: the scenario is not deterministic`);
      }
      return step === last ? null : task;
    },
  };
  // Loaded here, not with this module: the main thread that supervises the command starts its worker without the kernel's modules.
  const { runSchedule } = await import('./run-schedule.js');
  const { kernel } = await runSchedule(scenario, chooser, { ...settings, maxSteps: last, capture: true });
  const task = kernel.tasks[schedule[last - 1]! - 1]!;
  return { comm: task.comm, op: describeOp(task.pending), callTrace: task.callTrace, reports: kernel.reports.map((r) => r.title) };
}

/** Why a loop with no scheduling point hangs, and what to do about it. */
const WHY = 'kemu cannot preempt plain JavaScript: each pass of a loop in model code\n' +
  'must reach a scheduling point (cpu_relax(), a lock, READ_ONCE(), ...).';

/**
 * The stall in words: `task cpu1:2 ran 10 s without a scheduling point,
 * after its step 7 (READ_ONCE(flag))`, the call trace of that scheduling
 * point, what the run reported before it, and why it hangs. `described` is
 * the replay's description, or why the replay gave none.
 */
export function stallMessage(stall: Stall, described: StallDescription | string): string {
  // It ran at least the limit (the watchdog looks every POLL_MS).
  const ran = `ran ${stall.runs.limitMs / 1000} s without a scheduling point, after its step ${stall.step}`;
  if (typeof described === 'string') return `${stall.pid > 0 ? `task with pid ${stall.pid}` : 'a task'} ${ran} (${described})\n${WHY}`;
  const trace = described.callTrace ? lastSchedulingPoint(described.callTrace) : '\nIt loops before its first scheduling point.';
  const before = described.reports.length > 0 ? `\nBefore it, the run reported: ${described.reports.join('; ')}` : '';
  return `task ${described.comm}:${stall.pid} ${ran} (${described.op})${trace}${before}\n${WHY}`;
}

/** How a supervised worker ended. */
export type SupervisedEnd =
  | { kind: 'exited'; code: number }
  | { kind: 'failed'; error: Error }
  /** A step ran past its limit: the worker was terminated; `message` says which task loops and where (stallMessage). */
  | { kind: 'stalled'; stall: Stall; message: string };

/** How often the heartbeats are looked at. */
const POLL_MS = 100;

/**
 * Runs a worker thread under the watchdog: messages it sends go to
 * `onMessage`, except its requests to watch; once a watched step runs past
 * its limit, the worker is terminated and (unless `explain` is false) the
 * stalled run is replayed in another supervised worker to say where it loops.
 */
export function superviseWorker(filename: URL, options: WorkerOptions, onMessage: (message: unknown) => void = () => {},
  explain = true): { worker: Worker; ended: Promise<SupervisedEnd> } {
  const worker = new Worker(filename, { ...options, resourceLimits: { ...SEARCH_THREAD_LIMITS, ...options.resourceLimits } });
  const watchdog = new Watchdog();
  const ended = new Promise<SupervisedEnd>((resolve) => {
    let over = false;
    const end = (how: SupervisedEnd) => {
      if (over) return;
      over = true;
      clearInterval(poll);
      resolve(how);
    };
    const stop = async (stall: Stall) => {
      over = true;
      clearInterval(poll);
      await worker.terminate();
      const described = explain ? await explainStall(stall).catch((error: Error) => `replaying its run to say more failed: ${error.message}`) : 'not replayed';
      resolve({ kind: 'stalled', stall, message: stallMessage(stall, described) });
    };
    const poll = setInterval(() => {
      const stall = watchdog.check();
      if (stall !== null) void stop(stall);
    }, POLL_MS);
    worker.on('message', (message) => {
      const runs = watchRequest(message);
      if (runs) watchdog.watch(runs);
      else onMessage(message);
    });
    worker.on('error', (error) => end({ kind: 'failed', error }));
    worker.on('exit', (code) => end({ kind: 'exited', code }));
  });
  return { worker, ended };
}

/** Replays a stalled run up to its stalled step in a supervised worker of its own: its description, or why it has none (a rejection: why the replay failed). */
async function explainStall(stall: Stall): Promise<StallDescription | string> {
  if (stall.schedule.length === 0) return `its run is longer than the ${grouped(HB_MAX_RECORDED)} steps the watchdog records, so it was not replayed`;
  let description: StallDescription | null = null;
  const { source, settings, limitMs } = stall.runs;
  const { ended } = superviseWorker(new URL('./stall-worker.js', import.meta.url), {
    workerData: { source, settings, limitMs, schedule: stall.schedule } satisfies StallReplay,
  }, (message) => void (description = message as StallDescription), false);
  const how = await ended;
  if (description) return description;
  throw how.kind === 'failed' ? how.error : new Error(how.kind === 'stalled' ? 'the replay stalled too' : 'the replay ended without an answer');
}
