/**
 * The enumerator checked by hand before it checks anything else: on programs
 * small enough to count on paper, its number of equivalence classes, its
 * schedules and its final states must be the hand counts.
 */
import { describe, expect, test } from 'vitest';
import type { Kernel } from '../../src/kernel/index.js';
import { enumerate } from './enumerate.js';
import { finalState } from './final-state.js';
import { interpret } from './interpret.js';
import type { Op, Program } from './program.js';

async function enumerated(program: Program) {
  const { scenario, state } = interpret(program);
  return enumerate(scenario, { cap: 100_000, finalState: (kernel) => finalState(state(), kernel) });
}

/** The distinct combinations of what the tasks recorded, over every schedule, as `t1 [..] t2 [..]`. */
async function results(program: Program): Promise<string[]> {
  const { scenario, state } = interpret(program);
  const e = await enumerate(scenario, { cap: 100_000, finalState: () => state().tasks.map((t) => `${t.comm} [${t.results.join(',')}]`).join(' ') });
  return [...e.finalStates.keys()].sort();
}

const task = (...ops: Op[]) => ({ ops });
const write = (loc: 'x' | 'y', value = 1): Op => ({ kind: 'write', loc, value });
const read = (loc: 'x' | 'y'): Op => ({ kind: 'read', loc });
const mutex = (lock: 0 | 1, ...body: Op[]): Op => ({ kind: 'mutex', lock, body });

describe('the unreduced enumerator counts equivalence classes by hand counts', () => {
  test('two independent writers: 1 class', async () => {
    const e = await enumerated({ tasks: [task(write('x')), task(write('y'))] });
    expect(e.exhausted).toBe(true);
    // swapper/0's step, then the interleavings of two tasks of two steps (start, write): 4!/(2!2!).
    expect(e.schedules).toBe(6);
    expect(e.classes.size).toBe(1);
  });

  test('a writer and a reader of one cell: 2 classes, the read sees 0 or 1', async () => {
    const program = { tasks: [task(write('x')), task(read('x'))] };
    expect((await enumerated(program)).classes.size).toBe(2);
    expect(await results(program)).toEqual(['t1 [] t2 [0]', 't1 [] t2 [1]']);
  });

  test('one writer and two readers: 4 classes, every pair of read values', async () => {
    const program = { tasks: [task(write('x')), task(read('x')), task(read('x'))] };
    const e = await enumerated(program);
    expect(e.classes.size).toBe(4);
    expect(e.schedules).toBe(90);
    expect(await results(program)).toEqual(['t1 [] t2 [0] t3 [0]', 't1 [] t2 [0] t3 [1]', 't1 [] t2 [1] t3 [0]', 't1 [] t2 [1] t3 [1]']);
  });

  test('two lock sections on one mutex: 2 classes, one per order', async () => {
    expect((await enumerated({ tasks: [task(mutex(0)), task(mutex(0))] })).classes.size).toBe(2);
    const guarded = { tasks: [task(mutex(0, { kind: 'set', loc: 'x', value: 1 })), task(mutex(0, { kind: 'get', loc: 'x' }))] } satisfies Program;
    expect((await enumerated(guarded)).classes.size).toBe(2);
    expect(await results(guarded)).toEqual(['t1 [] t2 [0]', 't1 [] t2 [1]']);
  });

  test('ABBA: 3 classes, one of them the deadlock', async () => {
    const e = await enumerated({ tasks: [task(mutex(0, mutex(1))), task(mutex(1, mutex(0)))] });
    expect(e.classes.size).toBe(3);
    expect([...e.failures]).toEqual(['hung-task:m0|m1']);
  });

  test('a trylock beside a lock section: 3 classes, the trylock gets 1, 0, then 1 again', async () => {
    const program = { tasks: [task({ kind: 'trylock', lock: 0, body: [] }), task(mutex(0))] };
    expect((await enumerated(program)).classes.size).toBe(3);
    expect(await results(program)).toEqual(['t1 [0] t2 []', 't1 [1] t2 []']);
  });

  test('a spawned child: its start follows its spawn, and two spawns by one task do not race', async () => {
    const child = (loc: 'x' | 'y') => ({ ops: [write(loc)] });
    const e = await enumerated({ tasks: [task({ kind: 'spawn', child: child('x') }, { kind: 'spawn', child: child('y') }, read('x'))] });
    // t1 reads x before or after t2 writes it; the write to y races with nothing.
    expect(e.classes.size).toBe(2);
  });

  test('a program that is not deterministic is refused', async () => {
    let calls = 0;
    // A second task only on the first run: the replayed prefix then offers a different choice.
    const scenario = (k: Kernel) => {
      if (calls++ === 0) k.spawn('a', () => undefined);
      k.spawn('b', () => undefined);
    };
    await expect(enumerate(scenario, { cap: 100, finalState: () => '' })).rejects.toThrow(/not deterministic/);
  });
});
