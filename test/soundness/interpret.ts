/**
 * Runs a generated program (program.ts) as a kemu scenario. Every run builds
 * the program's shared objects afresh, spawns its top-level tasks from
 * swapper/0, and interprets each task's operations with kemu's primitives.
 * What the run leaves behind (objects, each task's recorded results and where
 * it is) is kept in a RunState for final-state.ts to read after the run.
 */
import {
  BUG_ON, Cell, Completion, Mutex, PhysMemory, RawSpinlock, Register, WARN_ON, READ_ONCE, WRITE_ONCE,
  atomic_cmpxchg, atomic_inc_return, atomic_xchg, complete, complete_all, cpu_relax, mutex_is_locked, mutex_lock,
  mutex_trylock, mutex_unlock, raw_spin_lock, raw_spin_lock_irqsave, raw_spin_unlock, raw_spin_unlock_irqrestore,
  KemuError, readl, spin_begin, wait_for_completion, writel, type Kernel, type Task,
} from '../../src/kernel/index.js';
import type { Scenario } from '../../src/explore/run-schedule.js';
import { taskNames } from './task-names.js';
import type { Location, Op, Primitive, Program, RegisterName, TaskProgram } from './program.js';

/** One task of the program in one run. */
export interface TaskRecord {
  readonly comm: string;
  readonly program: TaskProgram;
  /** The kernel task, once spawned. */
  task: Task | null;
  /** What it read or recorded, in order. */
  readonly results: number[];
  /** Path of the operation it is at (`2.1`: the first operation in the body of its second). */
  at: string;
}

/** The shared objects and tasks of one run. */
export interface RunState {
  readonly words: ReadonlyMap<string, Cell<number>>;
  readonly mutexes: readonly Mutex[];
  readonly spinlocks: readonly RawSpinlock[];
  readonly comp: Completion;
  /** Every task of the program, spawned or not, in name order. */
  readonly tasks: readonly TaskRecord[];
  /** What this run exercised (coverage). */
  readonly used: Set<Primitive>;
}

export interface InterpretedProgram {
  readonly scenario: Scenario;
  /** The state of the latest run (valid after its end, until the next run starts). */
  state(): RunState;
}

interface Objects {
  readonly kernel: Kernel;
  readonly cell: (loc: Location) => Cell<number>;
  readonly reg: (name: RegisterName) => Register<number>;
  readonly state: RunState;
}

interface TaskContext {
  readonly record: TaskRecord;
  /** Locks the task holds now. */
  held: number;
}

/**
 * WARN_ON and BUG_ON sites get a function of their own, named after the
 * operation (`t1_op3`), so each site has its own report signature, as two
 * WARN_ONs in two kernel functions have.
 */
const sites = new Map<string, (condition: boolean, what: string) => void>();
function site(kind: 'warn' | 'bug', comm: string, path: string): (condition: boolean, what: string) => void {
  const name = `${comm}_op${path.replaceAll('.', '_')}`;
  const key = `${kind}:${name}`;
  let fn = sites.get(key);
  if (!fn) {
    // The named function calls WARN_ON or BUG_ON itself: the report's site is the frame just above them.
    fn = kind === 'warn'
      ? { [name]: (condition: boolean, what: string) => void WARN_ON(condition, what) }[name]!
      : { [name]: (condition: boolean, what: string) => BUG_ON(condition, what) }[name]!;
    sites.set(key, fn);
  }
  return fn;
}

const last = (ctx: TaskContext): number => ctx.record.results.at(-1) ?? 0;

function record(ctx: TaskContext, value: number): void {
  ctx.record.results.push(value);
}

async function runOps(o: Objects, ctx: TaskContext, ops: readonly Op[], path: string): Promise<void> {
  for (let i = 0; i < ops.length; i++) await runOp(o, ctx, ops[i]!, path === '' ? `${i + 1}` : `${path}.${i + 1}`);
}

/** Runs a lock section's body with the lock counted as held. */
async function locked(o: Objects, ctx: TaskContext, body: readonly Op[], path: string): Promise<void> {
  if (ctx.held > 0) o.state.used.add('nested locks');
  ctx.held++;
  await runOps(o, ctx, body, path);
  ctx.held--;
}

/** The word an operation touches; notes that the run exercised `primitive` (and DMA memory, for a DMA word). */
function word(o: Objects, loc: Location, primitive: Primitive): Cell<number> {
  o.state.used.add(primitive);
  if (loc.startsWith('dma')) o.state.used.add('DMA memory');
  return o.cell(loc);
}

