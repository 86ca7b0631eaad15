/**
 * The classic cases a schedule explorer must get right, each with the buggy
 * program (it must find the failure) and the fixed one (it must find none).
 */
import { describe, expect, test } from 'vitest';
import { explore } from '../../src/explore/index.js';
import { Cell, Mutex, READ_ONCE, WRITE_ONCE, cpu_relax, mutex_lock, type Kernel } from '../../src/kernel/index.js';
import { renderReport } from '../../src/report/index.js';
import { abba, abbaSequenced, counter, independentWriters, peterson, spinWait } from '../../src/examples/classic-scenarios.js';
import type { ExploreOptions } from '../../src/explore/index.js';

/** These cases are about what the reduction explores, so they ask for it rather than the default search. */
const DPOR: ExploreOptions = { strategy: 'dpor' };

describe('lost update', () => {
  test('found without the lock', async () => {
    const result = await explore(counter(false), DPOR);
    expect(result.exhausted).toBe(true);
    expect(result.failures.map((f) => f.kind)).toEqual(['oops']);
    expect(result.failures[0]!.report.message).toContain('lost update: x = 1');
  });

  test('gone with the lock, on every schedule', async () => {
    const result = await explore(counter(true), DPOR);
    expect(result.exhausted).toBe(true);
    expect(result.failures).toEqual([]);
    expect(result.schedules).toBeGreaterThan(1);
  });
});

describe('ABBA deadlock', () => {
  test('found by exploration, reported as hung tasks with the owners', async () => {
    const result = await explore(abba, DPOR);
    const hang = result.failures.find((f) => f.kind === 'hung-task');
    expect(hang).toBeDefined();
    const task = hang!.report.task!;
    expect(task.waitsFor?.className).toMatch(/lock_[ab]/);
    expect(task.waitsFor?.owner).not.toBeNull();
    const text = renderReport(hang!.report);
    expect(text).toMatch(/^INFO: task cpu[12]:\d blocked for more than 120 seconds\.$/m);
    expect(text).toMatch(/is blocked on a mutex likely owned by task cpu[12]:\d\./);
    expect(text).toContain('Showing all locks held in the system:');
    expect(hang!.token).toMatch(/^k1\./);
  });

  test('flagged by lock-order validation from a single run that does not deadlock', async () => {
    const result = await explore(abbaSequenced, DPOR);
    expect(result.schedules).toBe(1);
    expect(result.failures.map((f) => f.kind)).toEqual(['lockdep-circular']);
    const text = renderReport(result.failures[0]!.report);
    expect(text).toContain('WARNING: possible circular locking dependency detected');
    expect(text).toContain('the existing dependency chain (in reverse order) is:');
    expect(text).toContain('*** DEADLOCK ***');
  });
});

describe('AA self-deadlock', () => {
  const selfDeadlock = (lockClass?: { name: string; novalidate: boolean }) => (k: Kernel) => {
    const m = new Mutex('m', lockClass);
    k.spawn('cpu1', async () => { await mutex_lock(m); await mutex_lock(m); });
  };

  test('reported at once, as the hung-task detector would: the task owns what it waits for', async () => {
    const result = await explore(selfDeadlock(), DPOR);
    expect(result.schedules).toBe(1);
    const hang = result.failures.find((f) => f.kind === 'hung-task')!;
    expect(hang.report.task!.waitsFor!.owner).toEqual({ comm: 'cpu1', pid: 2 });
    expect(renderReport(hang.report)).toContain('INFO: task cpu1:2 is blocked on a mutex likely owned by task cpu1:2.');
    // A validated class also gets lockdep's splat before the task blocks.
    expect(result.failures.map((f) => f.kind).sort()).toEqual(['hung-task', 'lockdep-recursive']);
  });

  test('a novalidate class (like &dev->mutex) only hangs; lockdep says nothing, as in the kernel', async () => {
    const result = await explore(selfDeadlock({ name: '&dev->mutex', novalidate: true }), DPOR);
    expect(result.failures.map((f) => f.kind)).toEqual(['hung-task']);
  });

  test('validating device mutexes on request adds the recursive-locking splat, and says it is kemu\'s doing', async () => {
    const result = await explore(selfDeadlock({ name: '&dev->mutex', novalidate: true }), { ...DPOR, lockdep: { validateDeviceMutex: true } });
    const splat = result.failures.find((f) => f.kind === 'lockdep-recursive')!;
    const text = renderReport(splat.report);
    expect(text).toContain('WARNING: possible recursive locking detected');
    expect(text).toContain('kemu: device mutexes validated on request');
  });
});

