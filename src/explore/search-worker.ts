/**
 * A worker thread of parallel exploration: loads the scenario from its module
 * and searches one shard (see parallel.ts).
 */
import { search, type SearchResult } from './explore.js';
import type { Scenario } from './run-schedule.js';
import type { ShardTask } from './parallel.js';

/** Searches one shard; the stop port is listened to from the start, so an interrupt while the scenario loads still stops the search. */
export default async function searchShard(task: ShardTask): Promise<SearchResult> {
  const interrupt = new AbortController();
  task.stop.once('message', () => interrupt.abort());
  try {
    const module = (await import(task.source.module)) as Record<string, (...args: unknown[]) => Scenario | Promise<Scenario>>;
    const factory = module[task.source.factory];
    if (typeof factory !== 'function') throw new Error(`${task.source.module} exports no function "${task.source.factory}"`);
    return await search(await factory(...task.source.args), { ...task.options, shard: task.shard, signal: interrupt.signal });
  } finally {
    task.stop.close();
  }
}
