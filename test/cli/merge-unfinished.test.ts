/**
 * `kemu merge` of shards that did not all finish their part (a CI matrix job
 * cancelled, timed out, or given a limit): the merge names each such shard,
 * its file and how it ended, says how the merged search stopped whatever the
 * order of the files, and does not exit 130, which would say Ctrl-C stopped
 * the merge itself.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { EXIT_OK } from '../../src/cli/exit-codes.js';
import { kemu } from '../support/run-kemu.js';

const dir = mkdtempSync(join(tmpdir(), 'kemu-merge-'));

/** Shard `i` of 2 of an exhaustive search of locked-update (37 schedules each), with extra options, written to a file. */
async function shard(i: number, name: string, extra: string[] = [], edit: (json: { result: { stoppedBy: string } }) => void = () => {}): Promise<string> {
  const { code, text } = await kemu(['explore', 'locked-update', '--strategy', 'exhaustive', '--shard', `${i}/2`, ...extra]);
  expect(code).toBe(EXIT_OK);
  const json = JSON.parse(text);
  edit(json);
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(json));
  return path;
}

describe('kemu merge of shards that did not finish', () => {
  test('names the shard a limit stopped, and the one that was interrupted; exits 0 for no failure', async () => {
    const limited = await shard(1, 'limited.json', ['--max-schedules', '5']);
    // A shard stopped by Ctrl-C (or a cancelled CI job) writes its partial result with this reason.
    const interrupted = await shard(2, 'interrupted.json', [], (json) => void (json.result.stoppedBy = 'interrupted'));

    for (const files of [[limited, interrupted], [interrupted, limited]]) {
      const { code, text, errors } = await kemu(['merge', ...files, '--no-timeline']);
      expect(code).toBe(EXIT_OK);
      expect(errors).toContain(`kemu: shard 1/2 (${limited}) was stopped by its --max-schedules after 5 schedules: ` +
        'the merge covers only what it ran; explore that shard again to cover the rest of it');
      expect(errors).toContain(`kemu: shard 2/2 (${interrupted}) was interrupted after 37 schedules`);
      expect(text).toMatch(/exhaustive: 42 schedules, NOT exhausted \(stopped: interrupted\)/);
    }
  });

  test('says nothing of shards that finished', async () => {
    const { code, text, errors } = await kemu(['merge', await shard(1, 'one.json'), await shard(2, 'two.json'), '--no-timeline']);
    expect(code).toBe(EXIT_OK);
    expect(errors).not.toMatch(/shard \d\/2/);
    expect(text).toMatch(/exhaustive: 74 schedules, space exhausted/);
  });
});
