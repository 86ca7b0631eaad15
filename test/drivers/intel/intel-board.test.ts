/**
 * The Intel board: the DMAR table (binary or object) decides which unit
 * translates which PCI device, intel_iommu_init registers one iommu_device per
 * DRHD with no hardware device, the PCI bus walk puts every device in a
 * group, and the drivers bind. No device lock is held on the way, so every
 * kernel variant boots, the Aug 2023 device_lock series included.
 */
import { ContainerModule } from 'inversify';
import { describe, expect, test } from 'vitest';
import { explore, runOnce } from '../../../src/explore/explore.js';
import { composeMachine, kernel_init, kernelModules } from '../../../src/machine/machine.js';
import { initcall, type Initcall } from '../../../src/machine/initcall.js';
import { INITCALL } from '../../../src/machine/tokens.js';
import { KERNEL_VARIANTS } from '../../../src/machine/kernel-variants.js';
import { for_each_pci_dev, pci_get_domain_bus_and_slot, PCI_DEVFN } from '../../../buses/pci/pci.js';
import { pciBusModule, pciHostBridgeModule } from '../../../buses/pci/module.js';
import { INTEL_PCI_TOPOLOGY, defineIntelBoard, intelBoard, pciClientsModule, INTEL_CLIENT_DRIVERS } from '../../../boards/intel.js';
import { ACPI_DMAR_SCOPE_TYPE_BRIDGE, ACPI_DMAR_SCOPE_TYPE_ENDPOINT, type DmarTableSpec } from '../../../firmware/acpi/dmar-table.js';
import { intel_iommu_get_resv_regions } from '../../../drivers/iommu/intel/iommu.js';
import { intelIommuModule } from '../../../drivers/iommu/intel/module.js';
import { vtdHardwareModule } from '../../../drivers/iommu/intel/vtd-hardware.js';
import type { Board } from '../../../src/machine/board.js';

/** Boots `board` once (non-preemptive) with a late initcall that records, per PCI device, its unit and group. */
async function bootAndInspect(board: Board, variant = 'v6.12') {
  const seen: string[] = [];
  const resv: string[] = [];
  const inspect = new ContainerModule(({ bind }) => {
    bind<Initcall>(INITCALL).toConstantValue(initcall('late', 'inspect', () => {
      for (const pdev of for_each_pci_dev()) {
        seen.push(`${pdev.name} ${pdev.iommu?.get()?.iommu_dev.get()?.label ?? '-'} group ${pdev.iommu_group?.id ?? '-'} ${pdev.driver?.name ?? '-'}`);
      }
      const usb = pci_get_domain_bus_and_slot(0, 0, PCI_DEVFN(0x14, 0));
      if (usb) for (const r of intel_iommu_get_resv_regions(usb)) resv.push(`${r.type} 0x${r.start.toString(16)}+0x${r.length.toString(16)}`);
      return 0;
    }));
  });
  const run = await runOnce(async () => kernel_init(composeMachine([...board.machineModules(variant), inspect])));
  return { run, seen, resv, dmesg: run.log.map((l) => l.text) };
}

