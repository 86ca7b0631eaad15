/**
 * A scenario another thread can load: functions cannot cross into a worker
 * thread, so a worker loads the scenario itself from a module: it imports
 * `module`, calls the exported `factory` with `args`, and takes the scenario
 * it returns (or resolves to, for a factory that must load modules first).
 * Worker threads of a sharded search (parallel.ts), of exploreInWorker and
 * of the watchdog's replays (watchdog.ts) all load scenarios this way.
 */
import type { ExploreOptions } from './explore.js';
import { importModule } from './import-module.js';
import type { Scenario } from './run-schedule.js';

/** Where a worker finds the scenario: `(await import(module))[factory](...args)` returns it (or a promise of it). */
export interface ScenarioSource {
  module: string;
  factory: string;
  args: unknown[];
}

/** The options a worker can receive: plain data only. */
export type WorkerOptions = Omit<ExploreOptions, 'onProgress' | 'onFailure' | 'onRunEnd' | 'shard' | 'signal'>;

/** The scenario a source names, loaded in this thread (a TypeScript module through tsx). */
export async function loadScenario(source: ScenarioSource): Promise<Scenario> {
  const module = (await importModule(source.module, 'scenario module')) as Record<string, (...args: unknown[]) => Scenario | Promise<Scenario>>;
  const factory = module[source.factory];
  if (typeof factory !== 'function') throw new Error(`${source.module} exports no function "${source.factory}"`);
  return await factory(...source.args);
}
