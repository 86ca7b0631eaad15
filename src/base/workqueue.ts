/**
 * A workqueue with one worker kthread (kernel/workqueue.c, v6.5, reduced to
 * what the driver core uses: system_unbound_wq running deferred_probe_work).
 * The worker is a daemon task named like the kernel's (`kworker/u16:0`) that
 * sleeps on a completion until work is queued, then runs the items in order.
 * flush_work() queues a barrier behind the work and waits for it, as
 * insert_wq_barrier() does.
 */
import type { Kernel } from '../kernel/kernel.js';
import { Completion, complete, wait_for_completion } from '../kernel/locking/completion.js';
import { Cell } from '../kernel/memory/cell.js';
import { current } from '../kernel/sched/current.js';

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

  constructor(readonly name: string, readonly workerComm: string) {
    this.more = new Completion(`${name}.worklist`);
    this.state = new Cell(`${name}.worklist`, 0);
  }

  /** Spawns the worker kthread (create_worker()); idempotent. */
  start(kernel: Kernel = current().kernel): void {
    if (this.started) return;
    this.started = true;
    kernel.spawn(this.workerComm, () => this.worker_thread(), { daemon: true });
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
