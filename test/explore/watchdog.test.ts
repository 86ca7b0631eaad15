/**
 * The run watchdog's parts that run in one thread: the heartbeat the kernel
 * writes, the watchdog that tells a stalled step from progress, and the
 * replay that says which task loops and where. That it stops a real loop in
 * a worker thread is checked on the compiled command (test/cli/watchdog.test.ts).
 */
import { afterEach, describe, expect, test } from 'vitest';
import { runOnce } from '../../src/explore/index.js';
import { replayToStall, stallMessage, Watchdog, type Stall, type WatchedRuns } from '../../src/explore/watchdog.js';
import { Cell, current, WRITE_ONCE } from '../../src/kernel/index.js';
import { HB_PIDS, HB_RUN, HB_STEP, beatInto, createHeartbeat } from '../../src/kernel/heartbeat.js';
import { loopOnAFlag, loopWhenReplayed } from '../cli/fixtures/looping-plugin.js';

afterEach(() => beatInto(null));

describe('the heartbeat', () => {
  test('each step writes its number and the pid of the task taking it; the end of the run clears the step', async () => {
    const heartbeat = createHeartbeat(100);
    beatInto(heartbeat);
    // What a task sees in the heartbeat while its step runs: that step, and its own pid.
    const seen: { step: number; pid: number }[] = [];
    const expected: { step: number; pid: number }[] = [];
    const run = await runOnce((k) => {
      const x = new Cell('x', 0);
      for (const comm of ['cpu1', 'cpu2']) {
        k.spawn(comm, async () => {
          await WRITE_ONCE(x, 1);
          const step = heartbeat[HB_STEP]!;
          seen.push({ step, pid: heartbeat[HB_PIDS + step]! });
          expected.push({ step: k.stepCount, pid: current().pid });
        });
      }
    });
    expect(seen).toHaveLength(2);
    expect(seen).toEqual(expected);
    expect(Array.from(heartbeat.subarray(HB_PIDS + 1, HB_PIDS + 1 + run.steps))).toEqual(run.trace.map((s) => s.pid));
    expect(heartbeat[HB_RUN]).toBe(1);
    expect(heartbeat[HB_STEP]).toBe(0);
  });
});

describe('the watchdog', () => {
  const source = { module: 'file:///nowhere.js', factory: 'none', args: [] };
  /** A watchdog on a fake clock, watching one heartbeat of runs of `maxSteps`; `at(ms)` looks at that time. */
  function watched(limitMs: number, maxSteps = 10): { heartbeat: Int32Array; at: (ms: number) => Stall | null } {
    let now = 0;
    const dog = new Watchdog(() => now);
    const heartbeat = createHeartbeat(maxSteps);
    dog.watch({ source, settings: { lockdep: {}, faults: {} }, limitMs, heartbeat } satisfies WatchedRuns);
    return { heartbeat, at: (ms) => ((now = ms), dog.check()) };
  }
  const beat = (heartbeat: Int32Array, run: number, pids: number[]) => {
    heartbeat[HB_RUN] = run;
    heartbeat[HB_STEP] = pids.length;
    heartbeat.set(pids, HB_PIDS + 1);
  };

  test('a step that stands still for the limit is a stall: the step, its task and the run so far', () => {
    const { heartbeat, at } = watched(1000);
    beat(heartbeat, 1, [1, 3, 3, 2, 2]);
    expect(at(0)).toBeNull();
    expect(at(999)).toBeNull();
    expect(at(1000)).toMatchObject({ step: 5, pid: 2, schedule: [1, 3, 3, 2, 2] });
  });

  test('steps that go on, and a new run at the same step, are progress', () => {
    const { heartbeat, at } = watched(1000);
    beat(heartbeat, 1, [1, 2]);
    expect(at(0)).toBeNull();
    beat(heartbeat, 1, [1, 2, 2]);
    expect(at(900)).toBeNull();
    beat(heartbeat, 2, [1, 2, 2]);
    expect(at(1800)).toBeNull();
    expect(at(2700)).toBeNull();
    expect(at(2800)).toMatchObject({ step: 3 });
  });

  test('a run longer than the heartbeat records stalls without its task or schedule', () => {
    const { heartbeat, at } = watched(1000, 3);
    beat(heartbeat, 1, [1, 2, 2]);
    heartbeat[HB_STEP] = 5;
    expect(at(0)).toBeNull();
    expect(at(1000)).toMatchObject({ step: 5, pid: 0, schedule: [] });
  });

  test('a thread between runs never stalls', () => {
    const { heartbeat, at } = watched(1000);
    beat(heartbeat, 4, []);
    expect(at(0)).toBeNull();
    expect(at(60_000)).toBeNull();
  });
});

describe('replaying a stalled run up to its stalled step', () => {
  const settings = { lockdep: {}, faults: {} };

  test('says which task took the step, its operation, and the call trace of that scheduling point', async () => {
    // cpu2 (pid 3) sets the flag, then cpu1 (pid 2) reads it at step 5 and loops.
    const described = await replayToStall(loopOnAFlag, [1, 3, 3, 2, 2], settings);
    expect(described).toMatchObject({ comm: 'cpu1', op: 'READ_ONCE(flag)', reports: [] });
    expect(described.callTrace).toContainEqual(expect.stringMatching(/^poll_flag \(test\/cli\/fixtures\/looping-plugin\.ts:\d+\)$/));
  });

  test('and what the run reported before it', async () => {
    const described = await replayToStall(loopWhenReplayed, [1, 2, 2], settings);
    expect(described).toMatchObject({ comm: 'cpu1', op: 'WRITE_ONCE(done, 1)', reports: ['WARNING in warn_then_spin: WARN_ON(1)'] });
  });

  test('a schedule the scenario does not follow is a replay mismatch, not a wrong answer', async () => {
    await expect(replayToStall(loopWhenReplayed, [1, 3, 3], settings)).rejects.toMatchObject({
      kind: 'replay-mismatch', message: expect.stringMatching(/at step 2 of the replay, pid 3 cannot run as it did in the stalled run/),
    });
  });

  test('the message: the task, how long, after which step and operation, from where, and why', async () => {
    const stall = { step: 5, pid: 2, runs: { limitMs: 10_000 } } as Stall;
    const text = stallMessage(stall, await replayToStall(loopOnAFlag, [1, 3, 3, 2, 2], settings));
    expect(text).toMatch(/^task cpu1:2 ran 10 s without a scheduling point, after its step 5 \(READ_ONCE\(flag\)\)\nIts last scheduling point:\n {2}READ_ONCE \(/);
    expect(text).toMatch(/\nkemu cannot preempt plain JavaScript: each pass of a loop in model code\nmust reach a scheduling point/);
    expect(stallMessage({ ...stall, step: 2 }, await replayToStall(loopWhenReplayed, [1, 2], settings)))
      .toMatch(/^task cpu1:2 ran 10 s without a scheduling point, after its step 2 \(start\(\)\)\nIt loops before its first scheduling point\.\n/);
    expect(stallMessage(stall, 'replaying its run to say more failed: the replay stalled too'))
      .toMatch(/^task with pid 2 ran 10 s without a scheduling point, after its step 5 \(replaying its run to say more failed: the replay stalled too\)\nkemu cannot/);
    expect(stallMessage({ ...stall, pid: 0 }, 'not recorded')).toMatch(/^a task ran 10 s without a scheduling point, after its step 5 \(not recorded\)\n/);
  });
});
