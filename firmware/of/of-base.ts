/**
 * Kernel OF helpers over the device tree model: property reads, compatible and
 * status checks, phandle-list parsing. Synchronous and pure (no scheduling points:
 * the kernel reads the unflattened tree without sleeping). Like the kernel, they
 * return negative errno values rather than throwing; only a call that cannot make
 * sense (a negative count) throws a KemuError.
 */
import { EILSEQ, EINVAL, ENODATA, ENOENT, EOVERFLOW } from '../../src/kernel/errno.js';
import { KemuError } from '../../src/kernel/errors.js';
import { DeviceTree, type DeviceNode } from './device-node.js';

// Negated errno values typed as literals, so that `if (r.err === 0)` narrows a result.
const NEG_ENOENT = -ENOENT as -2;
const NEG_EINVAL = -EINVAL as -22;
const NEG_ENODATA = -ENODATA as -61;
const NEG_EOVERFLOW = -EOVERFLOW as -75;
const NEG_EILSEQ = -EILSEQ as -84;

/** A result carrying a value on success (`err: 0`) or a negative errno. */
export type OfResult<T, E extends number> = { err: 0; value: T } | { err: E };
/** Errors of the u32 readers: -EINVAL (no such property), -ENODATA (no value), -EOVERFLOW (too short). */
export type OfU32Error = -22 | -61 | -75;
/** Errors of the string readers: -EINVAL (no such property), -ENODATA (no value), -EILSEQ (not NUL-terminated). */
export type OfStringError = -22 | -61 | -84;

/** Largest number of argument cells a phandle specifier can carry (include/linux/of.h). */
export const MAX_PHANDLE_ARGS = 16;

/** Models struct of_phandle_args (include/linux/of.h): the target node and its argument cells. */
export interface of_phandle_args {
  np: DeviceNode;
  args: number[];
}

export type OfPhandleResult = { err: 0; args: of_phandle_args } | { err: -2 | -22 };

const utf8 = new TextDecoder('utf-8');

function u32At(bytes: Uint8Array, off: number): number {
  return ((bytes[off]! << 24) | (bytes[off + 1]! << 16) | (bytes[off + 2]! << 8) | bytes[off + 3]!) >>> 0;
}

/**
 * Splits a string-list property into its strings (the of_prop_next_string walk); a
 * last string without a NUL ends at the end of the property.
 */
function lenientStrings(value: Uint8Array): string[] {
  const out: string[] = [];
  let p = 0;
  while (p < value.length) {
    let nul = value.indexOf(0, p);
    if (nul < 0) nul = value.length;
    out.push(utf8.decode(value.subarray(p, nul)));
    p = nul + 1;
  }
  return out;
}

/**
 * Splits off the first `max` strings of a string-list property; null if one of them
 * runs off the end without its NUL (strings after the first `max` are not looked at).
 */
function strictStrings(value: Uint8Array, max: number): string[] | null {
  const out: string[] = [];
  let p = 0;
  while (p < value.length && out.length < max) {
    const nul = value.indexOf(0, p);
    if (nul < 0) return null;
    out.push(utf8.decode(value.subarray(p, nul)));
    p = nul + 1;
  }
  return out;
}

function checkCount(fn: string, count: number): void {
  if (!Number.isInteger(count) || count < 0) {
    throw new KemuError('bad-usage', `${fn}: count must be a non-negative integer, got ${count}`);
  }
}

/**
 * Models of_find_property() (drivers/of/base.c, v6.5): the raw value, or undefined if
 * the node has no such property.
 */
export function of_find_property(np: DeviceNode, name: string): Uint8Array | undefined {
  return np.properties.get(name);
}

/** Models of_property_present() (include/linux/of.h, v6.5). */
export function of_property_present(np: DeviceNode, name: string): boolean {
  return np.properties.has(name);
}

/**
 * Models of_find_property_value_of_size() (drivers/of/property.c, v6.5): -EINVAL if
 * absent, -ENODATA if it has no value, -EOVERFLOW if shorter than `min` bytes or
 * longer than a non-zero `max`. An empty property counts as "no value" here (the
 * documented semantics of the of_property_read_* family).
 */
