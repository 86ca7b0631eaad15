/**
 * A mock IOMMU for tests, in the manner of iommufd's selftest mock
 * (drivers/iommu/iommufd/selftest.c, v6.8): `mock_iommu_ops` accept devices
 * on the buses the mock claims (the `kunit` bus by default, as iommufd claims
 * its private mock bus) and devices whose fwspec names a mock IOMMU node
 * (`compatible = "kemu,mock-iommu"`, `#iommu-cells = <0>` or `<1>`); groups are
 * generic (one per device); domains keep a page table that checks its
 * invariants and WARNs on misuse, and mapping has a fault-injection point,
 * `should_fail('mock_iommu_map')`.
 *
 * Two ways a mock IOMMU comes to exist on a machine (mockIommuModule binds
 * both): one instance registered straight from its initcall with no hardware
 * device, as iommufd_test_init does (so no device lock is held while the core
 * walks the buses, on any variant); and one per `kemu,mock-iommu` DT node,
 * registered from that node's platform probe like any DT IOMMU driver (so it
 * is subject to the same probe-locking hazards as omap, exynos or mtk).
 */
import { dev_name, type Device } from '../../../src/base/device.js';
import type { OfDeviceId } from '../../../src/base/driver.js';
import { RunLocal } from '../../../src/base/run-local.js';
import { dev_iommu_fwspec_get, dev_iommu_priv_get, dev_iommu_priv_set, generic_device_group, iommu_device_register,
  iommu_device_sysfs_add, iommu_fwspec_add_ids, IommuDevice, IommuFwspec, type IommuDomain, type IommuDomainType,
  type IommuOfXlateArgs, type IommuOps } from '../../../src/iommu/iommu.js';
import { WARN_ON } from '../../../src/kernel/assert.js';
import { EINVAL, ENODEV, ENOMEM } from '../../../src/kernel/errno.js';
import { should_fail } from '../../../src/kernel/fault-inject.js';
import { RawSpinlock, raw_spin_lock, raw_spin_unlock } from '../../../src/kernel/locking/spinlock.js';
import { Cell } from '../../../src/kernel/memory/cell.js';
import { load } from '../../../src/kernel/memory/slab.js';
import { PlatformDriver, platform_set_drvdata, type PlatformDevice } from '../../../buses/platform/platform.js';
import type { IommuDomainMapOps } from '../../../src/iommu/iommu-map.js';

/** MOCK_IO_PAGE_SIZE: the mock's only page size. */
export const MOCK_IO_PAGE_SIZE = 0x1000;
/** MOCK_PFN_START_IOVA / MOCK_PFN_LAST_IOVA: flags on the first and last page of each map call. */
const MOCK_PFN_START_IOVA = 1;
const MOCK_PFN_LAST_IOVA = 2;

/** One mock IOMMU instance. */
export class MockIommu {
  readonly iommu = new IommuDevice('mock-iommu');

  constructor(
    readonly name: string,
    /** Names of the buses whose every device this instance translates for. */
    readonly claim: readonly string[],
    /** The platform device of a DT instance, else null. */
    readonly pdev: PlatformDevice | null,
  ) {}
}

/** The run's registered mock IOMMUs. */
export const mock_iommus = new RunLocal<MockIommu[]>('the mock IOMMUs', () => []);

/** What the mock keeps per client device (dev->iommu->priv). */
export interface MockDev {
  readonly mock: MockIommu;
  /** Domains attached to the device, latest last. */
  domain: MockDomain | null;
}

interface MockPte {
  readonly pfn: number;
  readonly flags: number;
  readonly prot: number;
}

/**
 * Models struct mock_iommu_domain (drivers/iommu/iommufd/selftest.c): a page
 * table (`pfns`, an xarray there) under its lock. Every map call marks its
 * first and last page, so an unmap that does not cover whole map calls, or
 * that hits an unmapped page, WARNs, as iommufd's mock does.
 */
export class MockDomain implements IommuDomain, IommuDomainMapOps {
  readonly ops: IommuOps = mock_iommu_ops;
  readonly pgsize_bitmap = MOCK_IO_PAGE_SIZE;
  /** The xarray's lock. */
  readonly lock: RawSpinlock;
  /** Page index → entry. Read and written under `lock`. */
  readonly pfns = new Map<number, MockPte>();
  /** Number of mapped pages, as memory the explorer sees (every change to `pfns` bumps it). */
  readonly nr_mapped: Cell<number>;
  readonly attached: Device[] = [];

  constructor(readonly type: IommuDomainType, readonly id: number) {
    this.lock = new RawSpinlock(`mock_domain ${id}.pfns`, { name: '&mock->pfns.xa_lock' });
    this.nr_mapped = new Cell(`mock_domain ${id}.nr_mapped`, 0);
  }

