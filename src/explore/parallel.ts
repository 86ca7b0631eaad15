/**
 * Parallel exploration: the shards of one search run in worker threads (a
 * piscina pool, one worker per shard), and their results merge into exactly
 * the result of one search. Each worker loads the scenario from its source
 * (scenario-source.ts). The workers of a systematic search (DPOR, exhaustive,
 * bounded) share one claim per leaf of the tree's top (split.ts), so a worker
 * done with a big subtree takes the next leaf nobody has taken.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { SEARCH_THREAD_LIMITS } from './young-generation.js';
import { KemuError } from '../kernel/errors.js';
import type { FoundFailure, SearchResult } from './explore.js';
import type { ExploreProgress } from './result.js';
import { wallNow } from './wall-clock.js';
import { assertShardable, mergeSearches } from './explore.js';
import type { ScenarioSource, WorkerOptions } from './scenario-source.js';

export interface ShardTask {
  source: ScenarioSource;
  options: WorkerOptions;
  shard: { index: number; count: number };
  /** One Int32 per leaf of the tree's top, shared by the search's workers (Shard.claims). */
  claims: SharedArrayBuffer;
  /** One BigInt64: the schedules the workers have counted together, when a schedule limit holds for the search (Shard.counted); else null. */
  counted: SharedArrayBuffer | null;
  /**
   * Receives one message when the search is interrupted (the worker then
   * stops between runs, keeping what it found); sends a ShardMessage for
   * each failure as the search first meets it and for its progress.
   */
  port: MessagePort;
  /** What the shard's runs beat into for a watchdog (src/kernel/heartbeat.ts), or null. */
  heartbeat: Int32Array | null;
}

/** What a worker tells the thread searching in workers as its shard goes on. */
export type ShardMessage =
  | { kind: 'failure'; found: FoundFailure }
  /** The shard's own counts, about twice a second (ExploreOptions.onProgress). */
  | { kind: 'progress'; progress: ExploreProgress };

/** What the thread searching in workers can follow and steer. */
export interface WorkersControl {
  /** Once it aborts, every worker stops between runs, and the merged result is 'interrupted'. */
  signal?: AbortSignal;
  /** Each failure as a shard first meets it (see ExploreOptions.onFailure). */
  onFailure?: (found: FoundFailure) => void;
  /** The whole search's counts so far, each time a worker reports its own: schedules of all workers, distinct failures. */
  onProgress?: (progress: ExploreProgress) => void;
  /** A heartbeat for each shard's runs, watched by a watchdog (src/explore/watchdog.ts); null: none. */
  heartbeat?: () => Int32Array | null;
}

/** Leaves the workers claim (4 MiB of claims); a tree with more gives the rest out by leaf % workers. */
const CLAIMED_LEAVES = 1 << 20;

/** Searches the shards in worker threads. */
export async function searchInWorkers(source: ScenarioSource, options: WorkerOptions, workers = availableParallelism(),
  { signal, onFailure, onProgress, heartbeat }: WorkersControl = {}): Promise<SearchResult> {
  assertShardable(options.strategy ?? 'default');
  if (source.module.endsWith('.ts')) {
    throw new KemuError('bad-usage', `parallel exploration loads ${source.module} in worker threads, which run compiled JavaScript: build first (npm run build) and run from dist/`);
  }
  const pool = new Piscina({ filename: new URL('./search-worker.js', import.meta.url).href, minThreads: workers, maxThreads: workers,
    resourceLimits: SEARCH_THREAD_LIMITS });
  const channels = Array.from({ length: workers }, () => new MessageChannel());
  const claims = new SharedArrayBuffer(CLAIMED_LEAVES * Int32Array.BYTES_PER_ELEMENT);
  // --max-schedules N stops the search at N schedules in all, as it would one worker.
  const counted = options.maxSchedules !== undefined ? new SharedArrayBuffer(BigInt64Array.BYTES_PER_ELEMENT) : null;
  const stopAll = () => channels.forEach((c) => c.port1.postMessage('stop'));
  signal?.addEventListener('abort', stopAll, { once: true });
  const started = wallNow();
  const shardProgress: ExploreProgress[] = channels.map(() => ({ schedules: 0, pruned: 0, failures: 0, elapsedMs: 0 }));
  const failures = new Set<string>();
  channels.forEach((c, index) => c.port1.on('message', (message: ShardMessage) => {
    if (message.kind === 'failure') {
      failures.add(message.found.signature);
      onFailure?.(message.found);
      return;
    }
    shardProgress[index] = message.progress;
    const sum = (key: 'schedules' | 'pruned') => shardProgress.reduce((n, p) => n + p[key], 0);
    onProgress?.({ schedules: sum('schedules'), pruned: sum('pruned'), failures: failures.size, elapsedMs: wallNow() - started });
  }));
  try {
    const parts = await Promise.all(channels.map((channel, index) => pool.run(
      { source, options, shard: { index, count: workers }, claims, counted, port: channel.port2, heartbeat: heartbeat?.() ?? null } satisfies ShardTask,
      { transferList: [channel.port2] },
    ) as Promise<SearchResult>));
    return mergeSearches(parts);
  } catch (error) {
    // Errors cross the thread boundary as plain Errors; keep the emulator's message as a KemuError.
    throw KemuError.is(error) ? error : new KemuError('bad-usage', `a worker thread failed: ${(error as Error).message}`, { cause: error });
  } finally {
    signal?.removeEventListener('abort', stopAll);
    channels.forEach((c) => c.port1.close());
    await pool.destroy();
  }
}
