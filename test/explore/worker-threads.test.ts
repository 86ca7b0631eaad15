/**
 * Exploring in worker threads, against the compiled kemu as a project that
 * installs kemu has it (worker threads run JavaScript).
 *
 * exploreInWorker: explore() in a worker thread under the run watchdog, for
 * a scenario a module exports. It gives what explore() gives; a task looping
 * with no scheduling point is stopped after watchdogMs with a runaway-task
 * error that says where it loops and what was found before; a KemuError
 * thrown in the worker keeps its kind.
 *
 * searchInWorkers (`kemu explore --workers`): each shard hands each failure
 * over as it finds it, and its runs beat into a heartbeat of its own, which
 * is how the command's watchdog watches shards; a schedule limit counts the
 * schedules of all of them.
 *
 * The compiled kemu names its own source lines, in call traces and in the
 * stack of an internal error, with no source maps turned on in node.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { explore, search } from '../../src/explore/index.js';
import { abba, peterson } from '../../src/examples/classic-scenarios.js';
import { buildKemu } from '../support/built-kemu.js';

const built = resolve(buildKemu('explore-in-worker'), '..', '..');
const url = (path: string) => pathToFileURL(resolve(built, path)).href;
const compiled = (await import(url('src/explore/index.js'))) as typeof import('../../src/explore/index.js');
const looping = (name: string) => ({ module: url('test/cli/fixtures/looping-plugin.js'), factory: 'looping', args: [name] });
const builtinAbba = { module: url('src/cli/worker-target.js'), factory: 'workerScenario', args: [[url('catalog/builtin.js')], { name: 'abba' }] };

describe('exploreInWorker', () => {
  test('gives what explore() gives: schedules, failures, tokens and reports', async () => {
    const inWorker = await compiled.exploreInWorker(builtinAbba, { strategy: 'dpor' });
    const here = await explore(abba, { strategy: 'dpor' });
    const essence = (r: typeof here) => ({ schedules: r.schedules, exhausted: r.exhausted, failures: r.failures.map((f) => [f.signature, f.token, f.report.title]) });
    expect(essence(inWorker)).toEqual(essence(here));
    expect(inWorker.failures[0]!.report.task!.callTrace).toContainEqual(expect.stringMatching(/^mutex_lock \(src\/kernel\/locking\/mutex\.ts:\d+\)$/));
  });

  test('stops a task that loops with no scheduling point: where it loops, and the tokens found before; runaway-task', async () => {
    const started = performance.now();
    const attempt = compiled.exploreInWorker(looping('loop-on-a-flag'), { watchdogMs: 500 });
    await expect(attempt).rejects.toMatchObject({ name: 'KemuError', kind: 'runaway-task' });
    expect(performance.now() - started).toBeLessThan(20_000);
    const message = await attempt.catch((e: Error) => e.message);
    expect(message).toMatch(/^task cpu1:2 ran 0.5 s without a scheduling point, after its step 5 \(READ_ONCE\(flag\)\)\nIts last scheduling point:\n {2}READ_ONCE /);
    expect(message).toMatch(/\n {2}poll_flag \(test\/cli\/fixtures\/looping-plugin\.ts:\d+\)\n/);
    expect(message).toMatch(/\nwatchdogMs sets how long a step may run \(0: no limit\)\.\nFound before it \(replay each token to see it\):\n {2}warn:poll_flag:WARN_ON: k1\.\S+$/);
  });

  test('a misuse inside the worker is the KemuError explore() would throw', async () => {
    await expect(compiled.exploreInWorker(looping('loop-on-a-flag'), { strategy: { kind: 'pct', depth: 0, seed: 1, runs: 1 } }))
      .rejects.toMatchObject({ kind: 'bad-usage', message: 'PCT depth must be a whole number of at least 1, not 0' });
  });

  test('from kemu\'s .ts sources it says it needs kemu compiled', async () => {
    await expect(import('../../src/explore/index.js').then((m) => m.exploreInWorker(looping('loop-on-a-flag'))))
      .rejects.toThrow(/exploreInWorker runs kemu in a worker thread, which needs kemu compiled to JavaScript/);
  });
});

describe('searchInWorkers', () => {
  test('each shard hands over each failure as it finds it, and beats into a heartbeat of its own', async () => {
    const { searchInWorkers } = (await import(url('src/explore/parallel.js'))) as typeof import('../../src/explore/parallel.js');
    const { HB_RUN, createHeartbeat } = (await import(url('src/kernel/heartbeat.js'))) as typeof import('../../src/kernel/heartbeat.js');
    const handed: string[] = [];
    const heartbeats: Int32Array[] = [];
    const result = await searchInWorkers(builtinAbba, { strategy: 'exhaustive' }, 2, {
      onFailure: (f) => void handed.push(f.signature),
      heartbeat: () => heartbeats[heartbeats.push(createHeartbeat(20_000)) - 1]!,
    });
    expect(result.found.length).toBeGreaterThan(0);
    expect(new Set(handed)).toEqual(new Set(result.found.map((f) => f.signature)));
    expect(heartbeats.map((h) => h[HB_RUN]! > 0)).toEqual([true, true]);
    expect(heartbeats.reduce((runs, h) => runs + h[HB_RUN]!, 0)).toBeGreaterThanOrEqual(result.schedules);
  });

  test('the merged failures are one search\'s: the token kept, where each was first seen, how often', async () => {
    const { searchInWorkers } = (await import(url('src/explore/parallel.js'))) as typeof import('../../src/explore/parallel.js');
    const failures = (r: { found: readonly { signature: string; token: string; firstSchedule: number; occurrences: number }[] }) =>
      r.found.map((f) => [f.signature, f.token, f.firstSchedule, f.occurrences]).sort();
    // Broken Peterson is first seen past the tree's first leaf; which worker takes which leaf varies from run to run,
    // and the merge must number the runs as one search does whatever the split (sharding.test.ts fixes the splits).
    const brokenPeterson = { ...builtinAbba, args: [builtinAbba.args[0], { name: 'peterson-broken' }] };
    const inWorkers = await searchInWorkers(brokenPeterson, { strategy: 'exhaustive' }, 2);
    expect(failures(inWorkers)).toEqual(failures(await search(peterson(true), { strategy: 'exhaustive' })));
  });

  test('reports the whole search\'s progress: the schedules of all workers, each failure once', async () => {
    const { searchInWorkers } = (await import(url('src/explore/parallel.js'))) as typeof import('../../src/explore/parallel.js');
    // The 0-count lockup with four CPUs: both workers meet it at once, and 12,000 schedules take seconds.
    const lockup = { ...builtinAbba, args: [builtinAbba.args[0], { name: 'qi-zero-count', kernel: 'v6.11', params: { counts: [1, 1, 1, 0] } }] };
    const reports: { schedules: number; failures: number }[] = [];
    const result = await searchInWorkers(lockup, { strategy: 'dpor', maxSchedules: 12_000 }, 2, { onProgress: (p) => void reports.push(p) });
    // Each worker reports about twice a second, and each report counts both.
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.map((r) => r.schedules)).toEqual([...reports.map((r) => r.schedules)].sort((a, b) => a - b));
    const last = reports[reports.length - 1]!;
    expect(last.schedules).toBeGreaterThan(0);
    expect(last.schedules).toBeLessThanOrEqual(result.schedules);
    expect(result.found.length).toBeGreaterThan(0);
    expect(last.failures).toBe(result.found.length);
  });

  test('a schedule limit holds for the search, not for each worker: a limit of 30 on 2 workers is 30 schedules', async () => {
    const { searchInWorkers } = (await import(url('src/explore/parallel.js'))) as typeof import('../../src/explore/parallel.js');
    const petersonOk = { ...builtinAbba, args: [builtinAbba.args[0], { name: 'peterson' }] };
    const limited = await searchInWorkers(petersonOk, { strategy: 'exhaustive', maxSchedules: 30 }, 2);
    expect([limited.schedules, limited.stoppedBy]).toEqual([30, 'schedule-limit']);
  });
});

describe('search threads', () => {
  test('exploreInWorker and searchInWorkers search with the young generation of SEARCH_THREAD_LIMITS', async () => {
    const { SEARCH_THREAD_LIMITS } = (await import(url('src/explore/young-generation.js'))) as typeof import('../../src/explore/young-generation.js');
    const { searchInWorkers } = (await import(url('src/explore/parallel.js'))) as typeof import('../../src/explore/parallel.js');
    const young = { module: url('test/explore/fixtures/young-generation-scenario.js'), factory: 'warnYoungGeneration', args: [SEARCH_THREAD_LIMITS.maxYoungGenerationSizeMb] };
    const explored = await compiled.exploreInWorker(young, { strategy: 'dpor' });
    expect(explored.failures.map((f) => f.signature)).toEqual(['warn:young_generation_as_asked:WARN_ON']);
    const searched = await searchInWorkers(young, { strategy: 'dpor' }, 2);
    expect(searched.found.map((f) => f.signature)).toEqual(['warn:young_generation_as_asked:WARN_ON']);
  });
});

describe('source lines of the compiled kemu', () => {
  test('the stack of an error thrown in compiled kemu names the .ts file and line it came from', async () => {
    const { sourceMappedStack } = (await import(url('src/kernel/sched/call-trace.js'))) as typeof import('../../src/kernel/sched/call-trace.js');
    const thrown = await compiled.explore(abba, { strategy: { kind: 'pct', depth: 0, seed: 1, runs: 1 } }).catch((e: Error) => e);
    expect((thrown as Error).stack).toMatch(/\/src\/explore\/explore\.js:\d+:\d+/);
    const mapped = sourceMappedStack((thrown as Error).stack!);
    expect(mapped).toMatch(/\/src\/explore\/explore\.ts:\d+\)/);
    expect(mapped).not.toMatch(/\/src\/explore\/explore\.js:/);
    expect(mapped.split('\n')[0]).toBe((thrown as Error).stack!.split('\n')[0]);
  });
});
