/**
 * Physical memory that devices reach by DMA: a map from bus address to the
 * cell that holds that word. Kernel code allocates coherent buffers (a
 * descriptor ring, a status array) and passes their bus addresses to a device;
 * the device's DMA writes land on exactly the cells the CPUs poll.
 */
import type { Cell, ValueFormatter } from './cell.js';
import { CellArray } from './cell-array.js';
import { KemuError } from '../errors.js';

export interface DmaBuffer<T> {
  /** Bus address of word 0. */
  readonly dma_handle: number;
  readonly wordSize: number;
  readonly words: CellArray<T>;
}

export class PhysMemory {
  private readonly buffers: DmaBuffer<unknown>[] = [];
  private nextAddress = 0x1_0000;

  /**
   * Models dma_alloc_coherent()/kcalloc of a DMA-visible array: `count` words of
   * `wordSize` bytes, named `name[i]` in reports.
   */
  alloc<T>(name: string, count: number, wordSize: number, init: T, format?: ValueFormatter<T>): DmaBuffer<T> {
    const base = this.nextAddress;
    const buffer: DmaBuffer<T> = { dma_handle: base, wordSize, words: new CellArray<T>(name, count, init, format) };
    this.buffers.push(buffer as DmaBuffer<unknown>);
    this.nextAddress = base + Math.ceil((count * wordSize) / 0x1000) * 0x1000 + 0x1000;
    return buffer;
  }

  /** The cell at a bus address, for a device's DMA; throws on an address that is not a word of an allocated buffer. */
  cellAt(address: number): Cell<unknown> {
    for (const { dma_handle, wordSize, words } of this.buffers) {
      const offset = address - dma_handle;
      if (offset >= 0 && offset < words.length * wordSize && offset % wordSize === 0) return words.at(offset / wordSize);
    }
    throw new KemuError('bad-usage', `DMA to bus address 0x${address.toString(16)}, where no buffer was allocated`);
  }
}
