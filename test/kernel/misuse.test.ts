/**
 * Misusing the emulator gives a clear error naming the task, never a hang of
 * the test process and never a silent wrong answer.
 */
import { describe, expect, test } from 'vitest';
import { explore, search } from '../../src/explore/index.js';
import { Cell, KemuError, READ_ONCE, WRITE_ONCE, type Kernel } from '../../src/kernel/index.js';

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

  test('two searches at once in one thread: the second is refused, the first goes on to its own result', async () => {
    const scenario = (k: Kernel) => {
      const x = new Cell('x', 0);
      for (const comm of ['cpu1', 'cpu2']) k.spawn(comm, async () => { await WRITE_ONCE(x, (await READ_ONCE(x)) + 1); });
    };
    const alone = await search(scenario, { strategy: 'exhaustive' });
    const [first, second] = await Promise.allSettled([search(scenario, { strategy: 'exhaustive' }), search(scenario, { strategy: 'exhaustive' })]);
    expect(second).toMatchObject({ status: 'rejected', reason: { kind: 'bad-usage' } });
    expect((second as PromiseRejectedResult).reason.message).toMatch(/^another kemu run is in progress in this thread: two searches \(or replays\) at once would interleave their steps\. Await one before starting the next, or run them in worker threads/);
    expect(first).toMatchObject({ status: 'fulfilled', value: { schedules: alone.schedules, stoppedBy: 'exhausted' } });
  });
});

describe('a task that runs on with no scheduling point', () => {
  test('a loop over plain memory is a lockup of that task, reported with where it loops; the run ends', async () => {
    const result = await explore((k) => {
      const flag = new Cell('flag', 0);
      k.spawn('cpu1', async () => {
        while (flag.get() === 0) {
          // A poll that forgot cpu_relax(): nothing else can ever run on this CPU.
        }
      });
      k.spawn('cpu2', async () => { await WRITE_ONCE(flag, 1); });
    }, { strategy: 'dpor' });
    const lockup = result.failures.find((f) => f.signature.startsWith('soft-lockup:runaway'));
    expect(lockup).toBeDefined();
    expect(lockup!.title).toMatch(/cpu1 loops forever in .* without a scheduling point/);
    expect(lockup!.report.message).toMatch(/200,000 memory accesses in one step/);
    // The schedule where cpu2 writes first ends cleanly: the loop never runs.
    expect(result.schedules).toBe(2);
  });
});

describe('two kernel calls at once in one task', () => {
  for (const strategy of ['default', 'dpor', 'exhaustive', { kind: 'random', runs: 5 }, { kind: 'pct', runs: 20 }] as const) {
    test(`Promise.all over two kernel calls is a clear error (${typeof strategy === 'string' ? strategy : strategy.kind})`, async () => {
      const attempt = explore((k) => {
        const a = new Cell('a', 0);
        const b = new Cell('b', 0);
        k.spawn('cpu1', async () => { await Promise.all([WRITE_ONCE(a, 1), WRITE_ONCE(b, 1)]); });
      }, { strategy });
      await expect(attempt).rejects.toMatchObject({ kind: 'bad-usage' });
      await expect(attempt).rejects.toThrow(/two kernel calls at once \(Promise\.all\)/);
    });
  }
});
