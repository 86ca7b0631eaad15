/**
 * The stories of the demo `kemu` runs with no arguments: each bug found on one
 * target of the built-in catalog, and its fix verified on another.
 */
import type { DemoStory } from '../src/machine/catalog.js';

export const BUILTIN_DEMO: readonly DemoStory[] = [
  {
    title: 'The omap self-probe hang of the Aug 2023 device_lock series',
    intro: [
      'In Aug 2023 iommu/next made __iommu_probe_device() take device_lock(dev). An IOMMU driver whose probe',
      'calls iommu_device_register() walks the platform bus from inside its own probe, which already holds its',
      'device lock: the walk reaches the IOMMU\'s own device and blocks on it forever. kemu boots an omap4-like',
      'board on that kernel and on v6.7, where a global probe mutex replaced the idea, exploring every interleaving.',
    ].join('\n'),
    buggy: { name: 'omap4-dsp', variant: 'iommu-next-2023-08' },
    fixed: { name: 'omap4-dsp', variant: 'v6.7' },
  },
  {
    title: 'The VT-d qi_submit_sync 0-count soft lockup (fixed in v6.12-rc1)',
    intro: [
      'Two CPUs submit to one invalidation queue: cpu0 an IOTLB flush plus its wait descriptor, cpu1 a bare wait',
      '(count 0). The queue hardware completes descriptors asynchronously, at times the explorer chooses. Before',
      'the fix, cpu0\'s reclaim() can free cpu1\'s finished wait slot before cpu1 sees QI_DONE: cpu1 then polls a',
      'status word nothing will ever write again. QEMU completes the whole queue inside the tail write, which hides it.',
    ].join('\n'),
    buggy: { name: 'qi-zero-count', variant: 'v6.11' },
    fixed: { name: 'qi-zero-count', variant: 'v6.12' },
  },
];
