/**
 * An Intel VT-d machine: the two-DRHD DMAR table (firmware/acpi/tables/
 * intel-2drhd.aml: dmar0 for the integrated graphics 00:02.0 only, dmar1 for
 * everything else on segment 0 with INCLUDE_PCI_ALL, an RMRR for the USB
 * controller 00:14.0) and a Coffee Lake-like PCI hierarchy whose devices land
 * in groups for every reason pci_device_group() knows: alone, as functions of
 * a slot without ACS, behind a root port without ACS, and behind a PCIe-to-PCI
 * bridge.
 *
 * Boot: PCI enumeration (subsys_initcall), intel_iommu_init (rootfs_initcall:
 * DMAR parse, queued invalidation and global flushes on both units, one
 * iommu_device per unit registered with no hardware device, each registration
 * probing the PCI bus: "Adding to iommu group N"), then the PCI drivers bind
 * (device_initcall), each device taking its group's default domain.
 */
import { ContainerModule } from '../src/inversify.js';
import { dev_info } from '../src/base/device.js';
import { defineBoard, type Board } from '../src/machine/board.js';
import { initcall, type Initcall } from '../src/machine/initcall.js';
import { KERNEL_VARIANTS } from '../src/machine/kernel-variants.js';
import { INITCALL } from '../src/machine/tokens.js';
import { pciBusModule, pciHostBridgeModule } from '../buses/pci/module.js';
import { PCI_DEVICE, PCI_DEVICE_CLASS, PciDriver, pci_register_driver, type PciDeviceId, type PciHostBridgeSpec } from '../buses/pci/pci.js';
import { intelIommuModule } from '../drivers/iommu/intel/module.js';
import { vtdHardwareModule } from '../drivers/iommu/intel/vtd-hardware.js';
import { dmarFirmwareModule, dmarTableFrom } from '../firmware/acpi/dmar.js';
import type { DmarTableSpec } from '../firmware/acpi/dmar-table.js';
import { loadCommittedAcpiTable } from '../firmware/firmware-files.js';

const INTEL = 0x8086;

/** The PCI hierarchy of the board (segment 0). */
export const INTEL_PCI_TOPOLOGY: PciHostBridgeSpec = {
  devices: [
    { at: '00.0', vendor: INTEL, device: 0x3e30, class: 0x060000 },                          // host bridge
    { at: '02.0', vendor: INTEL, device: 0x3e92, class: 0x030000, pcie: 'rc-integrated' },   // UHD graphics: dmar0
    { at: '14.0', vendor: INTEL, device: 0xa36d, class: 0x0c0330, pcie: 'rc-integrated' },   // xHCI (RMRR), with 14.2
    { at: '14.2', vendor: INTEL, device: 0xa36f, class: 0x050000, pcie: 'rc-integrated' },   // shared SRAM, no ACS
    { at: '1c.0', vendor: INTEL, device: 0xa338, class: 0x060400, pcie: 'root-port', acs: true,
      bridge: { secondary: 1, devices: [{ at: '00.0', vendor: 0x144d, device: 0xa808, class: 0x010802, pcie: 'endpoint' }] } },
    { at: '1d.0', vendor: INTEL, device: 0xa330, class: 0x060400, pcie: 'root-port', acs: false,
      bridge: { secondary: 2, devices: [
        { at: '00.0', vendor: INTEL, device: 0x1521, class: 0x020000, pcie: 'endpoint' },   // a two-port NIC
        { at: '00.1', vendor: INTEL, device: 0x1521, class: 0x020000, pcie: 'endpoint' },
      ] } },
    { at: '1e.0', vendor: INTEL, device: 0x244e, class: 0x060401, pcie: 'pcie-to-pci',
      bridge: { secondary: 3, devices: [{ at: '00.0', vendor: 0x104c, device: 0x8023, class: 0x0c0010 }] } },  // FireWire
    { at: '1f.0', vendor: INTEL, device: 0xa306, class: 0x060100, pcie: 'rc-integrated' },   // LPC, audio, SMBus
    { at: '1f.3', vendor: INTEL, device: 0xa348, class: 0x040300, pcie: 'rc-integrated' },
    { at: '1f.4', vendor: INTEL, device: 0xa323, class: 0x0c0500, pcie: 'rc-integrated' },
  ],
};

