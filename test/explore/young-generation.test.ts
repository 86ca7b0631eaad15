/**
 * The young generation kemu searches with (src/explore/young-generation.ts):
 * every supervised worker thread gets it, and `npm run soundness`, which
 * searches in node's main thread, gives it the same. That `--workers` threads
 * get it is checked on the compiled kemu (test/explore/worker-threads.test.ts).
 * The compiled `kemu` command turns allocation-site pretenuring off, and the
 * soundness and bench scripts start node with it off.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { WorkerOptions } from 'node:worker_threads';
import { describe, expect, test } from 'vitest';
import { superviseWorker } from '../../src/explore/watchdog.js';
import { SEARCH_THREAD_LIMITS, SEARCH_V8_FLAGS } from '../../src/explore/young-generation.js';
import { buildKemu } from '../support/built-kemu.js';

/** A worker that sends back the young generation it was given. */
const REPORTER = new URL(`data:text/javascript,${encodeURIComponent(
  "import { parentPort, resourceLimits } from 'node:worker_threads'; parentPort.postMessage(resourceLimits.maxYoungGenerationSizeMb);")}`);

function youngGenerationOf(options: WorkerOptions): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const { ended } = superviseWorker(REPORTER, options, resolve);
    void ended.then((end) => end.kind === 'failed' && reject(end.error));
  });
}

const scripts = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).scripts as Record<string, string>;

/** V8's trace of its pretenuring decisions: a line `pretenuring: …` at each scavenge that weighs them. */
const TRACE_PRETENURING = ['--trace-pretenuring', '--trace-pretenuring-statistics'];

describe('the young generation of a search', () => {
  test('a supervised worker gets the young generation of SEARCH_THREAD_LIMITS, unless its caller asks for another size', async () => {
    expect(SEARCH_THREAD_LIMITS.maxYoungGenerationSizeMb).toBeGreaterThan(48);
    expect(await youngGenerationOf({})).toBe(SEARCH_THREAD_LIMITS.maxYoungGenerationSizeMb);
    expect(await youngGenerationOf({ resourceLimits: { maxYoungGenerationSizeMb: 32 } })).toBe(32);
  });

  test('npm run soundness searches in a main thread with the same young generation', () => {
    const semiSpace = /--max-semi-space-size=(\d+)/.exec(scripts.soundness!);
    expect(semiSpace, `"soundness": ${scripts.soundness}`).not.toBeNull();
    // Two semi-spaces and a large-object space of the same size (a worker's default 48 MB is 3 x 16).
    expect(3 * Number(semiSpace![1])).toBe(SEARCH_THREAD_LIMITS.maxYoungGenerationSizeMb);
  });
});

describe('allocation-site pretenuring', () => {
  test('npm run soundness and npm run bench start node with SEARCH_V8_FLAGS', () => {
    for (const name of ['soundness', 'bench']) {
      const node = scripts[name]!.split('&&').at(-1)!.trim().split(/\s+/);
      expect(node[0], `"${name}": ${scripts[name]}`).toBe('node');
      for (const flag of SEARCH_V8_FLAGS) expect(node, `"${name}": ${scripts[name]}`).toContain(flag);
    }
  });

  test('the kemu command makes no pretenuring decision in a search, where a plain node process makes them', () => {
    // Objects that all outlive the scavenges they meet: V8 pretenures their allocation sites.
    const longLived = 'const keep = []; for (let i = 0; i < 1e6; i++) keep.push({ i, list: [i] }); console.log(keep.length);';
    const plain = spawnSync(process.execPath, [...TRACE_PRETENURING, '-e', longLived], { encoding: 'utf8' });
    expect(plain.stdout).toMatch(/pretenuring: .*=> tenure/);
    // A search of about a thousand schedules: over a hundred scavenges weigh pretenuring without the flag.
    const bin = buildKemu('young-generation');
    const run = spawnSync(process.execPath, [...TRACE_PRETENURING, bin, 'run', 'qi-zero-count', '--kernel', 'v6.12', '--counts', '1,1,0'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/qi-zero-count --counts 1,1,0 on v6\.12 — dpor: .* space exhausted, no failure/);
    expect(run.stdout.split('\n').filter((line) => line.includes('pretenuring:'))).toEqual([]);
  });
});