async function runOp(o: Objects, ctx: TaskContext, op: Op, path: string): Promise<void> {
  const { used } = o.state;
  ctx.record.at = path;
  switch (op.kind) {
    case 'read': return record(ctx, await READ_ONCE(word(o, op.loc, 'READ_ONCE')));
    case 'write': return WRITE_ONCE(word(o, op.loc, 'WRITE_ONCE'), op.value);
    case 'inc': return record(ctx, await atomic_inc_return(word(o, op.loc, 'atomic_inc_return')));
    case 'xchg': return record(ctx, await atomic_xchg(word(o, op.loc, 'atomic_xchg'), op.value));
    case 'cmpxchg': return record(ctx, await atomic_cmpxchg(word(o, op.loc, 'atomic_cmpxchg'), op.expected, op.value));
    case 'get': return record(ctx, word(o, op.loc, 'plain get/set').get());
    case 'set': return word(o, op.loc, 'plain get/set').set(op.value);
    case 'mutex': {
      const m = o.state.mutexes[op.lock]!;
      used.add('mutex_lock/unlock');
      await mutex_lock(m);
      await locked(o, ctx, op.body, path);
      ctx.record.at = path;
      return mutex_unlock(m);
    }
    case 'trylock': {
      const m = o.state.mutexes[op.lock]!;
      const acquired = await mutex_trylock(m);
      record(ctx, acquired);
      used.add(acquired ? 'mutex_trylock acquired' : 'mutex_trylock failed');
      if (!acquired) return;
      await locked(o, ctx, op.body, path);
      ctx.record.at = path;
      return mutex_unlock(m);
    }
    case 'is_locked':
      used.add('mutex_is_locked');
      return record(ctx, (await mutex_is_locked(o.state.mutexes[op.lock]!)) ? 1 : 0);
    case 'spin': {
      const s = o.state.spinlocks[op.lock]!;
      used.add(op.irqsave ? 'raw_spin_lock_irqsave' : 'raw_spin_lock');
      const flags = op.irqsave ? await raw_spin_lock_irqsave(s) : (await raw_spin_lock(s), null);
      await locked(o, ctx, op.body, path);
      ctx.record.at = path;
      return flags === null ? raw_spin_unlock(s) : raw_spin_unlock_irqrestore(s, flags);
    }
    case 'complete':
      used.add(op.all ? 'complete_all' : 'complete');
      return op.all ? complete_all(o.state.comp) : complete(o.state.comp);
    case 'wait':
      used.add('wait_for_completion');
      return wait_for_completion(o.state.comp);
    case 'await': {
      const cell = word(o, op.loc, 'spin-wait');
      spin_begin();
      while ((await READ_ONCE(cell)) !== op.value) await cpu_relax();
      return;
    }
    case 'qi_await': {
      const cell = word(o, op.loc, 'spin-wait dropping a lock');
      const s = o.state.spinlocks[op.lock]!;
      let flags = await raw_spin_lock_irqsave(s);
      spin_begin();
      while ((await READ_ONCE(cell)) !== op.value) {
        await raw_spin_unlock_irqrestore(s, flags);
        await cpu_relax();
        flags = await raw_spin_lock_irqsave(s);
      }
      return raw_spin_unlock_irqrestore(s, flags);
    }
    case 'readl':
      used.add('readl');
      return record(ctx, await readl(o.reg(op.reg)));
    case 'writel':
      used.add(op.reg === 'status' ? 'writel status (W1C)' : 'writel doorbell');
      if (op.reg === 'doorbell') used.add('DMA memory');
      return writel(o.reg(op.reg), op.value);
    case 'spawn':
      used.add('spawn');
      return startTask(o, op.child);
    case 'warn':
      if (last(ctx) === op.equals) used.add('WARN_ON fired');
      return site('warn', ctx.record.comm, path)(last(ctx) === op.equals, `r == ${op.equals}`);
    case 'bug':
      if (last(ctx) === op.equals) used.add('BUG_ON fired');
      return site('bug', ctx.record.comm, path)(last(ctx) === op.equals, `r == ${op.equals}`);
  }
}

function startTask(o: Objects, program: TaskProgram): void {
  const record = o.state.tasks.find((t) => t.program === program)!;
  const ctx: TaskContext = { record, held: 0 };
  const twinOf = program.twinOf === undefined ? undefined : o.state.tasks[program.twinOf]!.task!;
  record.task = o.kernel.spawn(record.comm, () => runOps(o, ctx, program.ops, ''), { cpu: program.cpu, twinOf });
  if (record.task.cpuShared) o.state.used.add('shared CPU');
}

/** The scenario of a program, and access to the state its latest run left. */
export function interpret(program: Program): InterpretedProgram {
  const names = taskNames(program);
  let latest: RunState | null = null;
  const scenario: Scenario = (kernel) => {
    const phys = new PhysMemory();
    const dma = phys.alloc('dma', 2, 4, 0);
    const words = new Map<string, Cell<number>>([
      ['x', new Cell('x', 0)],
      ['y', new Cell('y', 0)],
      ['dma0', phys.cellAt(dma.dma_handle) as Cell<number>],
      ['dma1', phys.cellAt(dma.dma_handle + dma.wordSize) as Cell<number>],
      ['status', new Register('status', 0b11, { onWrite: (reg, value) => reg.set(reg.get() & ~value) })],
      ['doorbell', new Register('doorbell', 0, {
        onWrite: (reg, value) => {
          reg.set(value);
          (phys.cellAt(dma.dma_handle) as Cell<number>).set(value);
        },
      })],
    ]);
    const state: RunState = {
      words,
      mutexes: [new Mutex('m0'), new Mutex('m1')],
      spinlocks: [new RawSpinlock('s0'), new RawSpinlock('s1')],
      comp: new Completion('comp'),
      tasks: [...names].map(([task, { name }]) => ({ comm: name, task: null, results: [], at: '', program: task })),
      used: new Set(),
    };
    latest = state;
    const o: Objects = { kernel, cell: (loc) => words.get(loc)!, reg: (name) => words.get(name) as Register<number>, state };
    for (const task of program.tasks) startTask(o, task);
  };
  return {
    scenario,
    state: () => {
      if (latest === null) throw new KemuError('bad-usage', 'interpret(program).state() was called before any run of the program started');
      return latest;
    },
  };
}