/** A PCI driver that binds and says so (with its device's group). */
function clientDriver(name: string, ids: readonly PciDeviceId[], what: string): () => PciDriver {
  return () => new PciDriver(name, ids, async (pdev) => {
    dev_info(pdev, `${what} (iommu group ${pdev.iommu_group?.id ?? 'none'})`);
    return 0;
  });
}

/** The board's drivers, in link order. */
export const INTEL_CLIENT_DRIVERS: ReadonlyArray<() => PciDriver> = [
  clientDriver('i915', [PCI_DEVICE(INTEL, 0x3e92)], 'display engine ready'),
  clientDriver('xhci_hcd', [PCI_DEVICE_CLASS(0x0c0330, 0xffffff)], 'xHCI Host Controller'),
  clientDriver('nvme', [PCI_DEVICE_CLASS(0x010802, 0xffffff)], 'NVMe controller'),
  clientDriver('igb', [PCI_DEVICE(INTEL, 0x1521)], 'Intel(R) Gigabit Ethernet Network Connection'),
  clientDriver('firewire_ohci', [PCI_DEVICE_CLASS(0x0c0010, 0xffffff)], 'OHCI-1394 controller'),
  clientDriver('snd_hda_intel', [PCI_DEVICE(INTEL, 0xa348)], 'HD Audio controller'),
  clientDriver('i801_smbus', [PCI_DEVICE(INTEL, 0xa323)], 'SMBus controller'),
];

/** The client drivers at device_initcall (module_pci_driver), in link order. */
export function pciClientsModule(drivers: ReadonlyArray<() => PciDriver>): ContainerModule {
  return new ContainerModule(({ bind }) => {
    for (const make of drivers) {
      const drv = make();
      bind<Initcall>(INITCALL).toConstantValue(initcall('device', `${drv.driver.name}_init`, () => pci_register_driver(make())));
    }
  });
}

/** The bytes of the committed intel-2drhd.aml (read once). */
export function intel2DrhdTable(): Uint8Array {
  return loadCommittedAcpiTable('intel-2drhd.aml');
}

export interface IntelBoardSpec {
  readonly name: string;
  readonly summary: string;
  /** The DMAR table: the binary table or an object. */
  dmar(): Uint8Array | DmarTableSpec;
  readonly pci: PciHostBridgeSpec;
  readonly drivers?: ReadonlyArray<() => PciDriver>;
  /**
   * QI_LENGTH and ring size of the units. Upstream is 256; the board uses 16,
   * which boot never fills, so that each explored run allocates less memory.
   */
  readonly queueLength?: number;
}

/** Every kernel variant: the VT-d driver takes no device lock, so each should boot. */
const ALL_VARIANTS = KERNEL_VARIANTS.map((v) => v.name);

/** An Intel board from a DMAR table and a PCI topology. */
export function defineIntelBoard(spec: IntelBoardSpec): Board {
  return defineBoard({
    name: spec.name,
    summary: spec.summary,
    variants: ALL_VARIANTS,
    defaultVariant: 'v6.12',
    modules: (variant) => {
      const source = spec.dmar();
      const table = dmarTableFrom(source);
      const queueLength = spec.queueLength ?? 16;
      return [
        pciBusModule,
        dmarFirmwareModule(source),
        vtdHardwareModule(table.drhd.map((d) => ({ reg_base_addr: d.reg_base_addr })), { queueEntries: queueLength }),
        pciHostBridgeModule(spec.pci),
        intelIommuModule(variant, { qiLength: queueLength }),
        pciClientsModule(spec.drivers ?? INTEL_CLIENT_DRIVERS),
      ];
    },
  });
}

export const intelBoard: Board = defineIntelBoard({
  name: 'intel-2drhd',
  summary: 'Intel VT-d machine (intel-2drhd.aml): graphics behind dmar0, every other PCI device behind dmar1 (INCLUDE_PCI_ALL)',
  dmar: intel2DrhdTable,
  pci: INTEL_PCI_TOPOLOGY,
});
