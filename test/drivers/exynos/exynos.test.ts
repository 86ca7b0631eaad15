/** The Exynos SysMMU driver: clients bound through of_xlate and the replay, one group each; its domains' page table. */
import { expect, test } from 'vitest';
import { exynosBoard } from '../../../boards/exynos.js';
import { exynos_iommu_ops, ExynosIommuDomain } from '../../../drivers/iommu/exynos/exynos-iommu.js';
import { runOnce } from '../../../src/explore/explore.js';
import { iommu_iova_to_phys, iommu_map, iommu_unmap, IOMMU_READ } from '../../../src/iommu/iommu-map.js';
import { kunitTest } from '../../../src/kunit/index.js';

test('on v6.7 the display controller (two SysMMUs) and the scaler get a group each through the replay', async () => {
  const run = await runOnce(exynosBoard.boot('v6.7'));
  const text = run.log.map((l) => l.text);
  expect(run.outcome).toBe('complete');
  expect(text).toContain('exynos4-fb 14400000.fimd: Adding to iommu group 0');
  expect(text).toContain('exynos4-fb 14400000.fimd: display controller ready (iommu group 0)');
  expect(text).toContain('exynos-gsc 13e00000.gsc: scaler ready (iommu group 1)');
  // The disabled SysMMU was never populated.
  expect(text.join('\n')).not.toContain('13e90000');
});

kunitTest('a DMA domain maps small pages: translate inside them, unmap them, nothing left', async (t) => {
  const result = await t.explore(async () => {
    const d = exynos_iommu_ops.domain_alloc!('IOMMU_DOMAIN_DMA');
    if (!(d instanceof ExynosIommuDomain)) throw new Error('not an exynos_iommu_domain');
    if (await iommu_map(d, 0xffffe000, 0x4000000, 0x2000, IOMMU_READ)) throw new Error('map failed');
    if ((await iommu_iova_to_phys(d, 0xfffff080)) !== 0x4001080) throw new Error('bad translation');
    if ((await iommu_unmap(d, 0xffffe000, 0x2000)) !== 0x2000) throw new Error('bad unmap');
    if ((await iommu_iova_to_phys(d, 0xffffe000)) !== 0) throw new Error('still mapped');
  });
  expect(result).toBeCleanOnEverySchedule();
});
