/**
 * A workqueue with one worker kthread (kernel/workqueue.c, v6.5, reduced to
 * what the driver core uses: system_unbound_wq running deferred_probe_work,
 * system_wq running the deferred-probe timeout). The worker is a daemon task
 * named like the kernel's (`kworker/u16:0`) that sleeps on a completion until
 * work is queued, then runs the items in order. flush_work() queues a barrier
 * behind the work and waits for it, as insert_wq_barrier() does. Delayed work
 * is queued by a kernel timer (src/kernel/time/timer.ts).
 */
import type { Kernel } from '../kernel/kernel.js';
import { Completion, complete, wait_for_completion } from '../kernel/locking/completion.js';
import { Cell } from '../kernel/memory/cell.js';
import { current } from '../kernel/sched/current.js';
import { jiffies, mod_timer, timer_pending, TimerList } from '../kernel/time/timer.js';
import { RunLocal } from './run-local.js';

/** Models struct work_struct. */
export class WorkStruct {
  /** WORK_STRUCT_PENDING: queued and not yet started. */
  pending = false;
  /** The worker is running it now. */
  running = false;

  constructor(readonly name: string, readonly func: (work: WorkStruct) => Promise<void>) {}
}

interface QueueItem {
  work: WorkStruct | null;
  /** A flush barrier: completed when the worker reaches it. */
  barrier: Completion | null;
}

/** Models a struct workqueue_struct served by one worker kthread. */
export class Workqueue {
  private readonly items: QueueItem[] = [];
  private readonly more: Completion;
  /** The queue, as memory the explorer sees. */
  private readonly state: Cell<number>;
  private started = false;

  /** `cpu` pins the worker (a per-CPU pool's); unbound workers take the next free CPU. */
  constructor(readonly name: string, readonly workerComm: string, private readonly cpu?: number) {
    this.more = new Completion(`${name}.worklist`);
    this.state = new Cell(`${name}.worklist`, 0);
  }

  /** Spawns the worker kthread (create_worker()); idempotent. */
  start(kernel: Kernel = current().kernel): void {
    if (this.started) return;
    this.started = true;
    kernel.spawn(this.workerComm, () => this.worker_thread(), { daemon: true, cpu: this.cpu });
  }

  /** Models worker_thread() + process_one_work(). */
  private async worker_thread(): Promise<never> {
    for (;;) {
      await wait_for_completion(this.more);
      this.state.get();
      const item = this.items.shift()!;
      this.state.set(this.state.value + 1);
      if (item.barrier) {
        await complete(item.barrier);
        continue;
      }
      const work = item.work!;
      work.pending = false;
      work.running = true;
      await work.func(work);
      work.running = false;
      this.state.set(this.state.value + 1);
    }
  }

  /** Models queue_work(): false if the work was already pending. */
  async queue_work(work: WorkStruct): Promise<boolean> {
    this.state.get();
    if (work.pending) return false;
    this.start();
    work.pending = true;
    this.items.push({ work, barrier: null });
    this.state.set(this.state.value + 1);
    await complete(this.more);
    return true;
  }

  /** Models flush_work(): waits until the last queueing of `work` has finished running. */
  async flush_work(work: WorkStruct): Promise<boolean> {
    this.state.get();
    if (!work.pending && !work.running) return false;
    const done = new Completion(`${this.name}.flush(${work.name})`);
    const at = work.pending ? this.items.findIndex((i) => i.work === work) + 1 : 0;
    this.items.splice(at, 0, { work: null, barrier: done });
    this.state.set(this.state.value + 1);
    await complete(this.more);
    await wait_for_completion(done);
    return true;
  }
}

/** Models system_wq (kernel/workqueue.c, v6.5): the per-CPU "events" queue; kemu runs its CPU 0 pool. */
export const system_wq = new RunLocal('system_wq', () => new Workqueue('events', 'kworker/0:1', 0));

/** Models struct delayed_work: a work item and the timer that queues it. */
export class DelayedWork {
  readonly work: WorkStruct;
  readonly timer: TimerList;
  private wq: Workqueue | null = null;

  constructor(name: string, func: (work: WorkStruct) => Promise<void>) {
    this.work = new WorkStruct(name, func);
    this.timer = new TimerList(name, () => this.delayed_work_timer_fn());
  }

  /** Models delayed_work_timer_fn(): the timer queues the work. */
  private async delayed_work_timer_fn(): Promise<void> {
    await this.wq!.queue_work(this.work);
  }

  /** Models queue_delayed_work(): false if already pending; no delay queues at once. */
  async queue_delayed_work(wq: Workqueue, delay: number): Promise<boolean> {
    if (this.work.pending || timer_pending(this.timer)) return false;
    this.wq = wq;
    if (delay === 0) return await wq.queue_work(this.work);
    mod_timer(this.timer, jiffies() + delay);
    return true;
  }
}

/** Models schedule_delayed_work(): queue_delayed_work() on system_wq. */
export async function schedule_delayed_work(dwork: DelayedWork, delay: number): Promise<boolean> {
  return await dwork.queue_delayed_work(system_wq.get(), delay);
}
