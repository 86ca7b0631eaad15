/**
 * Exit codes per subcommand: 1 only ever means a failure was found; bad
 * input is 2 with a message naming what was wrong (never a stack trace), and
 * an internal error in kemu is 3.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { EXIT_FAILURE_FOUND, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE } from '../../src/cli/exit-codes.js';
import { kemu } from '../support/run-kemu.js';

const dir = mkdtempSync(join(tmpdir(), 'kemu-exit-'));
const file = (name: string, contents: string) => {
  const path = join(dir, name);
  writeFileSync(path, contents);
  return path;
};

/** A real shard file, made by the command itself. */
async function shard(i: number): Promise<string> {
  const { code, text } = await kemu(['explore', 'abba', '--strategy', 'exhaustive', '--shard', `${i}/2`]);
  expect(code).toBe(EXIT_FAILURE_FOUND);
  return file(`shard-${i}.json`, text);
}

describe('bad input exits 2 with a message, and no stack', () => {
  const cases: [string, string[], RegExp][] = [
    ['run: an unknown name', ['run', 'no-such-thing'], /unknown board or scenario "no-such-thing"; known: /],
    ['run: a missing --html directory', ['run', 'abba', '--html', join(dir, 'missing', 'abba.html')], /--html .*: directory .*missing does not exist/],
    ['explore: --trace naming a directory', ['explore', 'abba', '--trace', dir], /--trace .*: is a directory; give a file name/],
    ['replay: a malformed token', ['replay', 'abba', 'not-a-token'], /not a kemu replay token/],
    ['replay: a missing --trace directory', ['replay', 'abba', 'k1.AA', '--trace', '/no/such/dir/t.json'], /--trace \/no\/such\/dir\/t\.json: directory \/no\/such\/dir does not exist/],
    ['boot: a scenario is not a board', ['boot', 'abba'], /unknown board "abba"/],
    ['bisect: an unknown board', ['bisect', 'nope'], /unknown board "nope"/],
    ['merge: a file that does not exist', ['merge', join(dir, 'absent.json')], /absent\.json: cannot read it \(ENOENT\)/],
    ['merge: a file that is not JSON', ['merge', file('garbage.json', '{"kemu": "sha')], /garbage\.json: not a kemu shard result: not JSON/],
    ['merge: JSON of another shape', ['merge', file('other.json', '{"kemu":"shard","target":{"name":"abba","variant":"","request":{"name":"abba","shape":{"lockdep":{}}}},"shard":{"index":0,"count":2},"result":{"found":"x"}}')],
      /other\.json: not a kemu shard result \(result\.strategy: .*; result\.exhaustiveStrategy: /],
    ['explore: a --failure that is not a number', ['explore', 'abba', '--failure', 'two'], /expected a whole number/],
    ['explore: --claims without --shard', ['explore', 'abba', '--strategy', 'dpor', '--claims', join(dir, 'claims')], /--claims shares the leaves of a sharded exploration: give --shard i\/n with it/],
    ['explore: --shard with --workers', ['explore', 'abba', '--strategy', 'dpor', '--shard', '1/2', '--workers', '2'],
      /--shard and --workers do not combine: run one shard per core instead \(more shards than machines\), with --claims on a directory they all share/],
    ['explore: --claims with random runs', ['explore', 'abba', '--strategy', 'random', '--shard', '1/2', '--claims', join(dir, 'claims')],
      /claimed shards split a systematic search \(dpor, exhaustive, bounded\) by the leaves of its tree; random runs are dealt by their number/],
  ];
  for (const [what, argv, message] of cases) {
    test(what, async () => {
      const { code, errors } = await kemu(argv);
      expect(code).toBe(EXIT_USAGE);
      expect(errors).toMatch(message);
      expect(errors).not.toMatch(/\n\s+at /);
    });
  }

  test('merge: a shard with a field of the wrong type names the field', async () => {
    const good = JSON.parse(readFileSync(await shard(1), 'utf8'));
    good.result.found[0].token = 42;
    const { code, errors } = await kemu(['merge', file('typed.json', JSON.stringify(good))]);
    expect(code).toBe(EXIT_USAGE);
    expect(errors).toMatch(/typed\.json: not a kemu shard result \(result\.found\.0\.token: /);
  });

  test('merge: a shard given twice is refused, naming both files', async () => {
    const one = await shard(1);
    const again = file('shard-1-again.json', readFileSync(one, 'utf8'));
    const { code, errors } = await kemu(['merge', one, again, await shard(2)]);
    expect(code).toBe(EXIT_USAGE);
    expect(errors).toMatch(/shard 1\/2 is given twice: .*shard-1\.json and .*shard-1-again\.json/);
  });

  test('merge: shards that claimed their leaves do not mix with shards dealt them by number', async () => {
    const claimed = await kemu(['explore', 'abba', '--strategy', 'exhaustive', '--claims', join(dir, 'abba-claims'), '--shard', '2/2']);
    expect(claimed.code).not.toBe(EXIT_USAGE);
    const { code, errors } = await kemu(['merge', await shard(1), file('claimed-2.json', claimed.text)]);
    expect(code).toBe(EXIT_USAGE);
    expect(errors).toMatch(/claimed-2\.json and .*shard-1\.json split the exploration differently: one claimed its leaves \(--claims\), the other did not/);
  });

  test('--failure beyond the failures found says how many there are', async () => {
    const { code, errors } = await kemu(['run', 'abba', '--failure', '9', '--trace', join(dir, 'nine.json')]);
    expect(code).toBe(EXIT_USAGE);
    expect(errors).toMatch(/--failure 9: the failures are numbered 1 to \d/);
  });
});

describe('the other codes', () => {
  test('merge of good shards: the merged result, exit 1 for the deadlock', async () => {
    const { code, text } = await kemu(['merge', await shard(1), await shard(2), '--no-timeline']);
    expect(code).toBe(EXIT_FAILURE_FOUND);
    expect(text).toMatch(/exhaustive: [\d,]+ schedules, space exhausted/);
  });

  test('a clean exploration exits 0', async () => {
    expect((await kemu(['run', 'peterson'])).code).toBe(EXIT_OK);
  });

  // A plug-in whose entries throw while they are built: an error in kemu's own code, not in the modelled kernel.
  const broken = [new URL('./fixtures/broken-plugin.ts', import.meta.url).href];
  const internal: string[][] = [
    ['run', 'broken'], ['explore', 'broken', '--strategy', 'random'], ['replay', 'broken', 'k1.AA'],
    ['boot', 'broken-board'], ['bisect', 'broken-board'], ['run', 'broken-board'],
  ];
  for (const argv of internal) {
    test(`an error inside kemu is internal: \`kemu ${argv.join(' ')}\` exits 3, not 1`, async () => {
      const { code, errors } = await kemu(argv, { plugins: broken });
      expect(code).toBe(EXIT_INTERNAL);
      expect(errors).toMatch(/^kemu: internal error \(a bug in kemu, not a finding; please report it with the command line\):\nTypeError: cannot read dtb of undefined/);
    });
  }

  test('--help lists the exit codes', async () => {
    const { code, text } = await kemu(['--help']);
    expect(code).toBe(EXIT_OK);
    expect(text).toMatch(/Exit codes:\n\s+0\s+no failure found\n\s+1\s+a failure was found.*\n\s+2\s+bad usage or bad input\n\s+3\s+internal error.*\n\s+4\s+stopped by the watchdog: a task ran --watchdog seconds without a\n\s+scheduling point .*\n.*printed\n\s+130\s+interrupted/);
  });
});
