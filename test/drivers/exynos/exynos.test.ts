/** The Exynos SysMMU driver: clients bound through of_xlate and the replay, one group each. */
import { expect, test } from 'vitest';
import { exynosBoard } from '../../../boards/exynos.js';
import { runOnce } from '../../../src/explore/explore.js';

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
