/**
 * kmalloc'd objects with a lifetime, as KASAN sees them (mm/slub.c,
 * mm/kasan/generic.c, v6.6): an object lives from kzalloc() to kfree(); after
 * the free its memory is poisoned, and any access to it, or a second kfree, is
 * reported (src/kernel/detect/kasan.ts) while the run goes on, as KASAN does
 * without panic_on_warn.
 *
 * A struct's fields are words of shared memory (`SlabField`, a Cell), laid out
 * at the kernel's offsets, so a report can say "8 bytes inside of freed
 * 80-byte region" and a NULL pointer dereference faults at the field's offset.
 * `load`/`store` are visible accesses (another CPU may act between any two of
 * them, as it can between two plain C loads of unlocked memory); every access
 * also reads the object's allocation state, so the explorer orders it against
 * the kfree() that poisons the object.
 */
import { KemuError } from '../errors.js';
import { captureCallTrace } from '../sched/call-trace.js';
import { currentKernelOrNull, current } from '../sched/current.js';
import { Cell } from './cell.js';
import { READ_ONCE, WRITE_ONCE } from './once.js';
import { kasan_report_access, kasan_report_double_free } from '../detect/kasan.js';

/** Where a field sits in its struct. */
export interface FieldLayout {
  readonly offset: number;
  readonly size: number;
}

/** A C struct as kmalloc and KASAN see it: its name, size and field layout. */
export interface StructType {
  /** `struct dev_iommu`. */
  readonly name: string;
  readonly size: number;
  readonly fields: Readonly<Record<string, FieldLayout>>;
}

/** Who allocated or freed an object, as kasan_save_track() records it. */
export interface SlabTrack {
  readonly pid: number;
  readonly comm: string;
  /** Kernel frames, innermost first; captured in replays only. */
  readonly callTrace: string[] | null;
}

/** The kmalloc size classes of SLUB (kmalloc_info[], mm/slab_common.c). */
const KMALLOC_SIZES = [8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192];

/** kmalloc-N: the cache an allocation of `size` bytes comes from. */
export function kmalloc_cache(size: number): { name: string; size: number } {
  const n = KMALLOC_SIZES.find((s) => s >= size) ?? Math.ceil(size / 4096) * 4096;
  return { name: `kmalloc-${n}`, size: n };
}

/** Linear-map addresses handed out in a run (each run's allocations start from the same base, for replay). */
const nextAddr = new WeakMap<object, number>();
const ADDR_BASE = 0x0400_0000;

function allocAddress(bytes: number): number {
  const run = currentKernelOrNull();
  if (!run) throw new KemuError('bad-usage', 'kzalloc() called outside a kemu run: allocate inside the scenario');
  const addr = nextAddr.get(run) ?? ADDR_BASE;
  nextAddr.set(run, addr + bytes);
  return addr;
}

/** `ffff000004000080`: an arm64 linear-map address, as KASAN prints it. */
export function formatAddr(addr: number): string {
  return `ffff0000${addr.toString(16).padStart(8, '0')}`;
}

function track(): SlabTrack {
  const task = current();
  return { pid: task.pid, comm: task.comm, callTrace: task.kernel.capture ? captureCallTrace() : null };
}

/** One field of a slab object: a word of shared memory that knows where it lives. */
export class SlabField<T> extends Cell<T> {
  constructor(readonly object: SlabObject, readonly field: string, readonly layout: FieldLayout, initial: T) {
    super(`${object.struct.name.replace(/^struct /, '')}@${formatAddr(object.addr)}->${field}`, initial);
  }
}

/**
 * Base of every kmalloc'd struct. A subclass declares its `StructType` and its
 * fields with `field()`; `kzalloc(Type)` allocates one, `kfree(obj)` frees it.
 */
export abstract class SlabObject {
  /** Start address (see formatAddr). */
  readonly addr: number;
  /** The cache the object came from. */
  readonly cache: { name: string; size: number };
  /** 'allocated' until kfree(); every checked access reads it. */
  readonly state: Cell<'allocated' | 'freed'>;
  readonly allocated: SlabTrack;
  freed: SlabTrack | null = null;

