/**
 * The PCI bus (drivers/pci, v6.5 shape), as far as device probing and IOMMU
 * grouping need it: struct pci_bus and struct pci_dev with the topology
 * (segment, bus number, devfn, bridges and their secondary buses), the
 * pci_bus_type with its match, probe and dma_configure callbacks, PCI drivers
 * with id tables, and enumeration of a topology described as a TypeScript
 * object (the model's stand-in for config-space scanning).
 *
 * Not modelled: config space and BARs, resources, power management, SR-IOV,
 * hotplug, dynamic ids, more than one segment per host bridge.
 */
import { BusType, bus_register } from '../../src/base/bus.js';
import { device_add } from '../../src/base/core.js';
import { Device, dev_set_drvdata, dev_get_drvdata, type FwnodeHandle } from '../../src/base/device.js';
import { DeviceDriver, driver_register } from '../../src/base/driver.js';
import { RunLocal } from '../../src/base/run-local.js';
import { iommu_device_use_default_domain } from '../../src/iommu/iommu.js';
import { KemuError } from '../../src/kernel/errors.js';
import { ENODEV } from '../../src/kernel/errno.js';

/** PCI_ANY_ID (include/linux/mod_devicetable.h). */
export const PCI_ANY_ID = 0xffff_ffff;

/** PCI_DEVFN / PCI_SLOT / PCI_FUNC (include/uapi/linux/pci.h). */
export const PCI_DEVFN = (slot: number, func: number): number => ((slot & 0x1f) << 3) | (func & 0x07);
export const PCI_SLOT = (devfn: number): number => (devfn >> 3) & 0x1f;
export const PCI_FUNC = (devfn: number): number => devfn & 0x07;
/** PCI_DEVID (include/linux/pci.h): the requester id. */
export const PCI_DEVID = (bus: number, devfn: number): number => ((bus & 0xff) << 8) | (devfn & 0xff);

/** PCIe device/port types (PCI_EXP_TYPE_*, include/uapi/linux/pci_regs.h). */
export type PciExpType =
  | 'endpoint'        // PCI_EXP_TYPE_ENDPOINT
  | 'rc-integrated'   // PCI_EXP_TYPE_RC_END: a root complex integrated endpoint (an SoC device on bus 0)
  | 'root-port'       // PCI_EXP_TYPE_ROOT_PORT
  | 'upstream'        // PCI_EXP_TYPE_UPSTREAM: a switch's upstream port
  | 'downstream'      // PCI_EXP_TYPE_DOWNSTREAM: a switch's downstream port
  | 'pcie-to-pci'     // PCI_EXP_TYPE_PCI_BRIDGE: a PCIe-to-PCI/PCI-X bridge
  | 'pci-to-pcie';    // PCI_EXP_TYPE_PCIE_BRIDGE

/** Models struct pci_bus (include/linux/pci.h, v6.5). */
export class PciBus {
  /** The bridge whose secondary bus this is (bus->self); null for a root bus. */
  self: PciDev | null = null;
  readonly devices: PciDev[] = [];
  readonly children: PciBus[] = [];

  constructor(
    readonly number: number,
    readonly parent: PciBus | null,
    /** pci_domain_nr(): the PCI segment. */
    readonly domain_nr: number,
    /** The host bridge device (root buses only: `pci0000:00`). */
    readonly bridge: Device | null = null,
  ) {}

  /** busn_res.end: the highest bus number below this bus (the subordinate bus number of its bridge). */
  get busn_end(): number {
    return Math.max(this.number, ...this.children.map((c) => c.busn_end));
  }

  toString(): string {
    return `${this.domain_nr.toString(16).padStart(4, '0')}:${this.number.toString(16).padStart(2, '0')}`;
  }
}

/** Models struct pci_dev (include/linux/pci.h, v6.5), the fields kemu uses. */
export class PciDev extends Device {
  vendor: number;
  device: number;
  /** 24-bit class code (base class, sub class, programming interface). */
  class: number;
  /** The device is one function of a multi-function device (header type bit 7). */
  multifunction: boolean;
  /** The PCIe port type, or null for a conventional PCI device (pci_is_pcie() is false). */
  pcie_type: PciExpType | null;
  /** ACS with the flags the IOMMU core requires (REQ_ACS_FLAGS: SV, RR, CR, UF) is implemented and enabled. */
  acs: boolean;
  /** pdev->dma_alias_mask: devfns on the same bus this device also issues DMA as (quirks). */
  readonly dma_alias_devfns: number[] = [];
  /** For a bridge: its secondary bus (pdev->subordinate). */
  subordinate: PciBus | null = null;

