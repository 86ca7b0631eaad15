/**
 * A worker thread of parallel exploration: loads the scenario from its module
 * and searches one shard (see parallel.ts).
 */
import { search, type SearchResult } from './explore.js';
import type { Scenario } from './run-schedule.js';
import type { ShardTask } from './parallel.js';

export default async function searchShard(task: ShardTask): Promise<SearchResult> {
  const module = (await import(task.source.module)) as Record<string, (...args: unknown[]) => Scenario>;
  const factory = module[task.source.factory];
  if (typeof factory !== 'function') throw new Error(`${task.source.module} exports no function "${task.source.factory}"`);
  const interrupt = new AbortController();
  task.stop.once('message', () => interrupt.abort());
  try {
    return await search(factory(...task.source.args), { ...task.options, shard: task.shard, signal: interrupt.signal });
  } finally {
    task.stop.close();
  }
}
