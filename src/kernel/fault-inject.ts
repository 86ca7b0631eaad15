/**
 * Fault injection points, in the manner of the kernel's should_fail() and
 * iommufd's iommufd_should_fail(): model code asks `should_fail('kzalloc')`
 * where a real kernel could fail (an allocation, a probe, a hardware
 * timeout), and a test configures which call fails: "the 2nd kzalloc". The
 * counts are per run, so every explored schedule sees the same faults.
 */
import { current } from './sched/current.js';

/** For each point, the call numbers (1-based) that fail. */
export type FaultPlan = Readonly<Record<string, number | readonly number[]>>;

export class FaultInjector {
  private readonly calls = new Map<string, number>();

  constructor(private readonly plan: FaultPlan) {}

  /** Counts a call at `point`; true if this call is one the plan fails. */
  shouldFail(point: string): boolean {
    const failing = this.plan[point];
    if (failing === undefined) return false;
    const n = (this.calls.get(point) ?? 0) + 1;
    this.calls.set(point, n);
    return typeof failing === 'number' ? n === failing : failing.includes(n);
  }
}

/** Models should_fail(): whether the current call at this injection point is to fail. */
export function should_fail(point: string): boolean {
  return current().kernel.faults.shouldFail(point);
}