  constructor(readonly bus_: PciBus, readonly devfn: number, init: {
    vendor: number; device: number; class: number; multifunction?: boolean; pcie_type?: PciExpType | null; acs?: boolean;
  }) {
    super(pci_name_of(bus_, devfn));
    this.vendor = init.vendor;
    this.device = init.device;
    this.class = init.class;
    this.multifunction = init.multifunction ?? false;
    this.pcie_type = init.pcie_type ?? null;
    this.acs = init.acs ?? false;
  }

  /** pdev->bus: the bus the device sits on (Device.bus is the bus_type). */
  get pci_bus(): PciBus {
    return this.bus_;
  }
}

function pci_name_of(bus: PciBus, devfn: number): string {
  return `${bus}:${PCI_SLOT(devfn).toString(16).padStart(2, '0')}.${PCI_FUNC(devfn)}`;
}

/** Models pci_name() (include/linux/pci.h): `0000:00:02.0`. */
export function pci_name(pdev: PciDev): string {
  return pdev.name;
}

/** Models to_pci_dev(). */
export function to_pci_dev(dev: Device): PciDev {
  if (!(dev instanceof PciDev)) throw new KemuError('bad-usage', `${dev.name} is not a PCI device`);
  return dev;
}

/** Models dev_is_pci() (include/linux/pci.h). */
export function dev_is_pci(dev: Device | null): dev is PciDev {
  return dev instanceof PciDev;
}

/** Models pci_is_root_bus() (include/linux/pci.h). */
export function pci_is_root_bus(bus: PciBus): boolean {
  return bus.parent === null;
}

/** Models pci_is_pcie() (include/linux/pci.h). */
export function pci_is_pcie(pdev: PciDev): boolean {
  return pdev.pcie_type !== null;
}

/** Models pci_dev_id() (include/linux/pci.h): the requester id. */
export function pci_dev_id(pdev: PciDev): number {
  return PCI_DEVID(pdev.pci_bus.number, pdev.devfn);
}

/** Models pci_domain_nr(). */
export function pci_domain_nr(bus: PciBus): number {
  return bus.domain_nr;
}

/** Models struct pci_device_id (include/linux/mod_devicetable.h). */
export interface PciDeviceId {
  readonly vendor: number;
  readonly device: number;
  readonly class?: number;
  readonly class_mask?: number;
  readonly driver_data?: unknown;
}

/** Models PCI_DEVICE(vend, dev). */
export const PCI_DEVICE = (vendor: number, device: number): PciDeviceId => ({ vendor, device });
/** Models PCI_DEVICE_CLASS(class, mask). */
export const PCI_DEVICE_CLASS = (cls: number, mask: number): PciDeviceId => ({ vendor: PCI_ANY_ID, device: PCI_ANY_ID, class: cls, class_mask: mask });

/** Models struct pci_driver (include/linux/pci.h, v6.5). */
export class PciDriver {
  readonly driver: DeviceDriver;
  readonly driver_managed_dma: boolean;

  constructor(
    name: string,
    readonly id_table: readonly PciDeviceId[],
    readonly probe: (pdev: PciDev, id: PciDeviceId) => Promise<number>,
    options: { driver_managed_dma?: boolean } = {},
  ) {
    this.driver = new DeviceDriver(name);
    pciDriverOf.set(this.driver, this);
    this.driver_managed_dma = options.driver_managed_dma ?? false;
  }
}

const pciDriverOf = new WeakMap<DeviceDriver, PciDriver>();

/** Models to_pci_driver(). */
export function to_pci_driver(drv: DeviceDriver): PciDriver {
  return pciDriverOf.get(drv)!;
}

/** Models pci_match_one_device() (drivers/pci/pci.h, v6.5). */
function pci_match_one_device(id: PciDeviceId, pdev: PciDev): boolean {
  return (id.vendor === PCI_ANY_ID || id.vendor === pdev.vendor)
    && (id.device === PCI_ANY_ID || id.device === pdev.device)
    && (((id.class ?? 0) ^ pdev.class) & (id.class_mask ?? 0)) === 0;
}

/** Models pci_match_id() (drivers/pci/pci-driver.c, v6.5). */
export function pci_match_id(ids: readonly PciDeviceId[], pdev: PciDev): PciDeviceId | null {
  return ids.find((id) => pci_match_one_device(id, pdev)) ?? null;
}

