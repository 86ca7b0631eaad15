/** The mock IOMMU's page table on its own: the invariants it checks, and its fault-injection point. */
import { expect } from 'vitest';
import { iommu_iova_to_phys, iommu_map, iommu_unmap, IOMMU_READ } from '../../../src/iommu/iommu-map.js';
import { MockDomain, mock_iommu_ops } from '../../../drivers/iommu/mock/mock-iommu.js';
import { ENOMEM } from '../../../src/kernel/errno.js';
import { kunitTest } from '../../../src/kunit/index.js';

const newDomain = () => mock_iommu_ops.domain_alloc!('IOMMU_DOMAIN_UNMANAGED') as MockDomain;

kunitTest('map, translate and unmap whole mappings: no WARN', async (t) => {
  const result = await t.explore(async () => {
    const d = newDomain();
    if (await iommu_map(d, 0x4000, 0x90000, 0x3000, IOMMU_READ)) throw new Error('map failed');
    if ((await iommu_iova_to_phys(d, 0x5008)) !== 0x91008) throw new Error('bad translation');
    if ((await iommu_unmap(d, 0x4000, 0x3000)) !== 0x3000 || d.nr_mapped.value !== 0) throw new Error('bad unmap');
  });
  expect(result).toBeCleanOnEverySchedule();
});

kunitTest('unmapping part of a mapping WARNs', async (t) => {
  const result = await t.explore(async () => {
    const d = newDomain();
    await iommu_map(d, 0x4000, 0x90000, 0x3000, IOMMU_READ);
    await iommu_unmap(d, 0x5000, 0x2000);
  });
  expect(result).toFindWarn({ location: /^mock_domain_unmap_pages/ });
  expect(result.failures.map((f) => f.report.message).join('\n')).toContain('unmap starts inside a mapping at iova 0x5000');
});

kunitTest('mapping over a mapping WARNs', async (t) => {
  const result = await t.explore(async () => {
    const d = newDomain();
    await iommu_map(d, 0x4000, 0x90000, 0x1000, IOMMU_READ);
    await iommu_map(d, 0x4000, 0xa0000, 0x1000, IOMMU_READ);
  });
  expect(result).toFindWarn({ location: /^mock_domain_map_pages/ });
});

kunitTest('should_fail(mock_iommu_map) fails the map and leaves nothing mapped', async (t) => {
  t.failNth('mock_iommu_map', 3);
  const result = await t.explore(async () => {
    const d = newDomain();
    const ret = await iommu_map(d, 0x4000, 0x90000, 0x4000, IOMMU_READ);
    if (ret !== -ENOMEM || d.nr_mapped.value !== 0) throw new Error(`ret ${ret}, ${d.nr_mapped.value} pages left`);
  });
  expect(result).toBeCleanOnEverySchedule();
});
