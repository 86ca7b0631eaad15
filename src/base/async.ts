/**
 * Asynchronous function calls (kernel/async.c, v6.6), as the driver core uses
 * them for asynchronous probing: async_schedule_dev() queues an entry on
 * system_unbound_wq, whose workers run entries concurrently, each on a
 * kworker of its own (`kworker/u16:N`, a kemu task on its own CPU), and
 * async_synchronize_full() waits until no entry is pending or running.
 */
import type { Device } from './device.js';
import { Completion, complete_all, wait_for_completion } from '../kernel/locking/completion.js';
import { RawSpinlock, raw_spin_lock_irqsave, raw_spin_unlock_irqrestore } from '../kernel/locking/spinlock.js';
import { current } from '../kernel/sched/current.js';
import { RunLocal } from './run-local.js';

/** Models async_cookie_t. */
export type AsyncCookie = number;
export type AsyncFunc = (dev: Device, cookie: AsyncCookie) => Promise<void>;

/** Models struct async_entry. */
interface AsyncEntry {
  readonly cookie: AsyncCookie;
  /** Completed (for every waiter) when the entry has run: async_done's wake-up for this cookie. */
  readonly done: Completion;
}

/** kernel/async.c's globals for one run. */
class AsyncState {
  readonly async_lock = new RawSpinlock('async_lock');
  /** async_global_pending, in cookie order (protected by async_lock). */
  readonly pending: AsyncEntry[] = [];
  next_cookie = 1;
  /** Workers spawned so far: the next is `kworker/u16:<workers + 1>` (kworker/u16:0 serves deferred probing). */
  workers = 0;
}

const async_state = new RunLocal('kernel/async.c', () => new AsyncState());

/** Models async_run_entry_fn() (kernel/async.c, v6.6): run the call, then retire the entry and wake waiters. */
async function async_run_entry_fn(entry: AsyncEntry, func: AsyncFunc, dev: Device): Promise<void> {
  const s = async_state.get();
  await func(dev, entry.cookie);
  const flags = await raw_spin_lock_irqsave(s.async_lock);
  s.pending.splice(s.pending.indexOf(entry), 1);
  await raw_spin_unlock_irqrestore(s.async_lock, flags);
  await complete_all(entry.done);
}

/**
 * Models async_schedule_dev() → async_schedule_node_domain() (kernel/async.c,
 * v6.6): take the next cookie, list the entry as pending, and queue it on
 * system_unbound_wq, where a worker of its own runs it.
 */
export async function async_schedule_dev(func: AsyncFunc, dev: Device): Promise<AsyncCookie> {
  const s = async_state.get();
  const flags = await raw_spin_lock_irqsave(s.async_lock);
  const entry: AsyncEntry = { cookie: s.next_cookie++, done: new Completion(`async_entry ${s.next_cookie - 1}`) };
  s.pending.push(entry);
  await raw_spin_unlock_irqrestore(s.async_lock, flags);
  const comm = `kworker/u16:${++s.workers}`;
  current().kernel.spawn(comm, () => async_run_entry_fn(entry, func, dev));
  return entry.cookie;
}

/** Models async_synchronize_full() (kernel/async.c, v6.6): wait until every entry, including ones queued meanwhile, has run. */
export async function async_synchronize_full(): Promise<void> {
  const s = async_state.get();
  for (;;) {
    const flags = await raw_spin_lock_irqsave(s.async_lock);
    const first = s.pending[0] ?? null;
    await raw_spin_unlock_irqrestore(s.async_lock, flags);
    if (!first) return;
    await wait_for_completion(first.done);
  }
}
