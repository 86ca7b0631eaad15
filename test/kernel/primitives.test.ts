/**
 * Each runtime primitive on its own: what it does, what the scheduler may do
 * around it, and the reports it raises when misused.
 */
import { describe, expect, test } from 'vitest';
import { explore, replay } from '../../src/explore/index.js';
import {
  Cell, Completion, KemuError, Mutex, PhysMemory, RawSpinlock, Register, READ_ONCE, WARN_ON, WRITE_ONCE,
  atomic_cmpxchg, atomic_inc_return, atomic_xchg, complete, complete_all, cpu_relax, kemu_note, lockdep_assert_held,
  mutex_lock, mutex_trylock, mutex_unlock, pr_info, raw_spin_lock, raw_spin_lock_irqsave, raw_spin_unlock,
  raw_spin_unlock_irqrestore, readl, wait_for_completion, writel, type Kernel,
} from '../../src/kernel/index.js';
import { renderDmesg, renderReport } from '../../src/report/index.js';

/** Final values of some cells after every run, as a set of strings. */
async function finalStates(scenario: (k: Kernel) => Cell<number>[], strategy: 'dpor' | 'exhaustive' = 'exhaustive') {
  const states = new Set<string>();
  let cells: Cell<number>[] = [];
  await explore((k) => { cells = scenario(k); }, { strategy, onRunEnd: () => states.add(cells.map((c) => c.value).join(',')) });
  return states;
}

describe('mutex', () => {
  test('trylock takes a free mutex and refuses a held one', async () => {
    const seen = await finalStates((k) => {
      const m = new Mutex('m');
      const got = new Cell('got', 0);
      k.spawn('cpu1', async () => { await mutex_lock(m); await WRITE_ONCE(got, 10 + (await mutex_trylock(m))); await mutex_unlock(m); });
      return [got];
    });
    expect([...seen]).toEqual(['10']);
  });

  test('unlocking a mutex another task holds is a WARN, and the run goes on', async () => {
    const result = await explore((k) => {
      const m = new Mutex('m');
      const taken = new Completion('taken');
      k.spawn('cpu1', async () => { await mutex_lock(m); await complete(taken); });
      k.spawn('cpu2', async () => { await wait_for_completion(taken); await mutex_unlock(m); });
    });
    expect(result.failures.map((f) => f.kind)).toEqual(['warn']);
    expect(result.failures[0]!.run.outcome).toBe('complete');
  });
});

describe('spinlocks and CPUs', () => {
  test('irqsave returns the previous interrupt state and irqrestore puts it back', async () => {
    const seen = await finalStates((k) => {
      const l = new RawSpinlock('l');
      const out = new Cell('out', 0);
      k.spawn('cpu1', async () => {
        const outer = await raw_spin_lock_irqsave(l);
        await raw_spin_unlock(l);
        const inner = await raw_spin_lock_irqsave(l); // IRQs are still off here
        await raw_spin_unlock_irqrestore(l, inner);
        const stillOff = k.tasks[1]!.irqsDisabled;
        await raw_spin_unlock_irqrestore(l, outer); // no-op unlock (not held) → WARN, ignored here
        await WRITE_ONCE(out, (outer ? 100 : 0) + (inner ? 10 : 0) + (stillOff ? 1 : 0));
      });
      return [out];
    });
    expect([...seen]).toEqual(['11']);
  });

  test('a task spinning with preemption off starves another task on the same CPU: a lockup', async () => {
    const run = (sameCpu: boolean) => explore((k) => {
      const l = new RawSpinlock('l');
      const flag = new Cell('flag', 0);
      k.spawn('waiter', async () => {
        await raw_spin_lock(l);
        while ((await READ_ONCE(flag)) === 0) await cpu_relax();
        await raw_spin_unlock(l);
      }, { cpu: 1 });
      k.spawn('setter', async () => { await WRITE_ONCE(flag, 1); }, { cpu: sameCpu ? 1 : 2 });
    });
    const same = await run(true);
    expect(same.failures.map((f) => f.kind)).toEqual(['soft-lockup']);
    const apart = await run(false);
    expect(apart.failures).toEqual([]);
  });

  test('taking a mutex with a spinlock held is sleeping in atomic context', async () => {
    const result = await explore((k) => {
      const l = new RawSpinlock('&qi->q_lock');
      const m = new Mutex('m');
      k.spawn('cpu1', async () => { await raw_spin_lock_irqsave(l); await mutex_lock(m); await mutex_unlock(m); await raw_spin_unlock(l); });
    });
    const bug = result.failures.find((f) => f.kind === 'sleep-in-atomic')!;
    const text = renderReport(bug.report);
    expect(text).toMatch(/^BUG: sleeping function called from invalid context at /);
    expect(text).toContain('in_atomic(): 1, irqs_disabled(): 1, non_block: 0, pid: 2, name: cpu1');
    expect(text).toContain('1 lock held by cpu1/2:');
  });
});

