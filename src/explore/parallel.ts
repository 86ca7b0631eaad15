/**
 * Parallel exploration: the shards of one search run in worker threads (a
 * piscina pool, one worker per shard), and their results merge into exactly
 * the result of one search. Functions cannot cross into a worker, so a worker
 * loads the scenario itself from a module: it imports `module`, calls the
 * exported `factory` with `args`, and explores the scenario it returns (or
 * resolves to, for a factory that must load modules first).
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { KemuError } from '../kernel/errors.js';
import type { ExploreOptions, FoundFailure, SearchResult } from './explore.js';
import { assertShardable, mergeSearches } from './explore.js';
import type { Scenario } from './run-schedule.js';
import { importModule } from './import-module.js';

/** Where a worker finds the scenario: `(await import(module))[factory](...args)` returns it (or a promise of it). */
export interface ScenarioSource {
  module: string;
  factory: string;
  args: unknown[];
}

/** The scenario a source names, loaded in this thread. */
export async function loadScenario(source: ScenarioSource): Promise<Scenario> {
  const module = (await importModule(source.module, 'scenario module')) as Record<string, (...args: unknown[]) => Scenario | Promise<Scenario>>;
  const factory = module[source.factory];
  if (typeof factory !== 'function') throw new Error(`${source.module} exports no function "${source.factory}"`);
  return await factory(...source.args);
}

/** The options a worker can receive: plain data only. */
export type WorkerOptions = Omit<ExploreOptions, 'onProgress' | 'onFailure' | 'onRunEnd' | 'shard' | 'signal'>;

export interface ShardTask {
  source: ScenarioSource;
  options: WorkerOptions;
  shard: { index: number; count: number };
  /**
   * Receives one message when the search is interrupted (the worker then
   * stops between runs, keeping what it found); sends each failure as the
   * search first meets it.
   */
  port: MessagePort;
  /** What the shard's runs beat into for a watchdog (src/kernel/heartbeat.ts), or null. */
  heartbeat: Int32Array | null;
}

/** What the thread searching in workers can follow and steer. */
export interface WorkersControl {
  /** Once it aborts, every worker stops between runs, and the merged result is 'interrupted'. */
  signal?: AbortSignal;
  /** Each failure as a shard first meets it (see ExploreOptions.onFailure). */
  onFailure?: (found: FoundFailure) => void;
  /** A heartbeat for each shard's runs, watched by a watchdog (src/explore/watchdog.ts); null: none. */
  heartbeat?: () => Int32Array | null;
}

/** Searches the shards in worker threads. */
export async function searchInWorkers(source: ScenarioSource, options: WorkerOptions, workers = availableParallelism(),
  { signal, onFailure, heartbeat }: WorkersControl = {}): Promise<SearchResult> {
  assertShardable(options.strategy ?? 'default');
  if (source.module.endsWith('.ts')) {
    throw new KemuError('bad-usage', `parallel exploration loads ${source.module} in worker threads, which run compiled JavaScript: build first (npm run build) and run from dist/`);
  }
  const pool = new Piscina({ filename: new URL('./search-worker.js', import.meta.url).href, minThreads: workers, maxThreads: workers });
  const channels = Array.from({ length: workers }, () => new MessageChannel());
  const stopAll = () => channels.forEach((c) => c.port1.postMessage('stop'));
  signal?.addEventListener('abort', stopAll, { once: true });
  for (const c of channels) c.port1.on('message', (found: FoundFailure) => onFailure?.(found));
  try {
    const parts = await Promise.all(channels.map((channel, index) => pool.run(
      { source, options, shard: { index, count: workers }, port: channel.port2, heartbeat: heartbeat?.() ?? null } satisfies ShardTask,
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
