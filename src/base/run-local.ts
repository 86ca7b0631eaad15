/**
 * Per-run globals. The kernel has file-scope globals (`platform_bus_type`,
 * `deferred_probe_mutex`, `iommu_device_list`); in kemu every explored run
 * re-executes the boot from scratch, so such state must belong to the run.
 * A `RunLocal` is a slot keyed by the running Kernel: kernel functions reach
 * their subsystem's state through it the way C code names a global.
 */
import { KemuError } from '../kernel/errors.js';
import { current } from '../kernel/sched/current.js';

const slots = new WeakMap<object, Map<RunLocal<unknown>, unknown>>();

function runKey(): object {
  return current().kernel;
}

export class RunLocal<T> {
  /**
   * `create` makes the value on first use in a run; without it the value must be
   * installed (by the machine's boot) before kernel code asks for it.
   */
  constructor(readonly name: string, private readonly create?: () => T) {}

  /** The value for the running kernel. */
  get(): T {
    const key = runKey();
    let map = slots.get(key);
    if (!map) slots.set(key, (map = new Map()));
    if (map.has(this as RunLocal<unknown>)) return map.get(this as RunLocal<unknown>) as T;
    if (!this.create) {
      throw new KemuError('bad-usage', `${this.name} is not set up in this run: boot a machine that includes it ` +
        '(its container module), or install it in the scenario before kernel code uses it');
    }
    const value = this.create();
    map.set(this as RunLocal<unknown>, value);
    return value;
  }

  /** Installs the value for the running kernel (the machine's boot does this). */
  set(value: T): void {
    const key = runKey();
    let map = slots.get(key);
    if (!map) slots.set(key, (map = new Map()));
    map.set(this as RunLocal<unknown>, value);
  }

  /** Whether a value is installed (or was created) in this run. */
  has(): boolean {
    return slots.get(runKey())?.has(this as RunLocal<unknown>) ?? false;
  }
}
