/**
 * A worker thread of parallel exploration: loads the scenario from its module
 * and searches one shard (see parallel.ts).
 */
import { beatInto } from '../kernel/heartbeat.js';
import { search, type SearchResult } from './explore.js';
import type { ShardMessage, ShardTask } from './parallel.js';
import { loadScenario } from './scenario-source.js';

/**
 * Searches one shard, its runs beating into the task's heartbeat; the port is
 * listened to from the start, so an interrupt while the scenario loads still
 * stops the search, and each failure found is sent on it at once, as is the
 * shard's progress.
 */
export default async function searchShard(task: ShardTask): Promise<SearchResult> {
  const interrupt = new AbortController();
  task.port.once('message', () => interrupt.abort());
  beatInto(task.heartbeat);
  try {
    return await search(await loadScenario(task.source), {
      ...task.options,
      shard: { ...task.shard, claims: new Int32Array(task.claims), ...(task.counted ? { counted: new BigInt64Array(task.counted) } : {}) },
      signal: interrupt.signal,
      onFailure: (found) => task.port.postMessage({ kind: 'failure', found } satisfies ShardMessage),
      onProgress: (progress) => task.port.postMessage({ kind: 'progress', progress } satisfies ShardMessage),
    });
  } finally {
    task.port.close();
  }
}
