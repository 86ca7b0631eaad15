/**
 * The five faults of issue 9 ("Verdicts that can be trusted"), each as the
 * minimal case that showed it. DPOR is compared with the harness's unreduced
 * enumerator (test/soundness), which shares no code with the explorer.
 */
import { describe, expect, test } from 'vitest';
import { explore, replay, type ExploreResult } from '../../src/explore/index.js';
import type { Scenario } from '../../src/explore/run-schedule.js';
import {
  BUG_ON, Cell, Mutex, READ_ONCE, WARN_ON, WRITE_ONCE, atomic_xchg, mutex_lock, mutex_trylock, mutex_unlock, type Kernel,
} from '../../src/kernel/index.js';
import { qiZeroCount } from '../../drivers/iommu/intel/scenarios.js';
import { enumerate } from '../soundness/enumerate.js';
import { traceCoverage } from '../soundness/trace-coverage.js';

/** A scenario whose runs each end in an outcome, read by `outcome()` after the run. */
interface Case {
  scenario: Scenario;
  outcome: (kernel: Kernel) => string;
}

/** The reports of a run, as a sorted list of signatures ('clean' when there are none). */
const reportsOf = (kernel: Kernel): string => [...new Set(kernel.reports.map((r) => r.signature))].sort().join(' + ') || 'clean';

/** DPOR's result and the outcomes of the schedules it ran; the enumerator's outcomes and classes. */
async function bothSides(c: Case) {
  const explored = new Set<string>();
  const result: ExploreResult = await explore(c.scenario, {
    strategy: 'dpor', shrink: false, lockdep: { enabled: false },
    onRunEnd: (kernel, outcome) => {
      if (outcome.kind !== 'pruned') explored.add(c.outcome(kernel));
    },
  });
  const reference = await enumerate(c.scenario, { cap: 100_000, finalState: c.outcome });
  expect(reference.exhausted).toBe(true);
  return { result, explored: [...explored].sort(), reference: [...reference.finalStates.keys()].sort(), classes: reference.classes.size, failures: [...reference.failures].sort() };
}

const signatures = (result: ExploreResult): string[] => result.failures.map((f) => f.signature).sort();

describe('issue 9: faults the differential check found, fixed for good', () => {
  test('(1) one writer and two readers: 4 classes, and DPOR reaches "t2 reads 0, t1 reads 1"', async () => {
    const read = { t1: -1, t2: -1 };
    const c: Case = {
      scenario: (k) => {
        const cell = new Cell('c', 0);
        k.spawn('t0', () => WRITE_ONCE(cell, 1));
        k.spawn('t1', async () => void (read.t1 = await READ_ONCE(cell)));
        k.spawn('t2', async () => void (read.t2 = await READ_ONCE(cell)));
      },
      outcome: () => `t1 reads ${read.t1}, t2 reads ${read.t2}`,
    };
    const { result, explored, reference, classes } = await bothSides(c);
    expect(classes).toBe(4);
    expect(explored).toContain('t1 reads 1, t2 reads 0');
    expect(explored).toEqual(reference);
    expect(result.schedules).toBe(classes);
  });

  test('(2) two independent BUG_ONs are two failures', async () => {
    function first_probe(): void {
      BUG_ON(true, 'first');
    }
    function second_probe(): void {
      BUG_ON(true, 'second');
    }
    const c: Case = {
      scenario: (k) => {
        k.spawn('t0', first_probe);
        k.spawn('t1', second_probe);
      },
      outcome: reportsOf,
    };
    const { result, failures } = await bothSides(c);
    expect(failures).toEqual(['oops:BUG:first_probe', 'oops:BUG:second_probe']);
    expect(signatures(result)).toEqual(failures);
  });

  test('(2) a BUG_ON beside a WARN: both are reported, and so are the clean ends', async () => {
    // t0 oopses if it reads x before t1 writes it, and then never writes y; t1 warns if it reads y before t0 writes it.
    const c: Case = {
      scenario: (k) => {
        const x = new Cell('x', 0);
        const y = new Cell('y', 0);
        k.spawn('t0', async function check_x() {
          BUG_ON((await READ_ONCE(x)) === 0, 'x still 0');
          await WRITE_ONCE(y, 1);
        });
        k.spawn('t1', async function check_y() {
          await WRITE_ONCE(x, 1);
          WARN_ON((await READ_ONCE(y)) === 0, 'y still 0');
        });
      },
      outcome: reportsOf,
    };
    const { result, explored, reference, failures } = await bothSides(c);
    expect(reference).toEqual(['clean', 'oops:BUG:check_x + warn:check_y:WARN_ON', 'warn:check_y:WARN_ON']);
    expect(explored).toEqual(reference);
    expect(signatures(result)).toEqual(failures);
  });

  test('(3) a WARN first seen in a run the reduction cuts short still has a token that replays to it', async () => {
    // Found by the differential check (shrunk): two writers of x, and a task that warns when its exchange finds x still 0.
    function saw_zero(old: number): void {
      WARN_ON(old === 0, 'x was 0');
    }
    const scenario: Scenario = (k) => {
      const x = new Cell('x', 0);
      k.spawn('t1', () => WRITE_ONCE(x, 1));
      k.spawn('t2', () => WRITE_ONCE(x, 1));
      k.spawn('t3', async () => saw_zero(await atomic_xchg(x, 1)));
    };
    const result = await explore(scenario, { strategy: 'dpor', shrink: false, lockdep: { enabled: false } });
    const warn = result.failures.find((f) => f.signature === 'warn:saw_zero:WARN_ON');
    expect(warn).toBeDefined();
    const run = await replay(scenario, warn!.token);
    expect(run.reports.map((r) => r.signature)).toContain('warn:saw_zero:WARN_ON');
  });

  test('(4) a failed mutex_trylock is explored: the trylock returns 0 and 1', async () => {
    let trylock = -1;
    const c: Case = {
      scenario: (k) => {
        const m = new Mutex('m');
        trylock = -1;
        k.spawn('t0', async () => void (trylock = await mutex_trylock(m)));
        k.spawn('t1', async () => {
          await mutex_lock(m);
          await mutex_unlock(m);
        });
      },
      outcome: () => `trylock ${trylock}`,
    };
    const { explored, reference } = await bothSides(c);
    expect(reference).toEqual(['trylock 0', 'trylock 1']);
    expect(explored).toEqual(reference);
  });

  test('(5) qi-zero-count on v6.12, counts [1,0]: DPOR runs every trace random runs hit', async () => {
    // Traces with the QI engine's steps that influence no CPU trimmed (trimHardware): what the CPUs can observe.
    // The full size, 50,000 random runs, is part of `npm run soundness`.
    const c = await traceCoverage(qiZeroCount({ counts: [1, 0], variant: 'v6.12' }), { runs: 3_000, seed: 9 });
    expect(c.randomTraces).toBeGreaterThan(1);
    expect([...c.missed.values()], `${c.missed.size} of the ${c.randomTraces} traces ${c.randomRuns} random runs hit were never run by DPOR ` +
      `(${c.explorerSchedules} schedules, ${c.explorerTraces} traces); a random schedule in each`).toEqual([]);
  }, 60_000);
});