function of_find_property_value_of_size(
  np: DeviceNode, name: string, min: number, max: number,
): { err: 0; value: Uint8Array } | { err: OfU32Error } {
  const value = np.properties.get(name);
  if (value === undefined) return { err: NEG_EINVAL };
  if (value.length === 0) return { err: NEG_ENODATA };
  if (value.length < min) return { err: NEG_EOVERFLOW };
  if (max !== 0 && value.length > max) return { err: NEG_EOVERFLOW };
  return { err: 0, value };
}

/**
 * Models of_property_read_u32_array() (include/linux/of.h and drivers/of/property.c,
 * v6.5): reads the first `count` cells; a longer property is fine.
 */
export function of_property_read_u32_array(
  np: DeviceNode, name: string, count: number,
): OfResult<number[], OfU32Error> {
  checkCount('of_property_read_u32_array', count);
  const r = of_find_property_value_of_size(np, name, count * 4, 0);
  if (r.err !== 0) return r;
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(u32At(r.value, i * 4));
  return { err: 0, value: out };
}

/** Models of_property_read_u32() (include/linux/of.h, v6.5). */
export function of_property_read_u32(np: DeviceNode, name: string): OfResult<number, OfU32Error> {
  const r = of_property_read_u32_array(np, name, 1);
  return r.err === 0 ? { err: 0, value: r.value[0]! } : r;
}

/**
 * Models of_property_count_elems_of_size() for 4-byte cells, i.e.
 * of_property_count_u32_elems() (drivers/of/property.c, v6.5): the number of cells,
 * or -EINVAL (absent, or a length that is not a multiple of 4) / -ENODATA (empty).
 */
export function of_property_count_u32_elems(np: DeviceNode, name: string): number {
  const value = np.properties.get(name);
  if (value === undefined) return -EINVAL;
  if (value.length === 0) return -ENODATA;
  if (value.length % 4 !== 0) return -EINVAL;
  return value.length / 4;
}

/**
 * Models of_property_read_string() (drivers/of/property.c, v6.5): the first string;
 * -EINVAL if absent, -ENODATA if empty, -EILSEQ if not NUL-terminated.
 */
export function of_property_read_string(np: DeviceNode, name: string): OfResult<string, OfStringError> {
  const value = np.properties.get(name);
  if (value === undefined) return { err: NEG_EINVAL };
  if (value.length === 0) return { err: NEG_ENODATA };
  const nul = value.indexOf(0);
  if (nul < 0) return { err: NEG_EILSEQ };
  return { err: 0, value: utf8.decode(value.subarray(0, nul)) };
}

/**
 * Models of_property_read_string_array() / of_property_read_string_helper()
 * (drivers/of/property.c, v6.5): up to `max` strings (all of them if omitted);
 * -EINVAL if absent, -ENODATA if empty, -EILSEQ if a string runs off the end.
 */
export function of_property_read_string_array(
  np: DeviceNode, name: string, max?: number,
): OfResult<string[], OfStringError> {
  if (max !== undefined) checkCount('of_property_read_string_array', max);
  const value = np.properties.get(name);
  if (value === undefined) return { err: NEG_EINVAL };
  if (value.length === 0) return { err: NEG_ENODATA };
  const strings = strictStrings(value, max ?? Infinity);
  if (strings === null) return { err: NEG_EILSEQ };
  if (strings.length === 0) return { err: NEG_ENODATA };
  return { err: 0, value: strings };
}

/**
 * Models of_property_count_strings() (include/linux/of.h, v6.5): the number of
 * strings, or -EINVAL / -ENODATA / -EILSEQ.
 */
export function of_property_count_strings(np: DeviceNode, name: string): number {
  const r = of_property_read_string_array(np, name);
  return r.err === 0 ? r.value.length : r.err;
}

