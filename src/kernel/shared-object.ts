/**
 * Base of every object tasks share: memory cells, locks, completions, registers.
 * Each gets an id in creation order within its run, so two runs of the same
 * scenario name the same objects the same way; the explorer's dependency
 * tracking and the replay tokens rely on that.
 */
import { KemuError } from './errors.js';
import { currentKernelOrNull, type RunContext } from './sched/current.js';

export abstract class SharedObject {
  readonly id: number;
  readonly run: RunContext;

  constructor(readonly name: string) {
    const run = currentKernelOrNull();
    if (!run) {
      throw new KemuError('bad-usage',
        `${this.constructor.name} "${name}" was created outside a kemu run: create shared objects ` +
        `inside the scenario, so that every explored run starts from the same state`);
    }
    this.run = run;
    this.id = run.registerObject(this);
  }
}
