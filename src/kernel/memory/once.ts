/**
 * Marked accesses to shared memory (include/asm-generic/rwonce.h,
 * include/linux/atomic.h). Each is a scheduling point: another CPU or a device
 * may act between any two of them.
 */
import type { Cell } from './cell.js';
import { OpKind } from '../sched/op.js';
import { visible } from '../sched/visible.js';

export function READ_ONCE<T>(cell: Cell<T>): Promise<T> {
  return visible(OpKind.Read, cell);
}

export function WRITE_ONCE<T>(cell: Cell<T>, value: T): Promise<void> {
  return visible(OpKind.Write, cell, value);
}

/** An atomic read-modify-write: applies `update` to the old value, returns the old value. */
export function atomic_rmw<T>(cell: Cell<T>, update: (old: T) => T): Promise<T> {
  return visible(OpKind.Rmw, cell, update);
}

export const atomic_read = READ_ONCE as (cell: Cell<number>) => Promise<number>;
export const atomic_set = WRITE_ONCE as (cell: Cell<number>, value: number) => Promise<void>;

export async function atomic_add_return(delta: number, cell: Cell<number>): Promise<number> {
  return (await atomic_rmw(cell, (old) => old + delta)) + delta;
}

export const atomic_inc_return = (cell: Cell<number>): Promise<number> => atomic_add_return(1, cell);
export const atomic_dec_return = (cell: Cell<number>): Promise<number> => atomic_add_return(-1, cell);

export function atomic_xchg<T>(cell: Cell<T>, value: T): Promise<T> {
  return atomic_rmw(cell, () => value);
}

/** Returns the old value; stores `value` only if the old value was `expected`. */
export function atomic_cmpxchg<T>(cell: Cell<T>, expected: T, value: T): Promise<T> {
  return atomic_rmw(cell, (old) => (old === expected ? value : old));
}
