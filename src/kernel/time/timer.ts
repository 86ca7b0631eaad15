/**
 * Kernel timers (kernel/time/timer.c), reduced to what boot needs: a timer is
 * armed for a jiffies value and its function runs once virtual time gets
 * there. kemu has no timer interrupt: time passes when the boot is otherwise
 * over (run_timers_while_idle), the way UML's time-travel mode skips idle
 * time, and each expired timer's function runs in the idle task's place.
 */
import { NSEC_PER_SEC, HZ } from '../clock.js';
import type { Kernel } from '../kernel.js';
import { current } from '../sched/current.js';

/** Models struct timer_list: `expires` in jiffies, and the function run when it fires. */
export class TimerList {
  expires = 0;

  constructor(readonly name: string, readonly func: (timer: TimerList) => Promise<void>) {}
}

const pending = new WeakMap<Kernel, TimerList[]>();

function timersOf(kernel: Kernel): TimerList[] {
  let list = pending.get(kernel);
  if (!list) pending.set(kernel, (list = []));
  return list;
}

/** Models mod_timer() (kernel/time/timer.c): (re)arms `timer` for `expires`; true if it was pending. */
export function mod_timer(timer: TimerList, expires: number): boolean {
  const list = timersOf(current().kernel);
  const was = del_timer(timer);
  timer.expires = expires;
  list.push(timer);
  return was;
}

/** Models del_timer() (kernel/time/timer.c): disarms `timer`; true if it was pending. */
export function del_timer(timer: TimerList): boolean {
  const list = timersOf(current().kernel);
  const i = list.indexOf(timer);
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
}

/** Models timer_pending(). */
export function timer_pending(timer: TimerList): boolean {
  return timersOf(current().kernel).includes(timer);
}

/** The current jiffies of the run. */
export function jiffies(): number {
  return current().kernel.clock.jiffies;
}

/**
 * What the rest of a boot is to kemu: the CPU idles while virtual time runs on
 * to each armed timer in expiry order, and the timer fires (its function runs
 * in the calling task, as run_timer_softirq would on the idle CPU). Returns
 * when no timer is armed.
 */
export async function run_timers_while_idle(): Promise<void> {
  const kernel = current().kernel;
  const list = timersOf(kernel);
  while (list.length > 0) {
    const next = list.reduce((a, b) => (b.expires < a.expires ? b : a));
    list.splice(list.indexOf(next), 1);
    kernel.clock.advanceTo((next.expires * NSEC_PER_SEC) / HZ);
    await next.func(next);
  }
}
