/**
 * Every strategy on the same bug, replay tokens that check they still fit,
 * and shrinking towards fewer preemptions.
 */
import { describe, expect, test } from 'vitest';
import { explore, replay } from '../../src/explore/index.js';
import { Cell, Mutex, READ_ONCE, WRITE_ONCE, mutex_lock, mutex_unlock, type Kernel } from '../../src/kernel/index.js';
import { renderTimeline, toChromeTrace } from '../../src/report/index.js';

/** ABBA with some independent work before the locks, so the bug needs a preemption at the right place. */
function abbaWithWork(k: Kernel) {
  const a = new Mutex('lock_a');
  const b = new Mutex('lock_b');
  const pad = [new Cell('pad1', 0), new Cell('pad2', 0)];
  k.spawn('cpu1', async () => {
    await WRITE_ONCE(pad[0]!, 1);
    await mutex_lock(a); await mutex_lock(b); await mutex_unlock(b); await mutex_unlock(a);
  });
  k.spawn('cpu2', async () => {
    await WRITE_ONCE(pad[1]!, 1);
    await mutex_lock(b); await mutex_lock(a); await mutex_unlock(a); await mutex_unlock(b);
  });
}

const hangKinds = (r: { failures: { kind: string }[] }) => r.failures.filter((f) => f.kind === 'hung-task').length;

describe('strategies agree on the ABBA hang', () => {
  test('preemption bound 0 cannot show it; bound 1 can, with exactly one preemption', async () => {
    const none = await explore(abbaWithWork, { strategy: { kind: 'bounded', preemptions: 0 }, lockdep: { enabled: false } });
    expect(none.failures).toEqual([]);
    expect(none.exhausted).toBe(true);
    const one = await explore(abbaWithWork, { strategy: { kind: 'bounded', preemptions: 1 }, lockdep: { enabled: false } });
    expect(hangKinds(one)).toBe(1);
    expect(one.failures[0]!.preemptions).toBe(1);
  });

  test('seeded random finds it, and the same seed finds the same schedule', async () => {
    const first = await explore(abbaWithWork, { strategy: { kind: 'random', seed: 7, runs: 200 } });
    const second = await explore(abbaWithWork, { strategy: { kind: 'random', seed: 7, runs: 200 } });
    expect(hangKinds(first)).toBe(1);
    expect(second.failures.map((f) => f.token)).toEqual(first.failures.map((f) => f.token));
  });

  test('PCT finds it and states its probability bound', async () => {
    const result = await explore(abbaWithWork, { strategy: { kind: 'pct', depth: 2, seed: 3, runs: 300 } });
    expect(hangKinds(result)).toBe(1);
    expect(result.pct!.depth).toBe(2);
    expect(result.pct!.perRun).toBeCloseTo(1 / (result.pct!.tasks * result.pct!.steps), 12);
    expect(result.pct!.overall).toBeGreaterThan(result.pct!.perRun);
  });

  test('the counterexample is shrunk to the fewest preemptions that still show it', async () => {
    const random = await explore(abbaWithWork, { strategy: { kind: 'random', seed: 11, runs: 500 }, shrink: false });
    const shrunk = await explore(abbaWithWork, { strategy: { kind: 'random', seed: 11, runs: 500 } });
    const before = random.failures.find((f) => f.kind === 'hung-task')!;
    const after = shrunk.failures.find((f) => f.kind === 'hung-task')!;
    expect(after.preemptions).toBeLessThanOrEqual(before.preemptions);
    expect(after.preemptions).toBe(1);
  });
});

describe('replay tokens', () => {
  test('a token replays the failure, and the timeline and trace come from that replay', async () => {
    const result = await explore(abbaWithWork);
    const hang = result.failures.find((f) => f.kind === 'hung-task')!;
    const run = await replay(abbaWithWork, hang.token);
    expect(run.reports.some((r) => r.signature === hang.signature)).toBe(true);
    const timeline = renderTimeline(run);
    expect(timeline.split('\n')[0]).toMatch(/step \| cpu1 \(CPU1\)\s+\| cpu2 \(CPU2\)/);
    expect(timeline).toContain('mutex_lock(lock_b)');
    const trace = toChromeTrace(run);
    expect(trace.traceEvents.filter((e) => e.ph === 'b' && e.cat === 'lock').length).toBeGreaterThanOrEqual(2);
    expect(trace.traceEvents.some((e) => e.cat === 'report')).toBe(true);
  });

  test('a token that no longer fits the code says at which step and what differs', async () => {
    const result = await explore(abbaWithWork);
    const token = result.failures.find((f) => f.kind === 'hung-task')!.token;
    // The "same" scenario after a code change: cpu2 now reads before it writes.
    const changed = (k: Kernel) => {
      const a = new Mutex('lock_a');
      const b = new Mutex('lock_b');
      const pad = new Cell('pad', 0);
      k.spawn('cpu1', async () => { await WRITE_ONCE(pad, 1); await mutex_lock(a); await mutex_lock(b); await mutex_unlock(b); await mutex_unlock(a); });
      k.spawn('cpu2', async () => { await READ_ONCE(pad); await mutex_lock(b); await mutex_lock(a); await mutex_unlock(a); await mutex_unlock(b); });
    };
    await expect(replay(changed, token)).rejects.toMatchObject({ kind: 'replay-mismatch' });
    await expect(replay(changed, token)).rejects.toThrow(/at step \d+|steps \d+–\d+ of pid \d/);
  });

  test('a malformed token is refused with a message', async () => {
    await expect(replay(abbaWithWork, 'k1.$$$')).rejects.toThrow(/not a kemu replay token/);
    await expect(replay(abbaWithWork, 'hello')).rejects.toThrow(/should start with "k1\."/);
  });
});