  constructor(readonly struct: StructType) {
    this.cache = kmalloc_cache(struct.size);
    this.addr = allocAddress(this.cache.size);
    this.state = new Cell<'allocated' | 'freed'>(`${struct.name.replace(/^struct /, '')}@${formatAddr(this.addr)}`, 'allocated');
    this.allocated = track();
  }

  /** Declares a field at its offset in the struct (zero-initialised as by kzalloc: `initial`). */
  protected field<T>(name: string, initial: T): SlabField<T> {
    const layout = this.struct.fields[name];
    if (!layout) throw new KemuError('bad-usage', `${this.struct.name} has no field ${name} in its layout`);
    return new SlabField(this, name, layout, initial);
  }
}

/** What `kzalloc(Type)` needs: a struct class with no constructor arguments. */
export type SlabClass<O extends SlabObject> = { new(): O; readonly struct: StructType };

/** Models kzalloc(sizeof(struct), GFP_KERNEL) (include/linux/slab.h): never fails in kemu. */
export function kzalloc<O extends SlabObject>(type: SlabClass<O>): O {
  return new type();
}

/**
 * Models kfree() (mm/slub.c) under KASAN: the object is poisoned; freeing it
 * again is a double-free report (and the second free does nothing more).
 */
export function kfree(obj: SlabObject | null): void {
  if (!obj) return;
  if (obj.state.get() === 'freed') {
    kasan_report_double_free(obj);
    return;
  }
  obj.state.set('freed');
  obj.freed = track();
}

/**
 * What dereferencing a NULL struct pointer does: the task oopses with the
 * field's offset as the faulting address (arm64's "Unable to handle kernel NULL
 * pointer dereference at virtual address 0000000000000030").
 */
export class KernelNullDereference extends Error {
  /** `accessor`: the slab helper that faulted; its frame and those above it are machinery, left out of the oops's trace. */
  constructor(readonly address: number, readonly access: string, accessor?: (...args: never[]) => unknown) {
    super(`Unable to handle kernel NULL pointer dereference at virtual address ${address.toString(16).padStart(16, '0')}`);
    this.name = 'NULL pointer dereference';
    const saved = Error.stackTraceLimit;
    Error.stackTraceLimit = 80;
    Error.captureStackTrace(this, accessor ?? KernelNullDereference);
    Error.stackTraceLimit = saved;
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Cell<T> is invariant in T; any matches every field type.
type FieldKey<O> = { [K in keyof O]: O[K] extends SlabField<any> ? K : never }[keyof O] & string;
type FieldValue<O, K extends keyof O> = O[K] extends SlabField<infer T> ? T : never;

function checked<O extends SlabObject>(type: SlabClass<O>, obj: O | null, key: string, access: 'read' | 'write'): O {
  if (obj === null) throw new KernelNullDereference(type.struct.fields[key]?.offset ?? 0, `${access} of ${type.struct.name}->${key}`, access === 'read' ? load : store);
  return obj;
}

/** `obj->key` as a visible load; KASAN checks it, and NULL `obj` faults. */
export async function load<O extends SlabObject, K extends FieldKey<O>>(type: SlabClass<O>, obj: O | null, key: K): Promise<FieldValue<O, K>> {
  const o = checked(type, obj, key, 'read');
  const cell = o[key] as unknown as SlabField<FieldValue<O, K>>;
  const value = await READ_ONCE(cell);
  if (o.state.get() === 'freed') kasan_report_access(o, cell.layout, 'read');
  return value;
}

/** `obj->key = value` as a visible store; KASAN checks it, and NULL `obj` faults. */
export async function store<O extends SlabObject, K extends FieldKey<O>>(type: SlabClass<O>, obj: O | null, key: K, value: FieldValue<O, K>): Promise<void> {
  const o = checked(type, obj, key, 'write');
  const cell = o[key] as unknown as SlabField<FieldValue<O, K>>;
  await WRITE_ONCE(cell, value);
  if (o.state.get() === 'freed') kasan_report_access(o, cell.layout, 'write');
}
