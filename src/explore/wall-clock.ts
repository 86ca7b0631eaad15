/**
 * Wall-clock time for the explorer's own bookkeeping (time limits, progress,
 * benchmarks). Never used inside the model, whose time is virtual.
 */
export function wallNow(): number {
  return performance.now();
}

/** Lets the event loop run (timers, I/O, the escape watchdog) between batches of runs. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