describe('intel-2drhd (the binary DMAR table)', () => {
  test('boot: DMAR parse, QI on both units, groups, drivers bound', async () => {
    const { run, seen, resv, dmesg } = await bootAndInspect(intelBoard);
    expect(run.outcome).toBe('complete');
    expect(run.reports).toEqual([]);
    for (const line of [
      'DMAR: Host address width 39',
      'DMAR: DRHD base: 0x0000fed90000 flags: 0x0',
      'DMAR: DRHD base: 0x0000fed91000 flags: 0x1',
      'DMAR: RMRR base: 0x00007b800000 end: 0x00007fffffff',
      'DMAR: dmar0: Using Queued invalidation',
      'DMAR: dmar1: Using Queued invalidation',
      'DMAR: Intel(R) Virtualization Technology for Directed I/O',
    ]) expect(dmesg).toContain(line);
    // dmar0 registers first and takes the graphics device; dmar1 (INCLUDE_PCI_ALL) takes the rest.
    expect(dmesg.filter((l) => l.includes('Adding to iommu group'))).toEqual([
      'pci 0000:00:02.0: Adding to iommu group 0',
      'pci 0000:00:00.0: Adding to iommu group 1',
      'pci 0000:00:14.0: Adding to iommu group 2',
      'pci 0000:00:14.2: Adding to iommu group 2',
      'pci 0000:00:1c.0: Adding to iommu group 3',
      'pci 0000:00:1d.0: Adding to iommu group 4',
      'pci 0000:00:1e.0: Adding to iommu group 5',
      'pci 0000:00:1f.0: Adding to iommu group 6',
      'pci 0000:00:1f.3: Adding to iommu group 6',
      'pci 0000:00:1f.4: Adding to iommu group 6',
      'pci 0000:01:00.0: Adding to iommu group 7',
      'pci 0000:02:00.0: Adding to iommu group 4',
      'pci 0000:02:00.1: Adding to iommu group 4',
      'pci 0000:03:00.0: Adding to iommu group 5',
    ]);
    // The groups exist before the drivers bind (rootfs_initcall before device_initcall).
    const lastGroup = dmesg.lastIndexOf('pci 0000:03:00.0: Adding to iommu group 5');
    expect(dmesg.findIndex((l) => l.startsWith('i915 0000:00:02.0: display engine ready (iommu group 0)'))).toBeGreaterThan(lastGroup);
    expect(seen).toEqual([
      '0000:00:00.0 dmar1 group 1 -',
      '0000:00:02.0 dmar0 group 0 i915',
      '0000:00:14.0 dmar1 group 2 xhci_hcd',
      '0000:00:14.2 dmar1 group 2 -',
      '0000:00:1c.0 dmar1 group 3 -',
      '0000:00:1d.0 dmar1 group 4 -',
      '0000:00:1e.0 dmar1 group 5 -',
      '0000:00:1f.0 dmar1 group 6 -',
      '0000:00:1f.3 dmar1 group 6 snd_hda_intel',
      '0000:00:1f.4 dmar1 group 6 i801_smbus',
      '0000:01:00.0 dmar1 group 7 nvme',
      '0000:02:00.0 dmar1 group 4 igb',
      '0000:02:00.1 dmar1 group 4 igb',
      '0000:03:00.0 dmar1 group 5 firewire_ohci',
    ]);
    // The RMRR of the USB controller is its direct-mapped reserved region.
    expect(resv).toEqual(['IOMMU_RESV_DIRECT 0x7b800000+0x4800000']);
  });

  test('every kernel variant boots (the VT-d driver holds no device lock on its probe paths)', async () => {
    for (const { name } of KERNEL_VARIANTS) {
      const run = await runOnce(intelBoard.boot(name));
      expect(run.outcome, name).toBe('complete');
      expect(run.reports, name).toEqual([]);
      expect(run.log.filter((l) => l.text.includes('Adding to iommu group')), name).toHaveLength(14);
    }
  });

  test.each(['iommu-next-2023-08', 'v6.12'])('%s: every schedule of the boot is clean (QI engines included)', async (variant) => {
    const result = await explore(intelBoard.boot(variant), { strategy: 'dpor' });
    expect(result.failures).toEqual([]);
    expect(result.exhausted).toBe(true);
    expect(result.schedules).toBeGreaterThan(1);
  });
});

describe('a DMAR table written as an object', () => {
  /** dmar0 covers the sub-hierarchy below root port 00:1c.0 (a bridge scope); dmar1 the rest. */
  const table: DmarTableSpec = {
    host_address_width: 46,
    drhd: [
      { reg_base_addr: 0xfed90000n, scopes: [{ entry_type: ACPI_DMAR_SCOPE_TYPE_BRIDGE, bus: 0, path: [{ device: 0x1c, function: 0 }] }] },
      { reg_base_addr: 0xfed91000n, include_all: true },
    ],
    rmrr: [{ base_address: 0x7c000000n, end_address: 0x7c0fffffn,
      scopes: [{ entry_type: ACPI_DMAR_SCOPE_TYPE_ENDPOINT, bus: 0, path: [{ device: 0x1d, function: 0 }, { device: 0, function: 1 }] }] }],
  };
  const board = defineIntelBoard({ name: 'intel-object', summary: 'DMAR from a TypeScript object', dmar: () => table, pci: INTEL_PCI_TOPOLOGY });

  test('a bridge scope claims the bridge and everything below it', async () => {
    const { run, seen, dmesg } = await bootAndInspect(board);
    expect(run.outcome).toBe('complete');
    expect(dmesg).toContain('DMAR: Host address width 46');
    expect(seen.filter((s) => s.includes(' dmar0 '))).toEqual(['0000:00:1c.0 dmar0 group 0 -', '0000:01:00.0 dmar0 group 1 nvme']);
    expect(seen.filter((s) => s.includes(' dmar1 '))).toHaveLength(12);
  });
});

describe('without a DMAR table', () => {
  test('intel_iommu_init finds nothing; the devices bind without groups', async () => {
    const modules = [...kernelModules('v6.12'), pciBusModule, vtdHardwareModule([]), pciHostBridgeModule(INTEL_PCI_TOPOLOGY),
      intelIommuModule('v6.12'), pciClientsModule(INTEL_CLIENT_DRIVERS)];
    const run = await runOnce(async () => kernel_init(composeMachine(modules)));
    expect(run.outcome).toBe('complete');
    const dmesg = run.log.map((l) => l.text);
    expect(dmesg.some((l) => l.includes('Adding to iommu group'))).toBe(false);
    expect(dmesg).toContain('nvme 0000:01:00.0: NVMe controller (iommu group none)');
    expect(dmesg).toContain('initcall pci_iommu_init returned -19');
  });
});