/** Models pci_bus_match() (drivers/pci/pci-driver.c, v6.5). */
function pci_bus_match(dev: Device, drv: DeviceDriver): number {
  const pdrv = to_pci_driver(drv);
  return pdrv && dev_is_pci(dev) && pci_match_id(pdrv.id_table, dev) ? 1 : 0;
}

/** Models pci_device_probe() (drivers/pci/pci-driver.c, v6.5): the driver's probe with the matching id. */
async function pci_device_probe(dev: Device): Promise<number> {
  const pdev = to_pci_dev(dev);
  const drv = to_pci_driver(dev.driver!);
  const id = pci_match_id(drv.id_table, pdev);
  if (!id) return -ENODEV;
  return await drv.probe(pdev, id);
}

/** Models pci_get_host_bridge_device() (drivers/pci/host-bridge.c, v6.5). */
export function pci_get_host_bridge_device(pdev: PciDev): Device | null {
  let bus = pdev.pci_bus;
  while (bus.parent) bus = bus.parent;
  return bus.bridge;
}

/** Hooks firmware code installs for pci_dma_configure (OF / ACPI host bridges); none on a plain x86 board. */
export interface PciFirmwareDma {
  /** Configures `dev` through the host bridge's firmware node, or returns null when the node is not this firmware's. */
  configure(dev: PciDev, bridge_fwnode: FwnodeHandle): Promise<number> | null;
}

/**
 * Models pci_dma_configure() (drivers/pci/pci-driver.c, v6.5), called by
 * really_probe() with the device lock held: firmware DMA setup through the
 * host bridge's OF node or ACPI companion (when a firmware hook claims it),
 * then the default-domain ownership check. Since bcb81ac6ae3c (v6.15) the
 * IOMMU core calls it too, for a device no driver is binding, and the check is
 * skipped then; before, every caller had a driver.
 */
async function pci_dma_configure(dev: Device): Promise<number> {
  const pdev = to_pci_dev(dev);
  const bridge = pci_get_host_bridge_device(pdev);
  const fwnode = bridge?.parent?.of_node ?? bridge?.fwnode ?? null;
  let ret = 0;
  if (fwnode) {
    for (const hook of pci_firmware_dma.get()) {
      const r = hook.configure(pdev, fwnode);
      if (r !== null) {
        ret = await r;
        break;
      }
    }
  }
  if (!ret && dev.driver && !to_pci_driver(dev.driver).driver_managed_dma) ret = await iommu_device_use_default_domain(dev);
  return ret;
}

/** Firmware hooks for pci_dma_configure in this run (empty unless a firmware module adds one). */
export const pci_firmware_dma = new RunLocal<PciFirmwareDma[]>('pci firmware DMA hooks', () => []);

/** Models pci_driver_init() (drivers/pci/pci-driver.c, v6.5; postcore_initcall): registers pci_bus_type. */
function pci_driver_init(): BusType {
  const bus = new BusType('pci', { match: pci_bus_match, probe: pci_device_probe, dma_configure: pci_dma_configure });
  bus_register(bus);
  return bus;
}

/** `pci_bus_type` of the running kernel (created on first use). */
export const pci_bus_type = new RunLocal<BusType>('pci_bus_type', pci_driver_init);

/** Every PCI device of the run, in the order they were added (what for_each_pci_dev walks). */
export const pci_devices = new RunLocal<PciDev[]>('pci devices', () => []);

/** Models pci_get_domain_bus_and_slot() (drivers/pci/search.c, v6.5), without the reference. */
export function pci_get_domain_bus_and_slot(domain: number, bus: number, devfn: number): PciDev | null {
  return pci_devices.get().find((p) => p.pci_bus.domain_nr === domain && p.pci_bus.number === bus && p.devfn === devfn) ?? null;
}

/** Models for_each_pci_dev(). */
export function for_each_pci_dev(): readonly PciDev[] {
  return pci_devices.get();
}

/** Models pci_device_add() + pci_bus_add_device() (drivers/pci/probe.c, bus.c, v6.5): the device joins pci_bus_type. */
export async function pci_bus_add_device(pdev: PciDev): Promise<number> {
  pdev.bus = pci_bus_type.get();
  pdev.parent = pdev.pci_bus.self ?? pdev.pci_bus.bridge;
  pci_devices.get().push(pdev);
  return await device_add(pdev);
}

/**
 * Models pci_bus_add_devices() (drivers/pci/bus.c, v6.5): the devices of a bus
 * in devfn order, then each bridge's secondary bus, depth first.
 */
