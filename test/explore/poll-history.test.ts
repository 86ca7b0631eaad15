/**
 * PollHistory's record of when a parked poller was woken, on a kemu run: a
 * poller parks on y == 0, a writer sets y to 1 (waking it), back to 0
 * (parking it again), then to 2. DPOR's reversals of the poller's step read
 * this record (src/explore/poll-history.ts).
 */
import { describe, expect, test } from 'vitest';
import { Cell, READ_ONCE, WRITE_ONCE, cpu_relax, spin_begin, type Kernel, type Task } from '../../src/kernel/index.js';
import { runSchedule } from '../../src/explore/run-schedule.js';
import { PollHistory } from '../../src/explore/poll-history.js';

/** Runs the writer to its end first, then the poller, noting the parked poller before every decision. */
async function record(): Promise<{ history: PollHistory; poller: Task }> {
  const history = new PollHistory();
  const steps = new Map<number, number>();
  let decision = 0;
  let poller: Task | null = null;
  const scenario = (kernel: Kernel): void => {
    const y = new Cell('y', 0);
    poller = kernel.spawn('poller', async () => {
      spin_begin();
      while ((await READ_ONCE(y)) !== 2) await cpu_relax();
    });
    kernel.spawn('writer', async () => {
      await WRITE_ONCE(y, 1);
      await WRITE_ONCE(y, 0);
      await WRITE_ONCE(y, 2);
    });
  };
  await runSchedule(scenario, {
    choose: (enabled, kernel) => {
      history.observe(decision++, kernel.tasks, (uid) => steps.get(uid) ?? 0);
      // The poller first, until it parks; then the writer whenever it can run.
      return enabled.find((t) => t.comm === 'poller' && (steps.get(t.uid) ?? 0) < 2) ?? enabled.find((t) => t.comm === 'writer') ?? enabled[0]!;
    },
    stepEnded: (task) => void steps.set(task.uid, (steps.get(task.uid) ?? 0) + 1),
  }, { maxSteps: 100, lockdep: { enabled: false }, faults: {}, capture: false });
  return { history, poller: poller! };
}

describe('PollHistory', () => {
  test('knows where a poller was woken, and which write parked it again', async () => {
    const { history, poller } = await record();
    // Positions: 0 swapper/0, 1 poller starts, 2 poller reads y = 0 and parks, 3 writer starts,
    // 4 y = 1, 5 y = 0, 6 y = 2, then the poller.
    const park = history.parkAfter(poller.uid, 2)!;
    expect(park).not.toBeNull();
    expect(park.seenAt).toBe(3);
    expect([3, 4, 5, 6, 7].map((p) => park.wokenBefore(p))).toEqual([false, false, true, false, true]);
    expect(park.wokenBefore(2)).toBeNull();
    // Before position 7 (the poller's woken step) the write at 5 put back the 0 it parked on.
    expect(park.lastParkedAgainBefore(7)).toBe(5);
    expect(park.lastParkedAgainBefore(5)).toBe(-1);
  });

  test('forgets what positions after a truncation showed', async () => {
    const { history, poller } = await record();
    history.truncate(5);
    const park = history.parkAfter(poller.uid, 2)!;
    expect(park.lastParkedAgainBefore(7)).toBe(-1);
    expect(park.wokenBefore(5)).toBe(true);
    history.truncate(2);
    expect(history.parkAfter(poller.uid, 2)).toBeNull();
  });
});