/**
 * Models of_property_match_string() (drivers/of/property.c, v6.5): the index of
 * `str` in a string-list property (e.g. `clock-names`), or -EINVAL (absent),
 * -ENODATA (empty or not found), -EILSEQ (malformed before a match).
 */
export function of_property_match_string(np: DeviceNode, name: string, str: string): number {
  const value = np.properties.get(name);
  if (value === undefined) return -EINVAL;
  if (value.length === 0) return -ENODATA;
  let p = 0;
  for (let i = 0; p < value.length; i++) {
    const nul = value.indexOf(0, p);
    if (nul < 0) return -EILSEQ;
    if (utf8.decode(value.subarray(p, nul)) === str) return i;
    p = nul + 1;
  }
  return -ENODATA;
}

function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/**
 * Models of_device_is_compatible() / __of_device_is_compatible() (drivers/of/base.c,
 * v6.5) for a compatible string only. Returns a score, like the kernel: 0 if no
 * string of the node's `compatible` list matches `compat` (compared ignoring ASCII
 * case), else `INT_MAX / 2 - 4 * index` — earlier entries in the list score higher.
 * An empty `compat` matches nothing (0).
 */
export function of_device_is_compatible(np: DeviceNode, compat: string): number {
  if (compat === '') return 0;
  const value = np.properties.get('compatible');
  if (value === undefined) return 0;
  const want = asciiLower(compat);
  const list = lenientStrings(value);
  for (let index = 0; index < list.length; index++) {
    if (asciiLower(list[index]!) === want) return Math.floor(0x7fffffff / 2) - (index << 2);
  }
  return 0;
}

/**
 * Models of_device_is_available() (drivers/of/base.c, v6.5): true if the node has no
 * `status` property, or its status is `okay` or `ok`.
 */
export function of_device_is_available(np: DeviceNode): boolean {
  const value = np.properties.get('status');
  if (value === undefined) return true;
  if (value.length === 0) return false;
  const status = lenientStrings(value)[0];
  return status === 'okay' || status === 'ok';
}

/**
 * Models of_node_name_eq() (drivers/of/base.c, v6.5): compares `name` with the node
 * name up to its `@unit-address`.
 */
export function of_node_name_eq(np: DeviceNode, name: string): boolean {
  const at = np.name.indexOf('@');
  return (at < 0 ? np.name : np.name.slice(0, at)) === name;
}

/**
 * Models of_get_child_by_name() (drivers/of/base.c, v6.5): the first child whose name
 * without unit address is `name` (`mmu` finds `mmu@4a066000`).
 */
export function of_get_child_by_name(np: DeviceNode, name: string): DeviceNode | undefined {
  return np.children.find((child) => of_node_name_eq(child, name));
}

/** One parsed entry of a phandle list: phandle 0 is an empty entry with no node and no args. */
interface PhandleEntry {
  phandle: number;
  node: DeviceNode | undefined;
  args: number[];
}

/**
 * Models the of_phandle_iterator (of_phandle_iterator_init/_next, drivers/of/base.c,
 * v6.5): yields each entry of `list_name`; returns -ENOENT at the end of the list
 * (or if the property is missing) and -EINVAL on a parse error: a phandle that
 * resolves to no node, a target without `cells_name` (when `cell_count` < 0), or
 * argument cells running past the end of the property. Unlike the kernel, a dangling
 * phandle is an error even when no `cells_name` is given (the kernel hands back a
 * NULL node there).
 */
function* of_phandle_iterate(
  np: DeviceNode, list_name: string, cells_name: string | null, cell_count: number,
): Generator<PhandleEntry, -2 | -22> {
  const list = np.properties.get(list_name);
  if (list === undefined) return NEG_ENOENT;
  const tree = DeviceTree.of(np);
  const listEnd = Math.floor(list.length / 4);
  let cur = 0;
  while (cur < listEnd) {
    const phandle = u32At(list, cur * 4);
    cur++;
    let count = 0;
    let node: DeviceNode | undefined;
    if (phandle !== 0) {
      node = tree?.find_node_by_phandle(phandle);
      if (node === undefined) return NEG_EINVAL;
      if (cells_name !== null) {
        const cells = of_property_read_u32(node, cells_name);
        if (cells.err === 0) count = cells.value;
        else if (cell_count >= 0) count = cell_count;
        else return NEG_EINVAL;
      } else {
        count = cell_count;
      }
      if (cur + count > listEnd) return NEG_EINVAL;
    }
    const args: number[] = [];
    for (let i = 0; i < count; i++) args.push(u32At(list, (cur + i) * 4));
    cur += count;
    yield { phandle, node, args };
  }
  return NEG_ENOENT;
}

