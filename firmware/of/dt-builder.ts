/**
 * Boards written in code: a device tree described as a TypeScript object, turned
 * into the same DeviceTree a DTB would give (properties encoded the way dtc encodes
 * them, phandles assigned to referenced labels).
 *
 * ```ts
 * buildDeviceTree({
 *   props: { compatible: ['ti,omap4430', 'ti,omap4'] },
 *   children: {
 *     'mmu@4a066000': { label: 'mmu_dsp', props: { compatible: 'ti,omap4-iommu', '#iommu-cells': 0 } },
 *     dsp: { props: { compatible: 'ti,omap4-dsp', iommus: { ref: 'mmu_dsp' } } },
 *   },
 * });
 * ```
 */
import { KemuError } from '../../src/kernel/errors.js';
import { DeviceNode, DeviceTree } from './device-node.js';

/** One 32-bit cell: a number, or `{ ref: label }` for that node's phandle. */
export type DtCell = number | { ref: string };
/**
 * A property value: `true` is an empty property, a string or string list is stored
 * NUL-terminated, cells as big-endian u32, a Uint8Array as raw bytes.
 */
export type DtValue = true | string | string[] | DtCell | DtCell[] | Uint8Array;

export interface DtNodeSpec {
  /** A label other nodes can reference with `{ ref: label }`. */
  label?: string;
  /** Properties in order. A `phandle` property (a number) sets the node's phandle explicitly. */
  props?: Record<string, DtValue>;
  /** Child nodes by name (with unit address), in order. */
  children?: Record<string, DtNodeSpec>;
}

const utf8 = new TextEncoder();

function fail(message: string): never {
  throw new KemuError('bad-usage', `buildDeviceTree: ${message}`);
}

function isRef(v: unknown): v is { ref: string } {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v) &&
    typeof (v as { ref?: unknown }).ref === 'string';
}

function isCell(v: unknown): v is DtCell {
  return typeof v === 'number' || isRef(v);
}

interface PendingNode {
  node: DeviceNode;
  spec: DtNodeSpec;
}

/** Builds a DeviceTree from a board written as a TypeScript object (the root is `spec`). */
export function buildDeviceTree(spec: DtNodeSpec): DeviceTree {
  const root = new DeviceNode('', null);
  const nodes: PendingNode[] = [];
  const labels = new Map<string, DeviceNode>();

  // Create the nodes in pre-order and record labels.
  const stack: PendingNode[] = [{ node: root, spec }];
  while (stack.length > 0) {
    const cur = stack.pop()!;
    nodes.push(cur);
    if (cur.spec.label !== undefined) {
      const other = labels.get(cur.spec.label);
      if (other !== undefined) {
        fail(`label ${JSON.stringify(cur.spec.label)} is on both ${other.full_name} and ${cur.node.full_name}`);
      }
      labels.set(cur.spec.label, cur.node);
    }
    const kids: PendingNode[] = [];
    for (const [name, childSpec] of Object.entries(cur.spec.children ?? {})) {
      if (name === '' || name.includes('/')) fail(`invalid node name ${JSON.stringify(name)} under ${cur.node.full_name}`);
      kids.push({ node: cur.node.addChild(name), spec: childSpec });
    }
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
  }

  // Explicit phandles.
  const used = new Map<number, DeviceNode>();
  for (const { node, spec: s } of nodes) {
    for (const prop of ['phandle', 'linux,phandle']) {
      const v = s.props?.[prop];
      if (v === undefined) continue;
      const ph = Array.isArray(v) && v.length === 1 ? v[0] : v;
      if (typeof ph !== 'number' || !Number.isInteger(ph) || ph < 1 || ph > 0xfffffffe) {
        fail(`property "${prop}" of ${node.full_name} must be a number from 1 to 0xfffffffe`);
      }
      if (node.phandle !== 0 && node.phandle !== ph) fail(`"phandle" and "linux,phandle" of ${node.full_name} differ`);
      const other = used.get(ph);
      if (other !== undefined && other !== node) {
        fail(`phandle ${ph} of ${node.full_name} is already used by ${other.full_name}`);
      }
      used.set(ph, node);
      node.phandle = ph;
    }
  }

  // Which labels are referenced (unknown ones are an error).
  const referenced = new Set<DeviceNode>();
  for (const { node, spec: s } of nodes) {
    for (const [prop, value] of Object.entries(s.props ?? {})) {
      const cells = Array.isArray(value) ? value : [value];
      for (const c of cells) {
        if (!isRef(c)) continue;
        const target = labels.get(c.ref);
        if (target === undefined) {
          fail(`property "${prop}" of ${node.full_name} refers to unknown label ${JSON.stringify(c.ref)}`);
        }
        referenced.add(target);
      }
    }
  }

  // Automatic phandles for referenced nodes without one: 1, 2, ... in pre-order, skipping used values.
  let next = 1;
  const autoPhandle = new Set<DeviceNode>();
  for (const { node } of nodes) {
    if (!referenced.has(node) || node.phandle !== 0) continue;
    while (used.has(next)) next++;
    node.phandle = next;
    used.set(next, node);
    autoPhandle.add(node);
  }

  // Encode the properties.
  for (const { node, spec: s } of nodes) {
    for (const [prop, value] of Object.entries(s.props ?? {})) {
      if (prop === '') fail(`empty property name in ${node.full_name}`);
      node.properties.set(prop, encodeValue(value, prop, node, labels));
    }
    // dtc appends the generated phandle property after the node's own properties.
    if (autoPhandle.has(node)) node.properties.set('phandle', encodeCells([node.phandle], 'phandle', node, labels));
  }

  return new DeviceTree(root);
}

function encodeValue(value: DtValue, prop: string, node: DeviceNode, labels: Map<string, DeviceNode>): Uint8Array {
  const where = `property "${prop}" of ${node.full_name}`;
  if (value === true) return new Uint8Array(0);
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (typeof value === 'string') return encodeStrings([value], where);
  if (isCell(value)) return encodeCells([value], prop, node, labels);
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string')) return encodeStrings(value as string[], where);
    if (value.every(isCell)) return encodeCells(value as DtCell[], prop, node, labels);
    fail(`${where} mixes strings and cells`);
  }
  return fail(`${where} has an unsupported value ${JSON.stringify(value)}`);
}

function encodeStrings(strings: string[], where: string): Uint8Array {
  const parts = strings.map((s) => {
    if (s.includes('\0')) fail(`${where}: string ${JSON.stringify(s)} contains a NUL`);
    return utf8.encode(s);
  });
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length + 1;
  }
  return out;
}

function encodeCells(cells: DtCell[], prop: string, node: DeviceNode, labels: Map<string, DeviceNode>): Uint8Array {
  const out = new Uint8Array(cells.length * 4);
  const view = new DataView(out.buffer);
  cells.forEach((c, i) => {
    let v: number;
    if (typeof c === 'number') {
      if (!Number.isInteger(c) || c < -0x80000000 || c > 0xffffffff) {
        fail(`property "${prop}" of ${node.full_name}: cell ${c} is not a 32-bit integer`);
      }
      v = c >>> 0;
    } else {
      v = labels.get(c.ref)!.phandle; // every label was checked above
    }
    view.setUint32(i * 4, v);
  });
  return out;
}
