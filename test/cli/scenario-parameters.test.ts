/**
 * Scenario parameters on the command line: `kemu run qi-zero-count --counts
 * 1,1,0 --queue-length 4 …` reaches the scenario, every command kemu prints
 * repeats the parameters, shard files and worker threads carry them, `--help`
 * lists them, and a bad value is a one-line error with exit 2.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { EXIT_FAILURE_FOUND, EXIT_OK, EXIT_USAGE } from '../../src/cli/exit-codes.js';
import { explore } from '../../src/explore/explore.js';
import { qiZeroCount } from '../../drivers/iommu/intel/scenarios.js';
import { buildKemu } from '../support/built-kemu.js';
import { kemu as run } from '../support/run-kemu.js';
import { seen } from './fixtures/lazy-plugin.js';

const kemu = (...argv: string[]) => run(argv);
const LAZY = fileURLToPath(new URL('./fixtures/lazy-plugin.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kemu-params-'));

describe('qi-zero-count parameters', () => {
  test('--counts picks the CPUs, and the replay it prints repeats it and reproduces the lockup', async () => {
    const found = await kemu('run', 'qi-zero-count', '--counts', '1,1,0', '--first', '--no-timeline');
    expect(found.code).toBe(EXIT_FAILURE_FOUND);
    expect(found.text).toMatch(/soft lockup - CPU#2 stuck/);
    expect(found.text).toMatch(/✗ qi-zero-count --counts 1,1,0 on v6\.11 — /);
    const command = /Replay: npx kemu (replay qi-zero-count --kernel v6\.11 --counts 1,1,0 k1\.\S+)/.exec(found.text)![1]!;
    const again = await kemu(...command.split(' '), '--no-timeline');
    expect(again.code).toBe(EXIT_FAILURE_FOUND);
    expect(again.text).toMatch(/soft lockup - CPU#2 stuck/);
  });

  test('the parameters may come before the name, and --json names them', async () => {
    const { code, text } = await kemu('run', '--queue-length', '4', '--submissions', '2', '--kernel', 'v6.12', '--counts', '1,1', 'qi-zero-count', '--json');
    expect(code).toBe(EXIT_OK);
    const result = JSON.parse(text);
    expect(result.target).toEqual({ kind: 'scenario', name: 'qi-zero-count', variant: 'v6.12', params: { counts: [1, 1], queueLength: 4, submissions: 2 } });
    // Two submissions per CPU on a ring of 4: the second waits for room, as the builder called with the same options does.
    const direct = await explore(qiZeroCount({ counts: [1, 1], queueLength: 4, submissions: 2, variant: 'v6.12' }), { strategy: 'dpor' });
    expect(result).toMatchObject({ exhausted: true, failures: [], schedules: direct.schedules });
    expect(direct.schedules).not.toBe((await explore(qiZeroCount({ counts: [1, 1], variant: 'v6.12' }), { strategy: 'dpor' })).schedules);
  });

  test('--invariants states the queue\'s invariants: the reclaimed wait slot breaks one before the lockup', async () => {
    const { code, text } = await kemu('run', 'qi-zero-count', '--invariants', '--first', '--json');
    expect(code).toBe(EXIT_FAILURE_FOUND);
    const [failure] = JSON.parse(text).failures;
    expect(failure).toMatchObject({ kind: 'invariant' });
    expect(failure.title).toMatch(/no slot its owner polls is QI_FREE/);
    expect(failure.replay).toMatch(/ --invariants k1\./);
  });

  test('--legacy-queue runs the 128-bit queue: IQA without DW and QS', async () => {
    const found = JSON.parse((await kemu('run', 'qi-zero-count', '--legacy-queue', '--first', '--json')).text);
    const replay = await kemu(...found.failures[0].replay.replace(/^npx kemu /, '').split(' '), '--detail', 'ops');
    expect(replay.code).toBe(EXIT_FAILURE_FOUND);
    expect(replay.text).toContain('writel(dmar0.IQA_REG, 0x10000)');
    const scalable = JSON.parse((await kemu('run', 'qi-zero-count', '--first', '--json')).text);
    expect((await kemu(...scalable.failures[0].replay.replace(/^npx kemu /, '').split(' '), '--detail', 'ops')).text).toContain('writel(dmar0.IQA_REG, 0x10801)');
  });

  test('shards carry the parameters, and merge gives the single search\'s result', async () => {
    const argv = ['explore', 'qi-zero-count', '--kernel', 'v6.12', '--counts', '2,0', '--queue-length', '4', '--strategy', 'bounded', '--preemptions', '1'];
    const files = [];
    for (const i of [1, 2]) {
      const shard = await kemu(...argv, '--shard', `${i}/2`);
      expect(shard.code).toBe(EXIT_OK);
      expect(JSON.parse(shard.text).target.request.params).toEqual({ counts: [2, 0], queueLength: 4 });
      files.push(join(dir, `qi-${i}.json`));
      writeFileSync(files.at(-1)!, shard.text);
    }
    const merged = JSON.parse((await kemu('merge', ...files, '--json')).text);
    const single = JSON.parse((await kemu(...argv, '--json')).text);
    expect(merged.target).toEqual(single.target);
    expect([merged.schedules, merged.exhausted]).toEqual([single.schedules, true]);
  });

  test('worker threads of the compiled command explore the same configuration', async () => {
    const argv = ['explore', 'qi-zero-count', '--kernel', 'v6.12', '--counts', '2,0', '--queue-length', '4', '--strategy', 'bounded', '--preemptions', '1', '--json'];
    const workers = spawnSync(process.execPath, [buildKemu('scenario-parameters'), ...argv, '--workers', '2'], { encoding: 'utf8' });
    expect(workers.status, workers.stderr).toBe(EXIT_OK);
    const single = JSON.parse((await kemu(...argv)).text);
    const parallel = JSON.parse(workers.stdout);
    expect(parallel.target).toEqual(single.target);
    expect([parallel.schedules, parallel.exhausted]).toEqual([single.schedules, true]);
  });

  test('--help lists the scenario\'s parameters with their defaults', async () => {
    const { code, text } = await kemu('run', 'qi-zero-count', '--help');
    expect(code).toBe(EXIT_OK);
    expect(text.replace(/\s+/g, ' ')).toMatch(/--counts <list> qi-zero-count: descriptors each CPU submits per call, .* \(default: 1,0\)/);
    expect(text).toMatch(/--legacy-queue/);
  });

  const bad: [string, string[], RegExp][] = [
    ['a list with a word in it', ['--counts', '1,x'], /^kemu: --counts 1,x: expected 1 to 8 whole numbers of at least 0, separated by commas \(e\.g\. 1,0\)$/],
    ['a count that does not fit the ring', ['--counts', '7,0'], /^kemu: count 7 does not fit a queue of 8 slots: a submission needs count \+ 2 free slots$/],
    ['an odd ring', ['--queue-length', '5'], /^kemu: a queue of 5 slots: QI_LENGTH must be an even whole number of at least 4$/],
    ['no submissions', ['--submissions', '0'], /^kemu: --submissions 0: expected a whole number of at least 1$/],
  ];
  for (const [what, argv, message] of bad) {
    test(`bad value, exit 2: ${what}`, async () => {
      const { code, errors } = await kemu('run', 'qi-zero-count', ...argv);
      expect(code).toBe(EXIT_USAGE);
      expect(errors).toMatch(message);
      expect(errors.split('\n')).toHaveLength(1);
    });
  }

  test('a board takes no scenario parameters', async () => {
    const { code, errors } = await kemu('run', 'omap4', '--counts', '1,0');
    expect(code).toBe(EXIT_USAGE);
    expect(errors).toMatch(/unknown option '--counts'/);
  });
});

describe('parameters of a plug-in\'s scenario', () => {
  test('reach its builder typed, with the defaults of those not given', async () => {
    expect((await kemu('--load', LAZY, 'run', 'recorder', '--widths', '3,1,2', '--loud')).code).toBe(EXIT_OK);
    expect(seen.params).toEqual({ widths: [3, 1, 2], rounds: 1, loud: true });
  });

  test('a parameter named like one of kemu\'s options is refused', async () => {
    const { code, errors } = await kemu('--load', LAZY, 'run', 'clashing-parameter');
    expect(code).toBe(EXIT_USAGE);
    expect(errors).toMatch(/scenario clashing-parameter declares the parameter --seed, which is an option of `kemu run` already: rename it/);
  });

  test('a lazy entry must load the entry it names', async () => {
    const { code, errors } = await kemu('--load', LAZY, 'run', 'misnamed');
    expect(code).toBe(EXIT_USAGE);
    expect(errors).toMatch(/scenario "misnamed" of lazy-plugin \(.*lazy-plugin\.ts\) loaded "recorder": its load\(\) must resolve to the scenario named "misnamed"/);
  });
});
