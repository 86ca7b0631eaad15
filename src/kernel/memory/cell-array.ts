/**
 * A fixed number of cells made as one: a descriptor ring, a status array, a
 * table of per-slot bookkeeping (`name[0]`, `name[1]`, …). Their ids are
 * taken when the array is made, the ones as many separate cells would get,
 * so they do not depend on which slots a run touches first; each cell is
 * made at its first use. A run of the QI scenarios touches a few slots of
 * its ring: with cells made up front, QI v6.12 [1,1,0] on the upstream ring
 * of 256 slots took 135-149 ms of CPU a warm search, against 69-97 ms on 8
 * slots; made at first use, 67-90 ms on 256 (separate processes, medians of
 * 17 searches, two rounds).
 */
import { Cell, type ValueFormatter } from './cell.js';
import { currentRun } from '../shared-object.js';
import { KemuError } from '../errors.js';
import type { RunContext } from '../sched/current.js';

export class CellArray<T> {
  private readonly cells: (Cell<T> | undefined)[] = [];
  private readonly run: RunContext;
  private readonly firstId: number;

  constructor(readonly name: string, readonly length: number, private readonly init: T, private readonly format?: ValueFormatter<T>) {
    this.run = currentRun(this, name);
    this.firstId = this.run.registerObjects(length);
  }

  /** Cell `i`, `name[i]`; throws past the end. */
  at(i: number): Cell<T> {
    const made = this.cells[i];
    if (made !== undefined) return made;
    if (!(Number.isInteger(i) && i >= 0 && i < this.length)) {
      throw new KemuError('bad-usage', `${this.name}[${i}] is outside the array of ${this.length}`);
    }
    const cell = new Cell<T>(`${this.name}[${i}]`, this.init, this.format, { run: this.run, id: this.firstId + i });
    this.cells[i] = cell;
    return cell;
  }

  /** Every cell, made now if not yet (for what reads them all, such as an invariant). */
  all(): Cell<T>[] {
    return Array.from({ length: this.length }, (_, i) => this.at(i));
  }
}
