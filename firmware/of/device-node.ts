/**
 * The device tree data model: nodes with raw big-endian properties, and a tree that
 * finds nodes by phandle and by path. Pure data, no I/O. Built either from a DTB
 * (`unflatten_device_tree` in fdt.ts) or from a TypeScript object (`buildDeviceTree`
 * in dt-builder.ts).
 */
import { KemuError } from '../../src/kernel/errors.js';

/**
 * Models struct device_node (include/linux/of.h, v6.5).
 *
 * Differences from the kernel, on purpose: `name` is the node name *with* its unit
 * address (`mmu@4a066000`, the last component of the path), and `full_name` is the
 * whole path (`/ocp/mmu@4a066000`, what `%pOF` prints). Properties are kept in source
 * order as raw bytes, exactly as stored in the DTB; no `name` property is synthesised.
 */
export class DeviceNode {
  /** Child nodes in source order. */
  readonly children: DeviceNode[] = [];
  /** Property name to raw value (big-endian cells, NUL-terminated strings, as in the DTB). */
  readonly properties = new Map<string, Uint8Array>();
  /** This node's phandle, from its `phandle` or `linux,phandle` property; 0 if it has none. */
  phandle = 0;

  constructor(
    /** Node name with unit address (`mmu@4a066000`); `''` for the root. */
    readonly name: string,
    readonly parent: DeviceNode | null = null,
  ) {
    if (parent !== null && (name === '' || name.includes('/'))) {
      throw new KemuError('bad-usage', `DeviceNode: invalid node name ${JSON.stringify(name)} under ${parent.full_name}`);
    }
  }

  /** Creates a node named `name`, appends it to this node's children and returns it. */
  addChild(name: string): DeviceNode {
    const child = new DeviceNode(name, this);
    this.children.push(child);
    return child;
  }

  /** The node's path: `/` for the root, `/ocp/mmu@4a066000` below it. */
  get full_name(): string {
    if (this.parent === null) return '/';
    const parts: string[] = [];
    for (let n: DeviceNode | null = this; n !== null && n.parent !== null; n = n.parent) parts.push(n.name);
    return '/' + parts.reverse().join('/');
  }

  /** The firmware node identity (`&np->fwnode` in the kernel); the IOMMU core keys IOMMU instances by it. */
  get fwnode(): DeviceNode {
    return this;
  }

  toString(): string {
    return this.full_name;
  }
}

/** One entry of the FDT memory reservation block. */
export interface MemReserveEntry {
  readonly address: bigint;
  readonly size: bigint;
}

export interface DeviceTreeInfo {
  /** Entries of the DTB's memory reservation block (`/memreserve/` in DTS). */
  memReserve?: readonly MemReserveEntry[];
  /** `boot_cpuid_phys` from the DTB header. */
  bootCpuidPhys?: number;
}

/** Which tree each root node belongs to, so a node can find its tree (for phandle lookups). */
const treeOfRoot = new WeakMap<DeviceNode, DeviceTree>();

/**
 * A whole device tree (the kernel's `of_root` and its phandle cache). The node
 * structure is treated as fixed once the tree is constructed: the phandle map is
 * built once, here.
 */
export class DeviceTree {
  readonly memReserve: readonly MemReserveEntry[];
  readonly bootCpuidPhys: number;
  readonly #byPhandle = new Map<number, DeviceNode>();

  constructor(readonly root: DeviceNode, info: DeviceTreeInfo = {}) {
    if (root.parent !== null) {
      throw new KemuError('bad-usage', `DeviceTree: root must have no parent, got ${root.full_name}`);
    }
    if (treeOfRoot.has(root)) {
      throw new KemuError('bad-usage', 'DeviceTree: this root node already belongs to another DeviceTree');
    }
    this.memReserve = info.memReserve ?? [];
    this.bootCpuidPhys = info.bootCpuidPhys ?? 0;
    for (const np of this.allNodes()) {
      if (np.phandle === 0) continue;
      const other = this.#byPhandle.get(np.phandle);
      if (other !== undefined) {
        throw new KemuError('bad-firmware',
          `DeviceTree: duplicate phandle 0x${np.phandle.toString(16)} on ${other.full_name} and ${np.full_name}`);
      }
      this.#byPhandle.set(np.phandle, np);
    }
    treeOfRoot.set(root, this);
  }

  /** The tree `np` belongs to (found through its root), or undefined for a detached node. */
  static of(np: DeviceNode): DeviceTree | undefined {
    let n = np;
    while (n.parent !== null) n = n.parent;
    return treeOfRoot.get(n);
  }

  /** Models of_find_node_by_phandle() (drivers/of/base.c, v6.5): phandle 0 finds nothing. */
  find_node_by_phandle(ph: number): DeviceNode | undefined {
    if (ph === 0) return undefined;
    return this.#byPhandle.get(ph);
  }

  /**
   * Models of_find_node_by_path() (drivers/of/base.c, v6.5) for absolute paths:
   * each component must equal a child's full name including the unit address.
   * Aliases and `:options` suffixes are not supported.
   */
  find_node_by_path(path: string): DeviceNode | undefined {
    if (!path.startsWith('/')) return undefined;
    let np: DeviceNode | undefined = this.root;
    for (const part of path.split('/')) {
      if (part === '') continue;
      np = np.children.find((c) => c.name === part);
      if (np === undefined) return undefined;
    }
    return np;
  }

  /** Every node, root first, in pre-order (each node before its children, children in source order). */
  allNodes(): DeviceNode[] {
    const out: DeviceNode[] = [];
    const stack: DeviceNode[] = [this.root];
    while (stack.length > 0) {
      const np = stack.pop()!;
      out.push(np);
      for (let i = np.children.length - 1; i >= 0; i--) stack.push(np.children[i]!);
    }
    return out;
  }
}