export async function pci_bus_add_devices(bus: PciBus): Promise<void> {
  for (const pdev of bus.devices) await pci_bus_add_device(pdev);
  for (const pdev of bus.devices) if (pdev.subordinate) await pci_bus_add_devices(pdev.subordinate);
}

/** Models __pci_register_driver() (drivers/pci/pci-driver.c, v6.5). */
export async function pci_register_driver(drv: PciDriver): Promise<number> {
  drv.driver.bus = pci_bus_type.get();
  return await driver_register(drv.driver);
}

/** Models pci_set_drvdata() / pci_get_drvdata(). */
export function pci_set_drvdata(pdev: PciDev, data: unknown): void {
  dev_set_drvdata(pdev, data);
}

export function pci_get_drvdata<T>(pdev: PciDev): T | null {
  return dev_get_drvdata<T>(pdev);
}

// ---------------------------------------------------------------------------
// Topology as a TypeScript object
// ---------------------------------------------------------------------------

/** One PCI function as a board describes it. */
export interface PciFunctionSpec {
  /** `slot.func` on its bus, e.g. `'1f.3'`, or the devfn as a number. */
  readonly at: string | number;
  readonly vendor: number;
  readonly device: number;
  readonly class: number;
  /** Conventional PCI when absent. */
  readonly pcie?: PciExpType;
  readonly acs?: boolean;
  /** Defaults to true when another function shares the slot. */
  readonly multifunction?: boolean;
  /** Quirk DMA aliases on the same bus, as `slot.func` or devfn. */
  readonly dma_alias?: readonly (string | number)[];
  /** A bridge: the secondary bus number and what sits on it. */
  readonly bridge?: { readonly secondary: number; readonly devices: readonly PciFunctionSpec[] };
}

/** A PCI hierarchy under one host bridge. */
export interface PciHostBridgeSpec {
  readonly segment?: number;
  /** Root bus number (default 0). */
  readonly bus?: number;
  readonly devices: readonly PciFunctionSpec[];
}

function parseDevfn(at: string | number): number {
  if (typeof at === 'number') return at;
  const m = /^([0-9a-f]{1,2})\.([0-7])$/i.exec(at);
  if (!m) throw new KemuError('bad-usage', `PCI topology: "${at}" is not slot.function (e.g. "1f.3")`);
  return PCI_DEVFN(parseInt(m[1]!, 16), Number(m[2]));
}

function buildBus(bus: PciBus, specs: readonly PciFunctionSpec[]): void {
  const sorted = specs.map((s) => ({ s, devfn: parseDevfn(s.at) })).sort((a, b) => a.devfn - b.devfn);
  for (const { s, devfn } of sorted) {
    if (bus.devices.some((d) => d.devfn === devfn)) throw new KemuError('bad-usage', `PCI topology: two devices at ${pci_name_of(bus, devfn)}`);
    const shared = sorted.filter((o) => PCI_SLOT(o.devfn) === PCI_SLOT(devfn)).length > 1;
    const pdev = new PciDev(bus, devfn, {
      vendor: s.vendor, device: s.device, class: s.class, multifunction: s.multifunction ?? shared,
      pcie_type: s.pcie ?? null, acs: s.acs ?? false,
    });
    for (const a of s.dma_alias ?? []) pdev.dma_alias_devfns.push(parseDevfn(a));
    bus.devices.push(pdev);
    if (s.bridge) {
      const child = new PciBus(s.bridge.secondary, bus, bus.domain_nr);
      child.self = pdev;
      pdev.subordinate = child;
      bus.children.push(child);
      buildBus(child, s.bridge.devices);
    }
  }
}

/**
 * Models pci_scan_root_bus() (drivers/pci/probe.c, v6.5) over a described
 * topology: creates the host bridge device (`pci0000:00`), the root bus and
 * every device and bridge below it. Nothing is registered yet.
 */
export function pci_scan_root_bus(spec: PciHostBridgeSpec): PciBus {
  const segment = spec.segment ?? 0;
  const busnr = spec.bus ?? 0;
  const bridge = new Device(`pci${segment.toString(16).padStart(4, '0')}:${busnr.toString(16).padStart(2, '0')}`);
  const root = new PciBus(busnr, null, segment, bridge);
  buildBus(root, spec.devices);
  return root;
}

/** Scans a host bridge's topology and adds its devices (what acpi_pci_root_add does at boot). */
export async function pci_host_probe(spec: PciHostBridgeSpec): Promise<PciBus> {
  const root = pci_scan_root_bus(spec);
  await pci_bus_add_devices(root);
  return root;
}
