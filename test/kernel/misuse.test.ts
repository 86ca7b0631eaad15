/**
 * Misusing the emulator gives a clear error naming the task, never a hang of
 * the test process and never a silent wrong answer.
 */
import { describe, expect, test } from 'vitest';
import { explore } from '../../src/explore/index.js';
import { Cell, KemuError, WRITE_ONCE } from '../../src/kernel/index.js';

describe('tasks that escape the scheduler', () => {
  test('awaiting a timer stops the exploration with an escaped-task error naming the task', async () => {
    const attempt = explore((k) => {
      const x = new Cell('x', 0);
      k.spawn('kworker/u16:3', async () => {
        await WRITE_ONCE(x, 1);
        await new Promise((resolve) => setTimeout(resolve, 5));
        await WRITE_ONCE(x, 2);
      });
    });
    await expect(attempt).rejects.toThrow(KemuError);
    await expect(attempt).rejects.toMatchObject({ kind: 'escaped-task' });
    await expect(attempt).rejects.toThrow(/task kworker\/u16:3:2, after its step \d+ .*awaited a promise kemu does not control/);
  });

  test('a nondeterministic scenario is caught when a replayed prefix no longer fits', async () => {
    let flip = 0;
    const attempt = explore((k) => {
      const x = new Cell('x', 0);
      const first = flip++ % 2 === 0;
      k.spawn(first ? 'cpu1' : 'cpu2', async () => { await WRITE_ONCE(x, 1); });
      if (first) k.spawn('cpu3', async () => { await WRITE_ONCE(x, 2); });
    });
    await expect(attempt).rejects.toThrow(/not deterministic/);
  });
});
