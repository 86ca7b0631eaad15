/**
 * PCT's printed guarantee must hold: over many runs, the share of runs that
 * find a bug of depth d is at least the bound printed for it. The bug here
 * needs one change point in the middle of a run: t2 must read x between t1's
 * two writes, after twenty steps of padding on each side.
 */
import { describe, expect, test } from 'vitest';
import { explore } from '../../src/explore/index.js';
import { CALIBRATION_RUNS } from '../../src/explore/pct.js';
import { Cell, READ_ONCE, WARN_ON, WRITE_ONCE, type Kernel } from '../../src/kernel/index.js';

function lateWindow(k: Kernel): void {
  const x = new Cell('x', 0);
  const pad = new Cell('pad', 0);
  k.spawn('t1', async () => {
    for (let i = 0; i < 20; i++) await WRITE_ONCE(pad, i);
    await WRITE_ONCE(x, 1);
    await WRITE_ONCE(x, 2);
  });
  k.spawn('t2', async () => {
    for (let i = 0; i < 20; i++) await READ_ONCE(pad);
    WARN_ON((await READ_ONCE(x)) === 1, 't2 read x between the writes');
  });
}

describe('PCT keeps the bound it prints', () => {
  for (const seed of [1, 2, 3, 8]) {
    test(`seed ${seed}: a depth-2 bug is found at least as often as the bound says`, async () => {
      let run = 0;
      let hits = 0;
      const result = await explore(lateWindow, {
        strategy: { kind: 'pct', depth: 2, seed, runs: 4000 }, shrink: false,
        onRunEnd: (kernel) => {
          if (run++ >= CALIBRATION_RUNS && kernel.reports.length > 0) hits++;
        },
      });
      const bound = result.pct!;
      expect(bound.longer).toBe(0);
      expect(bound.runs).toBe(4000 - CALIBRATION_RUNS);
      expect(bound.perRun).toBeCloseTo(1 / (bound.tasks * bound.steps), 12);
      expect(hits / bound.runs).toBeGreaterThanOrEqual(bound.perRun);
      expect(result.failures.map((f) => f.kind)).toEqual(['warn']);
    });
  }

  test('different seeds make different runs, not the same runs shifted by one', async () => {
    const schedules = async (seed: number) => {
      const seen = new Set<string>();
      let order: string[] = [];
      const scenario = (k: Kernel) => {
        order = [];
        const c = new Cell('c', 0);
        for (const name of ['a', 'b']) k.spawn(name, async () => { for (let i = 0; i < 10; i++) { await READ_ONCE(c); order.push(name); } });
      };
      await explore(scenario, { strategy: { kind: 'random', seed, runs: 200 }, shrink: false, onRunEnd: () => seen.add(order.join('')) });
      return seen;
    };
    const one = await schedules(1);
    const two = await schedules(2);
    expect([...one].filter((s) => two.has(s)).length).toBeLessThan(one.size / 4);
  });
});