  /** struct iommu_domain_ops .map_pages = mock_domain_map_pages. */
  map_pages(iova: number, paddr: number, pgsize: number, pgcount: number, prot: number): Promise<{ mapped: number; ret: number }> {
    return mock_domain_map_pages(this, iova, paddr, pgsize, pgcount, prot);
  }

  /** struct iommu_domain_ops .unmap_pages = mock_domain_unmap_pages. */
  unmap_pages(iova: number, pgsize: number, pgcount: number): Promise<number> {
    return mock_domain_unmap_pages(this, iova, pgsize, pgcount);
  }

  /** Models mock_domain_iova_to_phys(). */
  async iova_to_phys(iova: number): Promise<number> {
    await raw_spin_lock(this.lock);
    const ent = this.pfns.get(Math.floor(iova / MOCK_IO_PAGE_SIZE));
    await raw_spin_unlock(this.lock);
    return ent ? ent.pfn * MOCK_IO_PAGE_SIZE + (iova % MOCK_IO_PAGE_SIZE) : 0;
  }
}

/**
 * Models mock_domain_map_pages() (drivers/iommu/iommufd/selftest.c, v6.8):
 * one page-table entry per page, the first and last flagged; a failed
 * allocation unwinds this call's entries and maps nothing.
 */
export async function mock_domain_map_pages(mock: MockDomain, iova: number, paddr: number, pgsize: number, pgcount: number,
  prot: number): Promise<{ mapped: number; ret: number }> {
  if (WARN_ON(iova % MOCK_IO_PAGE_SIZE !== 0 || paddr % MOCK_IO_PAGE_SIZE !== 0 || pgsize % MOCK_IO_PAGE_SIZE !== 0,
    'mock_domain_map_pages: unaligned')) return { mapped: 0, ret: -EINVAL };
  const pages = (pgsize / MOCK_IO_PAGE_SIZE) * pgcount;
  const first = iova / MOCK_IO_PAGE_SIZE;
  for (let i = 0; i < pages; i++) {
    const index = first + i;
    // The xarray allocation, which iommufd's mock can be told to fail.
    if (should_fail('mock_iommu_map')) {
      await raw_spin_lock(mock.lock);
      for (let j = first; j < index; j++) {
        if (mock.pfns.delete(j)) mock.nr_mapped.set(mock.nr_mapped.value - 1);
      }
      await raw_spin_unlock(mock.lock);
      return { mapped: 0, ret: -ENOMEM };
    }
    let flags = 0;
    if (i === 0) flags |= MOCK_PFN_START_IOVA;
    if (i === pages - 1) flags |= MOCK_PFN_LAST_IOVA;
    await raw_spin_lock(mock.lock);
    const old = mock.pfns.get(index);
    mock.pfns.set(index, { pfn: paddr / MOCK_IO_PAGE_SIZE + i, flags, prot });
    if (!old) mock.nr_mapped.set(mock.nr_mapped.value + 1);
    await raw_spin_unlock(mock.lock);
    // Mapping over a mapped IOVA is a caller bug.
    WARN_ON(old !== undefined, `mock_domain_map_pages: iova 0x${(index * MOCK_IO_PAGE_SIZE).toString(16)} is already mapped`);
  }
  return { mapped: pages * MOCK_IO_PAGE_SIZE, ret: 0 };
}

/**
 * Models mock_domain_unmap_pages() (drivers/iommu/iommufd/selftest.c, v6.8):
 * returns the bytes unmapped; WARNs when the range hits an unmapped page or
 * does not start and end on the boundaries of earlier map calls.
 */
export async function mock_domain_unmap_pages(mock: MockDomain, iova: number, pgsize: number, pgcount: number): Promise<number> {
  const pages = (pgsize / MOCK_IO_PAGE_SIZE) * pgcount;
  let ret = 0;
  let first = true;
  for (let i = 0; i < pages; i++) {
    const index = iova / MOCK_IO_PAGE_SIZE + i;
    await raw_spin_lock(mock.lock);
    const ent = mock.pfns.get(index);
    if (ent) {
      mock.pfns.delete(index);
      mock.nr_mapped.set(mock.nr_mapped.value - 1);
    }
    await raw_spin_unlock(mock.lock);
    const at = `iova 0x${(index * MOCK_IO_PAGE_SIZE).toString(16)}`;
    if (ent && first) {
      WARN_ON(!(ent.flags & MOCK_PFN_START_IOVA), `mock_domain_unmap_pages: unmap starts inside a mapping at ${at}`);
      first = false;
    }
    if (ent && i === pages - 1) WARN_ON(!(ent.flags & MOCK_PFN_LAST_IOVA), `mock_domain_unmap_pages: unmap ends inside a mapping at ${at}`);
    // Unmapping what was never mapped, or was unmapped already.
    WARN_ON(!ent, `mock_domain_unmap_pages: ${at} is not mapped`);
    ret += MOCK_IO_PAGE_SIZE;
  }
  return ret;
}

const next_domain_id = new RunLocal<{ n: number }>('mock domain ids', () => ({ n: 0 }));

