/**
 * Invariants a scenario states over shared state (`kernel.invariant(...)`),
 * checked at the end of every step and reported, with a token, like any
 * failure: `free_cnt <= QI_LENGTH`, "no slot its owner polls is QI_FREE".
 *
 * Equivalent schedules reach the same final states but not the same states on
 * the way, so an invariant names the objects it reads: every step that writes
 * one of them also writes the run's invariant object, which makes those steps
 * dependent on each other. The reduction then orders them in every way, and
 * every state the invariant can see is reached (the visible operations of
 * Valmari's and Peled's reductions).
 */
import type { SharedObject } from '../shared-object.js';
import type { KernelReport } from './report.js';
import { snapshotTask } from './snapshot.js';
import type { Kernel } from '../kernel.js';
import type { Task } from '../sched/task.js';

export interface Invariant {
  /** As reports name it: `free_cnt <= QI_LENGTH`. */
  readonly name: string;
  /** Holds (true), or is broken: false, or a line saying how (`free_cnt = 9`). Reads `.value`, never `get()`. */
  readonly holds: () => true | false | string;
}

/** The objects the invariants of a run read, and the checks. */
export class Invariants {
  private readonly all: Invariant[] = [];
  private readonly objects = new Set<SharedObject>();

  get any(): boolean {
    return this.all.length > 0;
  }

  add(name: string, objects: readonly SharedObject[], holds: Invariant['holds']): void {
    this.all.push({ name, holds });
    for (const o of objects) this.objects.add(o);
  }

  /** Whether a write to this object can change what an invariant sees. */
  watches(object: SharedObject): boolean {
    return this.objects.has(object);
  }

  /** The invariants broken now, each as a report about the step `task` just took. */
  broken(kernel: Kernel, task: Task): KernelReport[] {
    const reports: KernelReport[] = [];
    for (const inv of this.all) {
      const result = inv.holds();
      if (result === true) continue;
      const how = typeof result === 'string' ? result : '';
      reports.push({
        kind: 'invariant', fatal: false, ns: kernel.clock.ns, step: kernel.stepCount,
        signature: `invariant:${inv.name}`,
        title: `invariant broken: ${inv.name}${how ? ` (${how})` : ''}, after a step of ${task.label}`,
        task: snapshotTask(kernel, task), others: [], message: how, location: inv.name, chain: [], stuckSeconds: 0,
      });
    }
    return reports;
  }
}
