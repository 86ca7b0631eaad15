/**
 * The young generation kemu searches with (SEARCH_YOUNG_GENERATION_MB in
 * src/explore/watchdog.ts): every supervised worker thread gets it, and the
 * package scripts that search in node's main thread give it the same.
 */
import { readFileSync } from 'node:fs';
import type { WorkerOptions } from 'node:worker_threads';
import { describe, expect, test } from 'vitest';
import { SEARCH_YOUNG_GENERATION_MB, superviseWorker } from '../../src/explore/watchdog.js';

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
  test('a supervised worker gets SEARCH_YOUNG_GENERATION_MB, unless its caller asks for another size', async () => {
    expect(SEARCH_YOUNG_GENERATION_MB).toBeGreaterThan(48);
    expect(await youngGenerationOf({})).toBe(SEARCH_YOUNG_GENERATION_MB);
    expect(await youngGenerationOf({ resourceLimits: { maxYoungGenerationSizeMb: 32 } })).toBe(32);
  });

  test.each(['bench', 'soundness'])('npm run %s searches in a main thread with the same young generation', (script) => {
    const scripts = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).scripts as Record<string, string>;
    const semiSpace = /--max-semi-space-size=(\d+)/.exec(scripts[script]!);
    expect(semiSpace, `"${script}": ${scripts[script]}`).not.toBeNull();
    // Two semi-spaces and a large-object space of the same size (a worker's default 48 MB is 3 x 16).
    expect(3 * Number(semiSpace![1])).toBe(SEARCH_YOUNG_GENERATION_MB);
  });
});