/** The mock instance whose node the device's fwspec names, else one that claims the device's bus. */
async function mock_find(dev: Device): Promise<MockIommu | null> {
  const fwspec = await dev_iommu_fwspec_get(dev);
  const mocks = mock_iommus.get();
  if (fwspec) {
    if ((await load(IommuFwspec, fwspec, 'ops')) !== mock_iommu_ops) return null;
    const fwnode = await load(IommuFwspec, fwspec, 'iommu_fwnode');
    return mocks.find((m) => m.iommu.fwnode !== null && m.iommu.fwnode === fwnode) ?? null;
  }
  const bus = dev.bus?.name;
  return bus === undefined ? null : (mocks.find((m) => m.claim.includes(bus)) ?? null);
}

/** Models mock_probe_device() (drivers/iommu/iommufd/selftest.c, v6.8): the mock's devices only. */
async function mock_probe_device(dev: Device): Promise<IommuDevice | number> {
  const mock = await mock_find(dev);
  if (!mock) return -ENODEV;
  const priv = await dev_iommu_priv_get<MockDev>(dev);
  if (!priv) await dev_iommu_priv_set(dev, { mock, domain: null } satisfies MockDev);
  return mock.iommu;
}

/** Models mock_release_device(). */
async function mock_release_device(dev: Device): Promise<void> {
  await dev_iommu_priv_set(dev, null);
}

/** Models an of_xlate for `#iommu-cells` of 0 or 1: the id (if any) goes into the fwspec. */
async function mock_of_xlate(dev: Device, args: IommuOfXlateArgs): Promise<number> {
  if (args.args.length > 1) return -EINVAL;
  return await iommu_fwspec_add_ids(dev, args.args);
}

/** Models mock_domain_alloc() (drivers/iommu/iommufd/selftest.c, v6.8): paging and identity domains. */
function mock_domain_alloc(type: IommuDomainType): IommuDomain | null {
  if (type === 'IOMMU_DOMAIN_BLOCKED') return null;
  if (should_fail('mock_domain_alloc')) return null;
  const ids = next_domain_id.get();
  return new MockDomain(type, ids.n++);
}

/** Models mock_domain_nop_attach(): records the attachment. */
async function mock_attach_dev(domain: IommuDomain, dev: Device): Promise<number> {
  const priv = await dev_iommu_priv_get<MockDev>(dev);
  if (!priv || !(domain instanceof MockDomain)) return -EINVAL;
  priv.domain = domain;
  if (!domain.attached.includes(dev)) domain.attached.push(dev);
  return 0;
}

/** Models mock_ops (drivers/iommu/iommufd/selftest.c, v6.8), with an of_xlate for DT clients. */
export const mock_iommu_ops: IommuOps = {
  name: 'mock_iommu_ops',
  probe_device: mock_probe_device,
  release_device: mock_release_device,
  device_group: generic_device_group,
  of_xlate: mock_of_xlate,
  domain_alloc: mock_domain_alloc,
  attach_dev: mock_attach_dev,
};

/**
 * Registers a mock IOMMU with no hardware device, claiming every device of the
 * named buses, as iommufd_test_init() registers its mock (not from a probe,
 * so no device lock is held while the core walks the buses).
 */
export async function mock_iommu_register(claim: readonly string[], name = 'mock-iommu'): Promise<MockIommu | number> {
  const mock = new MockIommu(name, claim, null);
  iommu_device_sysfs_add(mock.iommu, null, name);
  mock_iommus.get().push(mock);
  const ret = await iommu_device_register(mock.iommu, mock_iommu_ops, null);
  if (ret) {
    mock_iommus.get().splice(mock_iommus.get().indexOf(mock), 1);
    return ret;
  }
  return mock;
}

/** The probe of a `kemu,mock-iommu` DT node: register with the node as hwdev, like any DT IOMMU driver. */
export async function mock_iommu_probe(pdev: PlatformDevice): Promise<number> {
  const mock = new MockIommu(dev_name(pdev), [], pdev);
  platform_set_drvdata(pdev, mock);
  iommu_device_sysfs_add(mock.iommu, pdev, `mock-iommu.${dev_name(pdev)}`);
  mock_iommus.get().push(mock);
  const ret = await iommu_device_register(mock.iommu, mock_iommu_ops, pdev);
  if (ret) mock_iommus.get().splice(mock_iommus.get().indexOf(mock), 1);
  return ret;
}

/** The mock's DT binding: IOMMU nodes with `compatible = "kemu,mock-iommu"`. */
export const mock_iommu_of_match: readonly OfDeviceId[] = [{ compatible: 'kemu,mock-iommu' }];

/** The platform driver for `kemu,mock-iommu` nodes. */
export function mock_iommu_driver(): PlatformDriver {
  return new PlatformDriver('mock-iommu', mock_iommu_probe, { of_match_table: mock_iommu_of_match });
}
