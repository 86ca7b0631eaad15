/**
 * Device registers. A register is a visible cell with optional read and write
 * behaviour (write-1-to-clear status bits, a doorbell that a device agent
 * watches). readl/writel are scheduling points; the behaviour runs atomically
 * within the access, as a real register access is one bus transaction.
 */
import { Cell, type ValueFormatter } from './cell.js';
import { OpKind } from '../sched/op.js';
import { visible } from '../sched/visible.js';

export interface RegisterBehaviour<T> {
  /** What a CPU read returns (default: the stored value). */
  onRead?(reg: Register<T>): T;
  /** What a CPU write does (default: store the value). */
  onWrite?(reg: Register<T>, value: T): void;
}

/** A register that reads and writes as plain memory. */
const PLAIN = {};

export class Register<T = number> extends Cell<T> {
  constructor(name: string, value: T, private readonly behaviour: RegisterBehaviour<T> = PLAIN, format?: ValueFormatter<T>) {
    super(name, value, format);
  }

  /** The bus read (called by the scheduler when a readl executes). */
  mmioRead(): T {
    return this.behaviour.onRead ? this.behaviour.onRead(this) : this.value;
  }

  /** The bus write (called by the scheduler when a writel executes). */
  mmioWrite(value: T): void {
    if (this.behaviour.onWrite) this.behaviour.onWrite(this, value);
    else this.value = value;
  }
}

/** Models readl()/readq(): one register read, a scheduling point. */
export function readl<T>(reg: Register<T>): Promise<T> {
  return visible(OpKind.MmioRead, reg);
}

/** Models writel()/writeq(): one register write, a scheduling point. */
export function writel<T>(reg: Register<T>, value: T): Promise<void> {
  return visible(OpKind.MmioWrite, reg, value);
}

export const readq = readl;
export const writeq = writel;
