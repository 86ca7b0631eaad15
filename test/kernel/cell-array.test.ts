/**
 * CellArray (src/kernel/memory/cell-array.ts) and the DMA buffers made of it:
 * cells made at first use carry the ids that cells made up front would, and
 * a device's DMA reaches exactly the words of an allocated buffer.
 */
import { describe, expect, test } from 'vitest';
import { explore } from '../../src/explore/index.js';
import { Cell } from '../../src/kernel/memory/cell.js';
import { CellArray } from '../../src/kernel/memory/cell-array.js';
import { PhysMemory } from '../../src/kernel/memory/phys-memory.js';
import { KemuError } from '../../src/kernel/errors.js';

/** Runs `body` once inside a run, where shared objects can be made. */
async function inRun(body: () => void): Promise<void> {
  let error: unknown = null;
  await explore(() => {
    try {
      body();
    } catch (e) {
      error = e;
    }
  }, { strategy: 'exhaustive' });
  if (error !== null) throw error;
}

describe('CellArray', () => {
  test('its cells, made in any order, have the ids as many cells made in a row would have', async () => {
    const ids: Record<string, number> = {};
    await inRun(() => {
      const before = new Cell('before', 0);
      const ring = new CellArray('ring', 4, 0);
      const after = new Cell('after', 0);
      const third = ring.at(3);
      const first = ring.at(0);
      Object.assign(ids, { before: before.id, first: first.id, third: third.id, after: after.id });
      expect(ring.at(3)).toBe(third);
      expect([first.name, third.name]).toEqual(['ring[0]', 'ring[3]']);
    });
    const eager: Record<string, number> = {};
    await inRun(() => {
      const before = new Cell('before', 0);
      const ring = Array.from({ length: 4 }, (_, i) => new Cell(`ring[${i}]`, 0));
      const after = new Cell('after', 0);
      Object.assign(eager, { before: before.id, first: ring[0]!.id, third: ring[3]!.id, after: after.id });
    });
    expect(ids).toEqual(eager);
    expect(ids.after! - ids.before!).toBe(5);
  });

  test('an index past the end is a misuse that names the array', async () => {
    await expect(inRun(() => new CellArray('ring', 4, 0).at(4))).rejects.toThrow(new KemuError('bad-usage', 'ring[4] is outside the array of 4'));
    await expect(inRun(() => new CellArray('ring', 4, 0).at(-1))).rejects.toThrow(/ring\[-1\] is outside the array of 4/);
  });

  test('is made inside a run only', () => {
    expect(() => new CellArray('outside', 4, 0)).toThrow(/CellArray "outside" was created outside a kemu run/);
  });
});

describe('PhysMemory', () => {
  test('a bus address names the word of the buffer it falls on; a misaligned or unallocated one is a misuse', async () => {
    await inRun(() => {
      const phys = new PhysMemory();
      const ring = phys.alloc('ring', 4, 16, 0);
      const status = phys.alloc('status', 4, 4, 0);
      expect(phys.cellAt(ring.dma_handle + 32)).toBe(ring.words.at(2));
      expect(phys.cellAt(status.dma_handle + 12)).toBe(status.words.at(3));
      expect(() => phys.cellAt(status.dma_handle + 2)).toThrow(`DMA to bus address 0x${(status.dma_handle + 2).toString(16)}, where no buffer was allocated`);
      expect(() => phys.cellAt(status.dma_handle + 16)).toThrow(/where no buffer was allocated/);
    });
  });
});
