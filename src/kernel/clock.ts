/**
 * Virtual time. Every scheduling step advances it by one quantum, so the
 * timestamps in dmesg order events the way the run ordered them; when nothing
 * can run any more (a hang), detectors move it forward to the moment the
 * kernel's own watchdog would have fired, as UML's time-travel mode does.
 */
export const NSEC_PER_SEC = 1_000_000_000;
export const HZ = 1000;
/** Virtual time one scheduling step takes. */
export const STEP_NS = 1_000;

export class Clock {
  ns = 0;

  tick(): void {
    this.ns += STEP_NS;
  }

  get jiffies(): number {
    return Math.floor(this.ns / (NSEC_PER_SEC / HZ));
  }

  /** Moves time forward (never back) to `ns`. */
  advanceTo(ns: number): void {
    if (ns > this.ns) this.ns = ns;
  }
}

/** `[    1.234567]`, the dmesg timestamp of a virtual time. */
export function formatTimestamp(ns: number): string {
  const us = Math.floor(ns / 1000);
  const sec = Math.floor(us / 1_000_000);
  const frac = String(us % 1_000_000).padStart(6, '0');
  return `[${String(sec).padStart(5, ' ')}.${frac}]`;
}
