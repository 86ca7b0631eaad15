/**
 * Base of every object tasks share: memory cells, locks, completions, registers.
 * Each gets an id in creation order within its run, so two runs of the same
 * scenario name the same objects the same way; the explorer's dependency
 * tracking and the replay tokens rely on that.
 */
import { KemuError } from './errors.js';
import { currentKernelOrNull, type RunContext } from './sched/current.js';

/** An id taken in advance for an object made later (cell-array.ts), with the run it was taken in. */
export interface ReservedId {
  readonly run: RunContext;
  readonly id: number;
}

export abstract class SharedObject {
  readonly id: number;
  readonly run: RunContext;

  constructor(readonly name: string, reserved?: ReservedId) {
    this.run = reserved?.run ?? currentRun(this, name);
    this.id = reserved?.id ?? this.run.registerObjects(1);
  }
}

/** The run `made` (a shared object or an array of them, named `name`) is being made in; throws outside one. */
export function currentRun(made: object, name: string): RunContext {
  const run = currentKernelOrNull();
  if (!run) {
    throw new KemuError('bad-usage',
      `${made.constructor.name} "${name}" was created outside a kemu run: create shared objects ` +
      `inside the scenario, so that every explored run starts from the same state`);
  }
  return run;
}
