/**
 * Physical memory that devices reach by DMA: a map from bus address to the
 * cell that holds that word. Kernel code allocates coherent buffers (a
 * descriptor ring, a status array) and passes their bus addresses to a device;
 * the device's DMA writes land on exactly the cells the CPUs poll.
 */
import { Cell, type ValueFormatter } from './cell.js';
import { KemuError } from '../errors.js';

export interface DmaBuffer<T> {
  /** Bus address of word 0. */
  readonly dma_handle: number;
  readonly wordSize: number;
  readonly words: Cell<T>[];
}

export class PhysMemory {
  private readonly cells = new Map<number, Cell<unknown>>();
  private nextAddress = 0x1_0000;

  /**
   * Models dma_alloc_coherent()/kcalloc of a DMA-visible array: `count` words of
   * `wordSize` bytes, named `name[i]` in reports.
   */
  alloc<T>(name: string, count: number, wordSize: number, init: T, format?: ValueFormatter<T>): DmaBuffer<T> {
    const base = this.nextAddress;
    const words: Cell<T>[] = [];
    for (let i = 0; i < count; i++) {
      const cell = new Cell<T>(`${name}[${i}]`, init, format);
      words.push(cell);
      this.cells.set(base + i * wordSize, cell as Cell<unknown>);
    }
    this.nextAddress = base + Math.ceil((count * wordSize) / 0x1000) * 0x1000 + 0x1000;
    return { dma_handle: base, wordSize, words };
  }

  /** The cell at a bus address, for a device's DMA; throws on an address nothing was allocated at. */
  cellAt(address: number): Cell<unknown> {
    const cell = this.cells.get(address);
    if (!cell) {
      throw new KemuError('bad-usage', `DMA to bus address 0x${address.toString(16)}, where no buffer was allocated`);
    }
    return cell;
  }
}
