/**
 * A small model of the ARM IORT (IO Remapping Table), enough for the emulator's
 * ACPI path (`acpi_iommu_configure_id` → `iort_iommu_configure_id`): SMMU nodes
 * and named components, each named component mapped to one SMMU with a list of
 * stream IDs. Written in TypeScript by boards, not read from bytes.
 *
 * Kept deliberately smaller than the real table: no root complexes, ITS groups,
 * PMCGs or RMR nodes, and no input-ID ranges (a named component's ID mappings
 * become the flat `stream_ids` list that iort_nc_iommu_map() would collect).
 */
import { KemuError } from '../../src/kernel/errors.js';

/** An SMMU node. `fwnode` stands for its `struct fwnode_handle *`: compared by identity. */
export interface IortSmmuNode {
  readonly name: string;
  readonly fwnode: object;
}

/** A named component node: a platform device known by its full ACPI path. */
export interface IortNamedComponentNode {
  /** Full ACPI path with 4-character segments, e.g. `\_SB_.DMA0` (written `"\\_SB_.DMA0"` in TS). */
  readonly device_name: string;
  readonly output: {
    /** Name of the SMMU node the component's ID mappings point at. */
    readonly smmu: string;
    /** The stream IDs the component emits, in mapping order. */
    readonly stream_ids: readonly number[];
  };
}

export interface IortTable {
  readonly smmus: readonly IortSmmuNode[];
  readonly named_components: readonly IortNamedComponentNode[];
}

/** What a named component maps to: its SMMU (by name and fwnode) and stream IDs. */
export interface IortNamedComponentMapping {
  readonly smmu: string;
  readonly fwnode: object;
  readonly stream_ids: readonly number[];
}

/** A full ACPI path as acpi_get_name(ACPI_FULL_PATHNAME) prints it: `\` then 4-character NameSegs. */
const ACPI_FULL_PATH = /^\\[A-Z_][A-Z0-9_]{3}(\.[A-Z_][A-Z0-9_]{3})*$/;

function iortError(detail: string): KemuError {
  return new KemuError('bad-firmware', `IORT: ${detail}`);
}

/**
 * Checks a board's IORT description and returns a frozen copy (fwnode objects
 * are kept by identity, not copied or frozen). Throws KemuError 'bad-firmware'
 * for duplicate SMMU names or fwnodes, a device name that is not a full ACPI
 * path, a duplicate named component, a reference to an SMMU not in the table,
 * or a stream ID that is not a u32.
 */
export function defineIortTable(table: IortTable): IortTable {
  if (typeof table !== 'object' || table === null || !Array.isArray(table.smmus) || !Array.isArray(table.named_components)) {
    throw iortError('a table needs `smmus` and `named_components` arrays');
  }
  const names = new Set<string>();
  const fwnodes = new Set<object>();
  const smmus = table.smmus.map((s, i): IortSmmuNode => {
    if (typeof s?.name !== 'string' || s.name === '') throw iortError(`smmus[${i}] needs a non-empty name`);
    if (names.has(s.name)) throw iortError(`SMMU name "${s.name}" is used twice`);
    if ((typeof s.fwnode !== 'object' && typeof s.fwnode !== 'function') || s.fwnode === null) {
      throw iortError(`SMMU "${s.name}" needs an object as its fwnode (an identity key)`);
    }
    if (fwnodes.has(s.fwnode)) throw iortError(`SMMU "${s.name}" shares its fwnode with another SMMU`);
    names.add(s.name);
    fwnodes.add(s.fwnode);
    return Object.freeze({ name: s.name, fwnode: s.fwnode });
  });
  const devices = new Set<string>();
  const named_components = table.named_components.map((c, i): IortNamedComponentNode => {
    const name = c?.device_name;
    if (typeof name !== 'string' || !ACPI_FULL_PATH.test(name)) {
      throw iortError(`named_components[${i}] device name ${JSON.stringify(name)} is not a full ACPI path ` +
        'with 4-character segments, like \\_SB_.DMA0');
    }
    if (devices.has(name)) throw iortError(`named component "${name}" is listed twice`);
    devices.add(name);
    const smmu = c.output?.smmu;
    if (typeof smmu !== 'string' || !names.has(smmu)) {
      throw iortError(`named component "${name}" maps to SMMU ${JSON.stringify(smmu)}, which is not in the table`);
    }
    const ids = c.output.stream_ids;
    if (!Array.isArray(ids) || ids.length === 0) {
      throw iortError(`named component "${name}" needs at least one stream ID`);
    }
    for (const id of ids) {
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffff_ffff) {
        throw iortError(`named component "${name}" has stream ID ${String(id)}, not a u32`);
      }
    }
    return Object.freeze({
      device_name: name,
      output: Object.freeze({ smmu, stream_ids: Object.freeze([...ids]) }),
    });
  });
  return Object.freeze({ smmus: Object.freeze(smmus), named_components: Object.freeze(named_components) });
}

/** Models iort_scan_node() (drivers/acpi/arm64/iort.c, v6.5): the first node of a type the callback accepts. */
export function iort_scan_node(table: IortTable, type: 'named_component',
  callback: (node: IortNamedComponentNode) => boolean): IortNamedComponentNode | undefined;
export function iort_scan_node(table: IortTable, type: 'smmu',
  callback: (node: IortSmmuNode) => boolean): IortSmmuNode | undefined;
export function iort_scan_node(table: IortTable, type: 'named_component' | 'smmu',
  callback: (node: never) => boolean): IortNamedComponentNode | IortSmmuNode | undefined {
  const nodes: readonly (IortNamedComponentNode | IortSmmuNode)[] =
    type === 'smmu' ? table.smmus : table.named_components;
  const accept = callback as (node: IortNamedComponentNode | IortSmmuNode) => boolean;
  return nodes.find((node) => accept(node));
}

/** Models the named-component case of iort_match_node_callback() (drivers/acpi/arm64/iort.c, v6.5): exact full-path match. */
export function iort_match_node_callback(node: IortNamedComponentNode, device_name: string): boolean {
  return node.device_name === device_name;
}

/**
 * Models the named-component lookup of iort_iommu_configure_id() with
 * iort_nc_iommu_map() (drivers/acpi/arm64/iort.c, v6.5): finds the component
 * whose full ACPI path is `device_name` and returns the SMMU its mappings point
 * at with the stream IDs, or undefined when the table does not list the device
 * (the kernel's -ENODEV, "no IOMMU"). Pure.
 */
export function iort_node_map_named_component(table: IortTable, device_name: string): IortNamedComponentMapping | undefined {
  const node = iort_scan_node(table, 'named_component', (nc) => iort_match_node_callback(nc, device_name));
  if (!node) return undefined;
  const smmu = iort_scan_node(table, 'smmu', (s) => s.name === node.output.smmu);
  if (!smmu) {
    throw iortError(`named component "${device_name}" maps to SMMU "${node.output.smmu}", which is not in the table`);
  }
  return Object.freeze({ smmu: smmu.name, fwnode: smmu.fwnode, stream_ids: Object.freeze([...node.output.stream_ids]) });
}