/**
 * Models __of_parse_phandle_with_args() (drivers/of/base.c, v6.5). At most
 * MAX_PHANDLE_ARGS argument cells are returned (the kernel WARNs and truncates).
 */
function __of_parse_phandle_with_args(
  np: DeviceNode, list_name: string, cells_name: string | null, cell_count: number, index: number,
): OfPhandleResult {
  if (!Number.isInteger(index) || index < 0) return { err: NEG_EINVAL };
  const it = of_phandle_iterate(np, list_name, cells_name, cell_count);
  for (let cur = 0; ; cur++) {
    const step = it.next();
    if (step.done) return { err: step.value };
    if (cur !== index) continue;
    const entry = step.value;
    if (entry.phandle === 0 || entry.node === undefined) return { err: NEG_ENOENT };
    return { err: 0, args: { np: entry.node, args: entry.args.slice(0, MAX_PHANDLE_ARGS) } };
  }
}

/**
 * Models of_parse_phandle_with_args() (include/linux/of.h and drivers/of/base.c,
 * v6.5): entry `index` of a `<&node arg...>` list such as `iommus`, where each
 * target's `cells_name` property (e.g. `#iommu-cells`) says how many argument cells
 * follow its phandle; a null `cells_name` means no arguments. Errors: -ENOENT when the
 * property is missing, `index` is past the end, or the entry is empty (phandle 0);
 * -EINVAL on a dangling phandle, a target without `cells_name`, or a truncated list
 * (entries before `index` are parsed too, so their errors count).
 */
export function of_parse_phandle_with_args(
  np: DeviceNode, list_name: string, cells_name: string | null, index: number,
): OfPhandleResult {
  return __of_parse_phandle_with_args(np, list_name, cells_name, cells_name === null ? 0 : -1, index);
}

/**
 * Models of_parse_phandle_with_fixed_args() (include/linux/of.h, v6.5): like
 * of_parse_phandle_with_args() with `cell_count` argument cells after every phandle.
 */
export function of_parse_phandle_with_fixed_args(
  np: DeviceNode, list_name: string, cell_count: number, index: number,
): OfPhandleResult {
  checkCount('of_parse_phandle_with_fixed_args', cell_count);
  return __of_parse_phandle_with_args(np, list_name, null, cell_count, index);
}

/** Models of_parse_phandle() (include/linux/of.h, v6.5): the node of entry `index` of a bare phandle list. */
export function of_parse_phandle(np: DeviceNode, list_name: string, index: number): DeviceNode | undefined {
  const r = __of_parse_phandle_with_args(np, list_name, null, 0, index);
  return r.err === 0 ? r.args.np : undefined;
}

/**
 * Models of_count_phandle_with_args() (drivers/of/base.c, v6.5): the number of
 * entries (empty ones included), or -ENOENT if the property is missing, or -EINVAL on
 * a parse error. With a null `cells_name` every cell counts as one phandle.
 */
export function of_count_phandle_with_args(np: DeviceNode, list_name: string, cells_name: string | null): number {
  const list = np.properties.get(list_name);
  if (list === undefined) return -ENOENT;
  if (cells_name === null) return Math.floor(list.length / 4);
  const it = of_phandle_iterate(np, list_name, cells_name, -1);
  for (let count = 0; ; count++) {
    const step = it.next();
    if (step.done) return step.value === NEG_ENOENT ? count : step.value;
  }
}
