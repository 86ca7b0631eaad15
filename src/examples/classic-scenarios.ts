/**
 * The classic concurrency cases, as examples of scenarios: the explorer's tests,
 * the reduction benchmark and `kemu run` use them. Each is a scenario builder,
 * with a buggy and a fixed form where the case has one.
 */
import {
  Cell, Completion, Mutex, READ_ONCE, WRITE_ONCE, atomic_inc_return, complete, cpu_relax,
  mutex_lock, mutex_unlock, wait_for_completion, type Kernel,
} from '../kernel/index.js';

/** Two tasks increment a shared counter; the last one checks it. `locked` guards the read-modify-write. */
export function counter(locked: boolean) {
  return (k: Kernel) => {
    const x = new Cell('x', 0);
    const lock = new Mutex('counter_lock');
    const finished = new Cell('finished', 0);
    const increment = async () => {
      if (locked) await mutex_lock(lock);
      const v = await READ_ONCE(x);
      await WRITE_ONCE(x, v + 1);
      if (locked) await mutex_unlock(lock);
      if ((await atomic_inc_return(finished)) === 2 && x.value !== 2) throw new Error(`lost update: x = ${x.value}`);
    };
    k.spawn('cpu1', increment);
    k.spawn('cpu2', increment);
  };
}

/** Two tasks take two mutexes in opposite orders. */
export function abba(k: Kernel) {
  const a = new Mutex('lock_a');
  const b = new Mutex('lock_b');
  k.spawn('cpu1', async () => { await mutex_lock(a); await mutex_lock(b); await mutex_unlock(b); await mutex_unlock(a); });
  k.spawn('cpu2', async () => { await mutex_lock(b); await mutex_lock(a); await mutex_unlock(a); await mutex_unlock(b); });
}

/** ABBA, but the second task starts only after the first has finished: no schedule deadlocks. */
export function abbaSequenced(k: Kernel) {
  const a = new Mutex('lock_a');
  const b = new Mutex('lock_b');
  const first = new Completion('first_done');
  k.spawn('cpu1', async () => { await mutex_lock(a); await mutex_lock(b); await mutex_unlock(b); await mutex_unlock(a); await complete(first); });
  k.spawn('cpu2', async () => { await wait_for_completion(first); await mutex_lock(b); await mutex_lock(a); await mutex_unlock(a); await mutex_unlock(b); });
}

/** Peterson's mutual exclusion with sequentially consistent visible memory; `broken` drops `turn`. */
export function peterson(broken: boolean) {
  return (k: Kernel) => {
    const flag = [new Cell('flag[0]', 0), new Cell('flag[1]', 0)];
    const turn = new Cell('turn', 0);
    const inside = new Cell('in_critical_section', 0);
    const task = (me: number) => async () => {
      const other = 1 - me;
      if (broken) {
        while ((await READ_ONCE(flag[other]!)) === 1) await cpu_relax();
        await WRITE_ONCE(flag[me]!, 1);
      } else {
        await WRITE_ONCE(flag[me]!, 1);
        await WRITE_ONCE(turn, other);
        while ((await READ_ONCE(flag[other]!)) === 1 && (await READ_ONCE(turn)) === other) await cpu_relax();
      }
      if ((await atomic_inc_return(inside)) !== 1) throw new Error('two tasks in the critical section');
      await WRITE_ONCE(inside, 0);
      await WRITE_ONCE(flag[me]!, 0);
    };
    k.spawn('cpu1', task(0));
    k.spawn('cpu2', task(1));
  };
}

/** A task polls a flag; `setter` decides whether anyone ever sets it. */
export function spinWait(setter: boolean) {
  return (k: Kernel) => {
    const ready = new Cell('ready', 0);
    k.spawn('cpu1', async () => { while ((await READ_ONCE(ready)) === 0) await cpu_relax(); });
    if (setter) k.spawn('cpu2', async () => { await WRITE_ONCE(ready, 1); });
  };
}

/** `tasks` tasks, each writing its own cell `writes` times: nothing conflicts. */
export function independentWriters(tasks: number, writes: number) {
  return (k: Kernel) => {
    for (let t = 0; t < tasks; t++) {
      const cell = new Cell(`x${t}`, 0);
      k.spawn(`cpu${t + 1}`, async () => { for (let i = 1; i <= writes; i++) await WRITE_ONCE(cell, i); });
    }
  };
}
