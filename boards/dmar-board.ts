/**
 * A board made from a DMAR table (`kemu boot --dmar FILE`): a table dumped
 * from /sys/firmware/acpi/tables/DMAR, or compiled by iasl. The VT-d driver
 * binds one unit per DRHD, with the queued-invalidation hardware at each
 * register base. A DMAR table does not list the PCI hierarchy, only the PCI
 * functions its device scopes name, so the board enumerates those on segment
 * 0: each scope's path walked from its start bus, every hop but the last a
 * bridge to a new bus, a sub-hierarchy scope ending at a bridge. The host
 * bridge sits at 00:00.0.
 */
import { basename } from 'node:path';
import type { PciFunctionSpec, PciHostBridgeSpec } from '../buses/pci/pci.js';
import { loadAcpiTableFile } from '../firmware/acpi/load-acpi-table.js';
import { dmarTableFrom } from '../firmware/acpi/dmar.js';
import { ACPI_DMAR_SCOPE_TYPE_BRIDGE, ACPI_DMAR_SCOPE_TYPE_ENDPOINT, type acpi_table_dmar } from '../firmware/acpi/dmar-table.js';
import { AcpiTableError } from '../firmware/acpi/acpi-table-error.js';
import type { FirmwareLoader } from '../src/machine/catalog.js';
import type { Board } from '../src/machine/board.js';
import { defineIntelBoard } from './intel.js';

const INTEL = 0x8086;
/** PCI_CLASS_BRIDGE_PCI, PCI_CLASS_BRIDGE_HOST and an unclassified function (include/linux/pci_ids.h). */
const BRIDGE_PCI = 0x060400;
const BRIDGE_HOST = 0x060000;
const UNCLASSIFIED = 0xff0000;

interface Node {
  at: string;
  bridge?: { secondary: number; devices: Node[] };
}

const slotFn = (device: number, fn: number): string => `${device.toString(16).padStart(2, '0')}.${fn}`;

function toSpec(node: Node, root: boolean): PciFunctionSpec {
  if (!node.bridge) return { at: node.at, vendor: INTEL, device: 0xffff, class: UNCLASSIFIED, pcie: root ? 'rc-integrated' : 'endpoint' };
  return {
    at: node.at, vendor: INTEL, device: 0xffff, class: BRIDGE_PCI, pcie: root ? 'root-port' : 'downstream', acs: true,
    bridge: { secondary: node.bridge.secondary, devices: node.bridge.devices.map((n) => toSpec(n, false)) },
  };
}

/** The PCI functions the table's device scopes name on segment 0, as a topology. */
export function dmarPciTopology(table: acpi_table_dmar): PciHostBridgeSpec {
  const buses = new Map<number, Node[]>([[0, [{ at: '00.0' }]]]);
  let nextBus = 1;
  const scopes = [...table.drhd, ...table.rmrr, ...table.atsr, ...table.satc]
    .filter((s) => s.segment === 0).flatMap((s) => s.scopes)
    .filter((s) => s.entry_type === ACPI_DMAR_SCOPE_TYPE_ENDPOINT || s.entry_type === ACPI_DMAR_SCOPE_TYPE_BRIDGE);
  for (const scope of scopes) {
    if (scope.bus !== 0) {
      throw new AcpiTableError('DMAR', 'device scope', scope.offset,
        `device scope at offset 0x${scope.offset.toString(16)} starts at bus ${scope.bus}: kemu builds a PCI topology only from scopes on bus 0`);
    }
    let bus = 0;
    scope.path.forEach((hop, i) => {
      const at = slotFn(hop.device, hop.function);
      const list = buses.get(bus)!;
      let node = list.find((n) => n.at === at);
      if (!node) list.push((node = { at }));
      const last = i === scope.path.length - 1;
      if ((!last || scope.entry_type === ACPI_DMAR_SCOPE_TYPE_BRIDGE) && !node.bridge) {
        node.bridge = { secondary: nextBus, devices: [] };
        buses.set(nextBus++, node.bridge.devices);
      }
      if (node.bridge) bus = node.bridge.secondary;
    });
  }
  const root = buses.get(0)!;
  return {
    devices: root.map((n) => (n.at === '00.0' && !n.bridge ? { at: '00.0', vendor: INTEL, device: 0xffff, class: BRIDGE_HOST } : toSpec(n, true))),
  };
}

/** The board of a DMAR table read from `path`. */
export function dmarBoard(path: string): Board {
  const bytes = loadAcpiTableFile(path);
  let table: acpi_table_dmar;
  let pci: PciHostBridgeSpec;
  try {
    table = dmarTableFrom(bytes);
    pci = dmarPciTopology(table);
  } catch (err) {
    if (err instanceof AcpiTableError) throw err.withSource(path);
    throw err;
  }
  return defineIntelBoard({
    name: basename(path),
    summary: `DMAR table ${basename(path)}: ${table.drhd.length} DRHD units, the PCI functions its device scopes name`,
    dmar: () => bytes,
    pci,
    drivers: [],
  });
}

/** `--dmar FILE`: binds the VT-d driver to each DRHD of the table. */
export const dmarLoader: FirmwareLoader = { kind: 'dmar', board: (path) => dmarBoard(path) };
