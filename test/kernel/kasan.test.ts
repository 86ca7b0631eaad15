/**
 * Slab lifetimes and KASAN: a freed object's fields are poisoned, a later load
 * or store is a slab-use-after-free report, a second kfree() a double-free,
 * and none of them ends the run. The reports come from the order the explorer
 * chose between visible accesses and the free, never from a special case.
 */
import { describe, expect, test } from 'vitest';
import { explore } from '../../src/explore/index.js';
import { Cell, Mutex, READ_ONCE, WRITE_ONCE, mutex_lock, mutex_unlock, pr_info, type Kernel } from '../../src/kernel/index.js';
import { KernelNullDereference, SlabObject, kfree, kzalloc, load, store, type SlabField, type StructType } from '../../src/kernel/memory/slab.js';
import { renderReport } from '../../src/report/index.js';

/** A two-field struct for the tests: `struct widget { long a; long b; }`. */
class Widget extends SlabObject {
  static readonly struct: StructType = { name: 'struct widget', size: 16, fields: { a: { offset: 0, size: 8 }, b: { offset: 8, size: 8 } } };
  readonly a: SlabField<number> = this.field('a', 0);
  readonly b: SlabField<number> = this.field('b', 0);
  constructor() {
    super(Widget.struct);
  }
}

/** A reader that keeps a pointer across a scheduling point, and a task that frees the object. */
function readerAndFreer(locked: boolean) {
  return (k: Kernel) => {
    const lock = new Mutex('widget_lock');
    const ptr = new Cell<Widget | null>('global_widget', kzalloc(Widget));
    async function reader_fn(): Promise<void> {
      if (locked) await mutex_lock(lock);
      const w = await READ_ONCE(ptr);
      if (w) pr_info(`b = ${await load(Widget, w, 'b')}`);
      if (locked) await mutex_unlock(lock);
    }
    async function freer_fn(): Promise<void> {
      if (locked) await mutex_lock(lock);
      const w = await READ_ONCE(ptr);
      await WRITE_ONCE(ptr, null);
      kfree(w);
      if (locked) await mutex_unlock(lock);
    }
    k.spawn('reader', reader_fn);
    k.spawn('freer', freer_fn);
  };
}

describe('slab-use-after-free', () => {
  test('a load after another CPU freed the object is reported, with both tracks, and the run goes on', async () => {
    const result = await explore(readerAndFreer(false));
    expect(result.exhausted).toBe(true);
    expect(result.failures.map((f) => f.kind)).toEqual(['kasan']);
    const report = result.failures[0]!.report;
    expect(report.kasan).toMatchObject({
      bugType: 'slab-use-after-free',
      access: { kind: 'read', size: 8 },
      object: { struct: 'struct widget', field: 'b', cache: 'kmalloc-16', offset: 8 },
    });
    expect(report.task?.comm).toBe('reader');
    expect(report.kasan!.freed?.comm).toBe('freer');
    expect(report.kasan!.allocated.comm).toBe('swapper/0');
    // The replay captured where it was freed, and the run completed.
    expect(report.kasan!.freed!.callTrace!.map((f) => f.split(' ')[0])).toContain('freer_fn');
    expect(result.failures[0]!.run.outcome).toBe('complete');
    expect(result.failures[0]!.run.log.some((l) => l.text === 'b = 0')).toBe(true);
    const text = renderReport(report, { release: "test" });
    expect(text).toMatch(/^={66}\nBUG: KASAN: slab-use-after-free in reader_fn \(test\/kernel\/kasan\.test\.ts:\d+\)\nRead of size 8 at addr ffff0000[0-9a-f]{8} by task reader\/2\n/);
    expect(text).toContain('Allocated by task 1:');
    expect(text).toContain('Freed by task 3:');
    expect(text).toContain(' which belongs to the cache kmalloc-16 of size 16');
    expect(text).toContain('The buggy address is located 8 bytes inside of');
  });

  test('the same accesses under the lock that orders them against the free: nothing to report', async () => {
    const result = await explore(readerAndFreer(true));
    expect(result.exhausted).toBe(true);
    expect(result.failures).toEqual([]);
  });

  test('a store to a freed object is a write report', async () => {
    const result = await explore(async () => {
      const w = kzalloc(Widget);
      kfree(w);
      await store(Widget, w, 'a', 1);
    });
    expect(result.failures[0]!.report.kasan).toMatchObject({ access: { kind: 'write', size: 8 }, object: { field: 'a', offset: 0 } });
  });
});

describe('double-free and NULL dereference', () => {
  test('two tasks that both free what they read: double-free in one schedule, none when the pointer is taken atomically', async () => {
    const racy = await explore((k) => {
      const ptr = new Cell<Widget | null>('global_widget', kzalloc(Widget));
      const put = async () => {
        const w = await READ_ONCE(ptr);
        await WRITE_ONCE(ptr, null);
        kfree(w);
      };
      k.spawn('cpu1', put);
      k.spawn('cpu2', put);
    });
    expect(racy.failures.map((f) => f.report.kasan?.bugType)).toEqual(['double-free']);
    expect(renderReport(racy.failures[0]!.report)).toContain('BUG: KASAN: double-free in put');
  });

  test('loading a field through a NULL pointer oopses at the field offset', async () => {
    const result = await explore(async () => {
      await load(Widget, null, 'b');
    });
    expect(result.failures.map((f) => f.kind)).toEqual(['oops']);
    expect(result.failures[0]!.report.message).toContain(new KernelNullDereference(8, 'read').message);
    expect(renderReport(result.failures[0]!.report)).toMatch(/^Unable to handle kernel NULL pointer dereference at virtual address 0000000000000008\n/);
  });
});
