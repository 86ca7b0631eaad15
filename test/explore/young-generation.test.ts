/**
 * The young generation kemu searches with (src/explore/young-generation.ts):
 * every supervised worker thread gets it, and `npm run soundness`, which
 * searches in node's main thread, gives it the same. That `--workers` threads
 * get it is checked on the compiled kemu (test/explore/worker-threads.test.ts).
 */
import { readFileSync } from 'node:fs';
import type { WorkerOptions } from 'node:worker_threads';
import { describe, expect, test } from 'vitest';
import { superviseWorker } from '../../src/explore/watchdog.js';
import { SEARCH_THREAD_LIMITS } from '../../src/explore/young-generation.js';

/** A worker that sends back the young generation it was given. */
const REPORTER = new URL(`data:text/javascript,${encodeURIComponent(
  "import { parentPort, resourceLimits } from 'node:worker_threads'; parentPort.postMessage(resourceLimits.maxYoungGenerationSizeMb);")}`);

function youngGenerationOf(options: WorkerOptions): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const { ended } = superviseWorker(REPORTER, options, resolve);
    void ended.then((end) => end.kind === 'failed' && reject(end.error));
  });
}

describe('the young generation of a search', () => {
  test('a supervised worker gets the young generation of SEARCH_THREAD_LIMITS, unless its caller asks for another size', async () => {
    expect(SEARCH_THREAD_LIMITS.maxYoungGenerationSizeMb).toBeGreaterThan(48);
    expect(await youngGenerationOf({})).toBe(SEARCH_THREAD_LIMITS.maxYoungGenerationSizeMb);
    expect(await youngGenerationOf({ resourceLimits: { maxYoungGenerationSizeMb: 32 } })).toBe(32);
  });

  test('npm run soundness searches in a main thread with the same young generation', () => {
    const { soundness } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).scripts as Record<string, string>;
    const semiSpace = /--max-semi-space-size=(\d+)/.exec(soundness!);
    expect(semiSpace, `"soundness": ${soundness}`).not.toBeNull();
    // Two semi-spaces and a large-object space of the same size (a worker's default 48 MB is 3 x 16).
    expect(3 * Number(semiSpace![1])).toBe(SEARCH_THREAD_LIMITS.maxYoungGenerationSizeMb);
  });
});
