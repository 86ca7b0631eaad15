/**
 * omap-iommu on the DRA7 DSP1 behind two MMUs (dra7.dtb): only the MDMA MMU
 * (40d01000) may register (omap_iommu_can_register); the EDMA MMU probes
 * unregistered and re-probes the bus, and only then can the DSP, listed before
 * both MMUs, join the registered MMU's group.
 */
import { describe, expect, test } from 'vitest';
import { dra7Board } from '../../../boards/omap4.js';
import { runOnce } from '../../../src/explore/explore.js';

describe('omap-iommu with a DSP behind two MMUs', () => {
  test('only 40d01000.mmu registers; the DSP joins its group after the EDMA MMU re-probed the bus', async () => {
    for (const v of ['v6.5', 'v6.7']) {
      const text = (await runOnce(dra7Board.boot(v))).log.map((l) => l.text);
      const mdma = text.indexOf('omap-iommu 40d01000.mmu: 40d01000.mmu registered');
      const edma = text.indexOf('omap-iommu 40d02000.mmu: 40d02000.mmu registered');
      const group = text.indexOf('platform 40800000.dsp: Adding to iommu group 0');
      expect(mdma, v).toBeGreaterThanOrEqual(0);
      expect(edma, v).toBeGreaterThan(mdma);
      expect(group, v).toBeGreaterThan(edma);
      expect(text, v).toContain('omap-rproc 40800000.dsp: remote processor behind iommu group 0');
    }
  });

  test('the DSP, created before its MMUs, first defers on the unregistered MDMA MMU', async () => {
    const text = (await runOnce(dra7Board.boot('v6.5'))).log.map((l) => l.text);
    const deferred = text.indexOf('platform 40800000.dsp: Added to deferred list');
    expect(deferred).toBeGreaterThanOrEqual(0);
    expect(deferred).toBeLessThan(text.indexOf('omap-iommu 40d01000.mmu: 40d01000.mmu registered'));
  });
});
