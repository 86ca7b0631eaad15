/**
 * Models the parts of lib/klist.c the driver core relies on: tail insertion,
 * iteration that holds a reference on the current element (get/put hooks), and
 * deletion that marks a node dead so a walk in progress skips it. The list is
 * kemu-visible memory: adding and stepping record accesses on a Cell, so the
 * explorer sees that a walk and a concurrent add depend on each other. The
 * klist spinlock is held only while stepping; it is not a scheduling point.
 */
import { Cell } from '../kernel/memory/cell.js';

interface KlistNode<T> {
  item: T;
  dead: boolean;
}

export class Klist<T> {
  private readonly nodes: KlistNode<T>[] = [];
  /** Bumped on every change; walks read it, so changes and walks are ordered for the explorer. */
  private readonly version: Cell<number>;

  constructor(name: string, private readonly get?: (item: T) => void, private readonly put?: (item: T) => void) {
    this.version = new Cell(name, 0);
  }

  /** Models klist_add_tail(). */
  add_tail(item: T): void {
    this.nodes.push({ item, dead: false });
    this.version.set(this.version.value + 1);
  }

  /** Models klist_del(): the node stays for walks in progress, marked dead. */
  del(item: T): void {
    const node = this.nodes.find((n) => n.item === item && !n.dead);
    if (!node) return;
    node.dead = true;
    this.version.set(this.version.value + 1);
  }

  /** Live items in list order (a look at the list, recorded as a read). */
  items(): T[] {
    this.version.get();
    return this.nodes.filter((n) => !n.dead).map((n) => n.item);
  }

  /** Whether `item` is on the list. */
  contains(item: T): boolean {
    this.version.get();
    return this.nodes.some((n) => n.item === item && !n.dead);
  }

  /**
   * Models klist_iter_init_node() + klist_next() + klist_iter_exit(): yields live
   * items in order starting after `start` (from the head if null), holding a
   * reference on the yielded item until the next step or the end of the walk.
   */
  *iter(start: T | null = null): Generator<T, void, undefined> {
    let i = 0;
    this.version.get();
    if (start !== null) {
      const at = this.nodes.findIndex((n) => n.item === start);
      i = at < 0 ? this.nodes.length : at + 1;
    }
    let held: T | null = null;
    try {
      for (; i < this.nodes.length; i++) {
        this.version.get();
        const node = this.nodes[i]!;
        if (node.dead) continue;
        this.get?.(node.item);
        if (held !== null) this.put?.(held);
        held = node.item;
        yield node.item;
      }
    } finally {
      if (held !== null) this.put?.(held);
    }
  }
}