describe('spin-wait', () => {
  test('polling a flag nobody will set is a proven soft lockup', async () => {
    const result = await explore(spinWait(false), DPOR);
    const [lockup] = result.failures;
    expect(lockup!.kind).toBe('soft-lockup');
    expect(lockup!.report.task!.polls).toEqual([{ name: 'ready', value: '0' }]);
    expect(lockup!.report.stuckSeconds).toBeGreaterThanOrEqual(20);
    expect(renderReport(lockup!.report)).toMatch(/^watchdog: BUG: soft lockup - CPU#1 stuck for 2\ds! \[cpu1:2\]$/m);
  });

  test('polling a flag another task sets terminates on every schedule', async () => {
    const result = await explore(spinWait(true), DPOR);
    expect(result.failures).toEqual([]);
    expect(result.exhausted).toBe(true);
  });
});

describe('cpu_relax parks a poll that changed nothing', () => {
  test('a poller that rewrites the cell it polls parks once its writes change nothing', async () => {
    let polls = 0;
    const result = await explore((k) => {
      const x = new Cell('x', 0);
      k.spawn('cpu1', async () => {
        for (;;) {
          polls++;
          if ((await READ_ONCE(x)) === 1) return;
          await WRITE_ONCE(x, 2);
          await cpu_relax();
        }
      });
    }, DPOR);
    expect(result.failures.map((f) => f.kind)).toEqual(['soft-lockup']);
    // Per run, the first poll changes x (0 to 2) and must be repeated; the second only rewrites 2 and parks.
    // One run found the lockup and its replay did the same: four polls.
    expect(polls).toBe(4);
  });
});

describe('Peterson', () => {
  test('mutual exclusion holds on every schedule', async () => {
    const reduced = await explore(peterson(false), DPOR);
    const full = await explore(peterson(false), { strategy: 'exhaustive' });
    expect(reduced.failures).toEqual([]);
    expect(full.failures).toEqual([]);
    expect(reduced.exhausted && full.exhausted).toBe(true);
    expect(reduced.schedules).toBeLessThan(full.schedules);
  });

  test('breaks when turn is not written (a known-bad variant)', async () => {
    const result = await explore(peterson(true), DPOR);
    expect(result.failures.map((f) => f.report.message)).toEqual(['Error: two tasks in the critical section']);
  });
});

describe('schedule counts', () => {
  /** Each task: start (runs to its first write), write, write. Steps interleave freely. */
  const twoWriters = independentWriters(2, 2);

  test('unreduced search runs every interleaving: C(6,3) = 20 for two tasks of three steps', async () => {
    const result = await explore(twoWriters, { strategy: 'exhaustive' });
    expect(result.schedules).toBe(20);
    expect(result.exhausted).toBe(true);
  });

  test('partial-order reduction needs one schedule when nothing conflicts', async () => {
    const result = await explore(twoWriters, DPOR);
    expect(result.schedules).toBe(1);
    // The wakeup-tree algorithm alone cuts no run; the tree's top (split.ts), explored with sleep sets, cuts a few.
    expect((await explore(twoWriters, { ...DPOR, splitWeight: 1 })).pruned).toBe(0);
    expect(result.pruned).toBeGreaterThan(0);
  });

  test('with one shared cell written by both, DPOR runs exactly the two orders of the conflicting writes', async () => {
    const result = await explore((k) => {
      const x = new Cell('x', 0);
      k.spawn('cpu1', async () => { await WRITE_ONCE(x, 1); });
      k.spawn('cpu2', async () => { await WRITE_ONCE(x, 2); });
    }, DPOR);
    expect(result.schedules).toBe(2);
  });
});
