/**
 * fast-check arbitraries for generated programs (program.ts). Sizes are tuned
 * so that most programs have at most a few hundred schedules (unreduced
 * enumeration is exponential): two tasks get up to six operations, three up
 * to four, four up to three, and programs whose interleavings would be too
 * many are not generated; lock sections hold up to two operations and nest
 * once more. Weights make every primitive common, and nested and inverted
 * locks, spawns, WARN_ON and BUG_ON appear in a good share of programs.
 */
import fc from 'fast-check';
import type { LockIndex, Location, Op, Program, RegisterName, TaskProgram } from './program.js';
import { taskNames } from './task-names.js';

const location: fc.Arbitrary<Location> = fc.oneof(
  { weight: 3, arbitrary: fc.constant('x' as const) },
  { weight: 3, arbitrary: fc.constant('y' as const) },
  { weight: 1, arbitrary: fc.constant('dma0' as const) },
  { weight: 1, arbitrary: fc.constant('dma1' as const) },
);
const value = fc.integer({ min: 1, max: 2 });
const lock: fc.Arbitrary<LockIndex> = fc.constantFrom(0, 1);
const register: fc.Arbitrary<RegisterName> = fc.constantFrom('status', 'doorbell');

const memoryOp: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('read' as const), loc: location }),
  fc.record({ kind: fc.constant('write' as const), loc: location, value }),
  fc.record({ kind: fc.constant('inc' as const), loc: location }),
  fc.record({ kind: fc.constant('xchg' as const), loc: location, value }),
  fc.record({ kind: fc.constant('cmpxchg' as const), loc: location, expected: fc.integer({ min: 0, max: 1 }), value }),
);

const deviceOp: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('readl' as const), reg: register }),
  fc.record({ kind: fc.constant('writel' as const), reg: register, value: fc.integer({ min: 1, max: 3 }) }),
);

const syncOp: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('is_locked' as const), lock }),
  fc.record({ kind: fc.constant('complete' as const), all: fc.boolean() }),
  fc.constant({ kind: 'wait' as const }),
);

const spinWait: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('await' as const), loc: location, value }),
  fc.record({ kind: fc.constant('qi_await' as const), lock, loc: location, value }),
);

const check: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('warn' as const), equals: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bug' as const), equals: fc.integer({ min: 0, max: 2 }) }) },
);

/** One visible operation (or a check) outside any lock section. */
const leaf: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: memoryOp },
  { weight: 2, arbitrary: deviceOp },
  { weight: 2, arbitrary: syncOp },
  { weight: 1, arbitrary: spinWait },
  { weight: 2, arbitrary: check },
);

const plain: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('get' as const), loc: location }),
  fc.record({ kind: fc.constant('set' as const), loc: location, value }),
);

/** A lock section whose body may hold `depth` more levels of sections. */
function section(depth: number): fc.Arbitrary<Op> {
  const inner = depth > 0
    ? fc.oneof({ weight: 3, arbitrary: plain }, { weight: 2, arbitrary: leaf }, { weight: 2, arbitrary: section(depth - 1) })
    : fc.oneof({ weight: 3, arbitrary: plain }, { weight: 2, arbitrary: leaf });
  const body = fc.array(inner, { maxLength: 2 });
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('mutex' as const), lock, body }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('trylock' as const), lock, body }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('spin' as const), lock, irqsave: fc.boolean(), body }) },
  );
}

/** Most tasks run on a CPU of their own; some share CPU 1 or 2 with another task. */
const cpu = fc.option(fc.constantFrom(1, 2), { freq: 3, nil: undefined });

const child: fc.Arbitrary<TaskProgram> = fc.record({
  cpu,
  ops: fc.array(fc.oneof({ weight: 3, arbitrary: leaf }, { weight: 1, arbitrary: section(0) }), { minLength: 1, maxLength: 2 }),
});

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: leaf },
  { weight: 4, arbitrary: section(1) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('spawn' as const), child }) },
);

function tasks(count: number, maxOps: number): fc.Arbitrary<TaskProgram[]> {
  return fc.array(fc.record({ cpu, ops: fc.array(op, { minLength: 1, maxLength: maxOps }) }), { minLength: count, maxLength: count });
}

/** Scheduling points an operation passes at least once (a spin-wait's loop counted once). */
function points(op: Op): number {
  switch (op.kind) {
    case 'get': case 'set': case 'warn': case 'bug': case 'spawn': return 0;
    case 'await': return 2;
    case 'qi_await': return 3;
    case 'mutex': case 'trylock': case 'spin': return 2 + op.body.reduce((n, o) => n + points(o), 0);
    default: return 1;
  }
}

/**
 * How many schedules a program would have if no task ever blocked and every
 * loop ran once: the interleavings of each task's steps (its start and one
 * per scheduling point), a multinomial coefficient. Blocking and spawns make
 * the real count smaller, polling loops larger.
 */
export function interleavingEstimate(program: Program): number {
  const steps = [...taskNames(program).keys()].map((task) => 1 + task.ops.reduce((n, o) => n + points(o), 0));
  let estimate = 1;
  let total = 0;
  for (const s of steps) for (let i = 1; i <= s; i++) estimate = (estimate * ++total) / i;
  return estimate;
}

/**
 * Programs of 2 to 4 tasks with 1 to 6 operations each, of which only those
 * whose interleaving estimate is at most `estimateLimit` are kept: most of
 * the others would exceed the enumeration cap and be skipped after costing
 * the whole cap.
 */
export function programs(estimateLimit: number): fc.Arbitrary<Program> {
  return fc.record({
    tasks: fc.oneof(
      { weight: 6, arbitrary: tasks(2, 6) },
      { weight: 3, arbitrary: tasks(3, 4) },
      { weight: 1, arbitrary: tasks(4, 3) },
    ),
  }).filter((program) => interleavingEstimate(program) <= estimateLimit);
}

/** A word a spin-wait program shares: two, so that a poller may watch one while the other changes. */
const polledLocation: fc.Arbitrary<Location> = fc.constantFrom('x', 'y');
/** Values 0 to 2: writes that put back the initial 0, or the value a poller parked on, are common. */
const polledValue = fc.integer({ min: 0, max: 2 });

const spinWaitOp: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('write' as const), loc: polledLocation, value: polledValue }),
  fc.record({ kind: fc.constant('inc' as const), loc: polledLocation }),
  fc.record({ kind: fc.constant('xchg' as const), loc: polledLocation, value: polledValue }),
  fc.record({ kind: fc.constant('cmpxchg' as const), loc: polledLocation, expected: polledValue, value: polledValue }),
  fc.record({ kind: fc.constant('read' as const), loc: polledLocation }),
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('await' as const), loc: polledLocation, value: fc.integer({ min: 1, max: 2 }) }) },
  fc.record({ kind: fc.constant('qi_await' as const), lock, loc: polledLocation, value: fc.integer({ min: 1, max: 2 }) }),
);

/**
 * Programs of pollers and writers: 2 or 3 tasks of 1 to 4 operations over two
 * words, where writers wake a poller, put back the value it parked on, or
 * rewrite the value a word holds. Where a poller can run depends on values,
 * not only on which writes came first (src/explore/poll-history.ts), so these
 * get a campaign of their own.
 */
export function spinWaitPrograms(estimateLimit: number): fc.Arbitrary<Program> {
  const task = fc.record({ cpu, ops: fc.array(spinWaitOp, { minLength: 1, maxLength: 4 }) });
  return fc.record({ tasks: fc.array(task, { minLength: 2, maxLength: 3 }) })
    .filter((program) => interleavingEstimate(program) <= estimateLimit);
}
