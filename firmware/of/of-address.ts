/**
 * Address translation through `ranges` (drivers/of/address.c, v6.5), for the
 * default bus only: a `reg` address is in its parent's address space and is
 * carried up through each ancestor's `ranges` until the root, whose children
 * see CPU addresses. Device names (`4a066000.mmu`), platform resources and
 * ti-sysc's module base all come from it.
 */
import type { DeviceNode } from './device-node.js';
import { of_find_property, of_property_read_u32 } from './of-base.js';

/** Models of_bus_n_addr_cells() (drivers/of/base.c, v6.5): `#address-cells` of `np` or its nearest ancestor. */
export function of_bus_n_addr_cells(np: DeviceNode | null): number {
  for (let n = np; n; n = n.parent) {
    const r = of_property_read_u32(n, '#address-cells');
    if (r.err === 0) return r.value;
  }
  return 1;
}

/** Models of_bus_n_size_cells() (drivers/of/base.c, v6.5). */
export function of_bus_n_size_cells(np: DeviceNode | null): number {
  for (let n = np; n; n = n.parent) {
    const r = of_property_read_u32(n, '#size-cells');
    if (r.err === 0) return r.value;
  }
  return 1;
}

/** Models of_read_number(): `cells` big-endian cells starting at cell `at`. */
function of_read_number(prop: Uint8Array, at: number, cells: number): bigint {
  const view = new DataView(prop.buffer, prop.byteOffset, prop.byteLength);
  let value = 0n;
  for (let i = 0; i < cells; i++) value = (value << 32n) | BigInt(view.getUint32((at + i) * 4));
  return value;
}

/**
 * Models of_translate_one() (drivers/of/address.c, v6.5) for the default bus:
 * maps `addr`, in the address space of `bus`'s children, through `bus`'s
 * `ranges` into the space of `bus`'s parent. An empty `ranges` is 1:1; a
 * missing one cannot be translated (null, the kernel's OF_BAD_ADDR).
 */
function of_translate_one(bus: DeviceNode, addr: bigint): bigint | null {
  const ranges = of_find_property(bus, 'ranges');
  if (ranges === undefined) return null;
  if (ranges.length === 0) return addr;
  const na = of_bus_n_addr_cells(bus);
  const ns = of_bus_n_size_cells(bus);
  const pna = of_bus_n_addr_cells(bus.parent);
  const entry = na + pna + ns;
  for (let at = 0; (at + entry) * 4 <= ranges.length; at += entry) {
    const child = of_read_number(ranges, at, na);
    const size = of_read_number(ranges, at + na + pna, ns);
    if (addr >= child && addr < child + size) return of_read_number(ranges, at + na, pna) + (addr - child);
  }
  return null;
}

/**
 * Models of_translate_address() (drivers/of/address.c, v6.5): `addr` is an
 * address in the space `np`'s `reg` uses (its parent's); the result is the CPU
 * address, or null (OF_BAD_ADDR).
 */
export function of_translate_address(np: DeviceNode, addr: bigint): bigint | null {
  let value: bigint | null = addr;
  for (let bus = np.parent; bus && bus.parent && value !== null; bus = bus.parent) {
    value = of_translate_one(bus, value);
  }
  return value;
}

/** A memory resource (struct resource, IORESOURCE_MEM): the CPU address range of one `reg` entry. */
export interface OfResource {
  readonly start: bigint;
  readonly end: bigint;
}

/**
 * Models of_address_to_resource() (drivers/of/address.c, v6.5): entry `index`
 * of `np`'s `reg`, translated; null if there is no such entry or it cannot be
 * translated.
 */
export function of_address_to_resource(np: DeviceNode, index: number): OfResource | null {
  const reg = of_find_property(np, 'reg');
  const na = of_bus_n_addr_cells(np.parent);
  const ns = of_bus_n_size_cells(np.parent);
  const at = index * (na + ns);
  if (!reg || na === 0 || (at + na + ns) * 4 > reg.length) return null;
  const start = of_translate_address(np, of_read_number(reg, at, na));
  if (start === null) return null;
  return { start, end: start + of_read_number(reg, at + na, ns) - 1n };
}

/** How many `reg` entries `np` has (of_address_count()). */
export function of_address_count(np: DeviceNode): number {
  const reg = of_find_property(np, 'reg');
  const cells = of_bus_n_addr_cells(np.parent) + of_bus_n_size_cells(np.parent);
  return reg && cells > 0 ? Math.floor(reg.length / 4 / cells) : 0;
}

/**
 * The CPU address of the first entry of `np`'s own `ranges`, as
 * for_each_of_range() yields it (drivers/of/address.c, v6.5: of_range_parser_one
 * translates the parent-side address); null without ranges.
 */
export function of_first_range_cpu_addr(np: DeviceNode): bigint | null {
  const ranges = of_find_property(np, 'ranges');
  if (!ranges || ranges.length === 0) return null;
  const na = of_bus_n_addr_cells(np);
  const pna = of_bus_n_addr_cells(np.parent);
  if ((na + pna) * 4 > ranges.length) return null;
  return of_translate_address(np, of_read_number(ranges, na, pna));
}