describe('completions', () => {
  test('a waiter sleeps until complete(); complete_all releases every waiter', async () => {
    const seen = await finalStates((k) => {
      const go = new Completion('go');
      const woken = new Cell('woken', 0);
      for (const name of ['a', 'b', 'c']) k.spawn(name, async () => { await wait_for_completion(go); await atomic_inc_return(woken); });
      k.spawn('starter', async () => { await complete_all(go); });
      return [woken];
    }, 'dpor');
    expect([...seen]).toEqual(['3']);
  });

  test('one complete() wakes one of two waiters; the other hangs', async () => {
    const result = await explore((k) => {
      const go = new Completion('go');
      k.spawn('a', async () => { await wait_for_completion(go); });
      k.spawn('b', async () => { await wait_for_completion(go); });
      k.spawn('starter', async () => { await complete(go); });
    });
    expect(result.failures.map((f) => f.kind)).toEqual(['hung-task']);
    expect(result.failures[0]!.report.task!.at).toBe('wait_for_completion(go)');
  });
});

describe('memory', () => {
  test('atomics never lose updates; xchg and cmpxchg return the old value', async () => {
    const seen = await finalStates((k) => {
      const x = new Cell('x', 0);
      const y = new Cell('y', 5);
      const old = new Cell('old', -1);
      k.spawn('cpu1', async () => { await atomic_inc_return(x); await WRITE_ONCE(old, await atomic_xchg(y, 7)); });
      k.spawn('cpu2', async () => { await atomic_inc_return(x); await atomic_cmpxchg(y, 5, 9); });
      return [x, y, old];
    });
    // cmpxchg first: y = 9, then xchg sees 9; xchg first: sees 5, then cmpxchg fails.
    expect([...seen].sort()).toEqual(['2,7,5', '2,7,9']);
  });

  test('a device register runs its write behaviour atomically: write-1-to-clear', async () => {
    const seen = await finalStates((k) => {
      const fsts = new Register<number>('FSTS', 0x50, { onWrite: (reg, v) => reg.set(reg.value & ~v) });
      const after = new Cell('after', 0);
      k.spawn('cpu1', async () => { await writel(fsts, 0x10); await WRITE_ONCE(after, await readl(fsts)); });
      return [after];
    });
    expect([...seen]).toEqual([String(0x40)]);
  });

  test('a DMA write lands on the cell at that bus address', async () => {
    const seen = await finalStates((k) => {
      const mem = new PhysMemory();
      const buf = mem.alloc('status', 4, 4, 0);
      const seenValue = new Cell('seen', 0);
      k.spawn('device', async () => { await WRITE_ONCE(mem.cellAt(buf.dma_handle + 8) as Cell<number>, 2); }, { kind: 'hardware' });
      k.spawn('cpu1', async () => {
        while ((await READ_ONCE(buf.words.at(2))) !== 2) await cpu_relax();
        await WRITE_ONCE(seenValue, 1);
      });
      return [seenValue];
    });
    expect([...seen]).toEqual(['1']);
  });

  test('shared objects must be created inside the scenario', () => {
    expect(() => new Cell('outside', 0)).toThrow(KemuError);
    expect(() => new Cell('outside', 0)).toThrow(/created outside a kemu run/);
  });
});

describe('assertions, notes and dmesg', () => {
  test('lockdep_assert_held and WARN_ON print a WARNING and the run goes on', async () => {
    const result = await explore((k) => {
      const m = new Mutex('&dev->mutex');
      k.spawn('cpu1', async function probe_without_lock() {
        lockdep_assert_held(m);
        WARN_ON(1 + 1 === 2, 'arithmetic still works');
        await mutex_lock(m);
        lockdep_assert_held(m);
        await mutex_unlock(m);
      });
    });
    expect(result.failures.map((f) => f.kind)).toEqual(['warn', 'warn']);
    const text = renderReport(result.failures[0]!.report);
    expect(text).toContain('------------[ cut here ]------------');
    expect(text).toMatch(/^WARNING: CPU: 1 PID: 2 at test\/kernel\/primitives\.test\.ts:\d+ probe_without_lock$/m);
    expect(result.failures[0]!.run.outcome).toBe('complete');
  });

  test('printk lines carry virtual time, and notes attach to captured steps', async () => {
    const result = await explore((k) => {
      const x = new Cell('x', 0);
      k.spawn('cpu1', async () => {
        pr_info('first');
        await WRITE_ONCE(x, 1);
        kemu_note('x is one');
        pr_info('second');
        throw new Error('stop here');
      });
    });
    const run = result.failures[0]!.run;
    const dmesg = renderDmesg(run);
    expect(dmesg).toMatch(/^\[ {4}0\.00000\d\] first$/m);
    expect(run.log[1]!.ns).toBeGreaterThan(run.log[0]!.ns);
    expect(run.trace.some((s) => s.notes.includes('x is one'))).toBe(true);
    expect(dmesg).toContain('Oops: kemu: cpu1:2 threw Error: stop here');
  });

  test('a replay reproduces the run byte for byte', async () => {
    const scenario = (k: Kernel) => {
      const m = new Mutex('m');
      const x = new Cell('x', 0);
      for (const name of ['cpu1', 'cpu2']) {
        k.spawn(name, async () => { await mutex_lock(m); pr_info(`${name} in`); await WRITE_ONCE(x, x.value + 1); await mutex_unlock(m); await mutex_lock(m); });
      }
    };
    const result = await explore(scenario);
    const failure = result.failures[0]!;
    const again = await replay(scenario, failure.token);
    expect(renderDmesg(again)).toBe(renderDmesg(failure.run));
    expect(JSON.stringify(again.trace)).toBe(JSON.stringify(failure.run.trace));
  });
});
