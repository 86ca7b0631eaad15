/**
 * Soundness of partial-order reduction: on small generated programs, DPOR and
 * unreduced exhaustive search must reach the same verdicts (failure
 * signatures) and the same set of final states. Programs are generated with
 * fast-check: two or three tasks reading and writing shared cells, with
 * (possibly nested, possibly inverted) lock sections and atomic increments.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { explore, type ExploreResult } from '../../src/explore/index.js';
import { Cell, Mutex, READ_ONCE, WRITE_ONCE, atomic_inc_return, cpu_relax, mutex_lock, mutex_unlock, type Kernel } from '../../src/kernel/index.js';

type Op =
  | { kind: 'read'; cell: number }
  | { kind: 'write'; cell: number; add: number }
  | { kind: 'inc'; cell: number }
  | { kind: 'await'; cell: number; value: number }
  | { kind: 'locked'; lock: number; body: Op[] };

const cellIndex = fc.integer({ min: 0, max: 1 });
const simpleOp: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('read' as const), cell: cellIndex }),
  fc.record({ kind: fc.constant('write' as const), cell: cellIndex, add: fc.integer({ min: 1, max: 2 }) }),
  fc.record({ kind: fc.constant('inc' as const), cell: cellIndex }),
  fc.record({ kind: fc.constant('await' as const), cell: cellIndex, value: fc.integer({ min: 1, max: 2 }) }),
);
const lockedOp = (body: fc.Arbitrary<Op>): fc.Arbitrary<Op> =>
  fc.record({ kind: fc.constant('locked' as const), lock: fc.integer({ min: 0, max: 1 }), body: fc.array(body, { minLength: 1, maxLength: 2 }) });
const op: fc.Arbitrary<Op> = fc.oneof({ weight: 3, arbitrary: simpleOp }, { weight: 2, arbitrary: lockedOp(fc.oneof(simpleOp, lockedOp(simpleOp))) });
const program = fc.array(fc.array(op, { minLength: 1, maxLength: 2 }), { minLength: 2, maxLength: 3 });

/** Builds the scenario for a generated program; `final` reads its final state. */
function build(tasks: Op[][]) {
  let cells: Cell<number>[] = [];
  const scenario = (k: Kernel) => {
    cells = [new Cell('c0', 0), new Cell('c1', 0)];
    const locks = [new Mutex('l0'), new Mutex('l1')];
    const run = async (ops: Op[], local: { v: number }): Promise<void> => {
      for (const o of ops) {
        switch (o.kind) {
          case 'read': local.v = await READ_ONCE(cells[o.cell]!); break;
          case 'write': await WRITE_ONCE(cells[o.cell]!, local.v + o.add); break;
          case 'inc': local.v = (await atomic_inc_return(cells[o.cell]!)) ; break;
          case 'await': while ((await READ_ONCE(cells[o.cell]!)) < o.value) await cpu_relax(); break;
          case 'locked':
            await mutex_lock(locks[o.lock]!);
            await run(o.body, local);
            await mutex_unlock(locks[o.lock]!);
            break;
        }
      }
    };
    tasks.forEach((ops, i) => k.spawn(`cpu${i + 1}`, () => run(ops, { v: 0 })));
  };
  return { scenario, final: () => cells.map((c) => c.value).join(',') };
}

async function outcomes(tasks: Op[][], strategy: 'dpor' | 'exhaustive') {
  const { scenario, final } = build(tasks);
  const states = new Set<string>();
  const result: ExploreResult = await explore(scenario, {
    strategy, maxSchedules: 4000, shrink: false, lockdep: { enabled: false },
    onRunEnd: (_k, outcome) => {
      if (outcome.kind === 'complete') states.add(final());
      if (outcome.kind === 'stuck') states.add(`${outcome.report.kind}:${final()}`);
    },
  });
  return { result, states, verdicts: result.failures.map((f) => f.signature).sort() };
}

describe('partial-order reduction is sound', () => {
  test('on generated programs: same verdicts and same final states as unreduced search', async () => {
    let compared = 0;
    let saved = 0;
    await fc.assert(
      fc.asyncProperty(program, async (tasks) => {
        const full = await outcomes(tasks, 'exhaustive');
        fc.pre(full.result.exhausted);
        const reduced = await outcomes(tasks, 'dpor');
        expect(reduced.result.exhausted).toBe(true);
        expect(reduced.verdicts).toEqual(full.verdicts);
        expect([...reduced.states].sort()).toEqual([...full.states].sort());
        expect(reduced.result.schedules).toBeLessThanOrEqual(full.result.schedules);
        compared++;
        saved += full.result.schedules - reduced.result.schedules;
      }),
      { numRuns: 120, seed: 20261121 },
    );
    expect(compared).toBeGreaterThan(60);
    expect(saved).toBeGreaterThan(0);
  }, 120_000);
});
