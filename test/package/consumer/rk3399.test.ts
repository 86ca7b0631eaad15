/** The user's tests: the board on two kernels, a fault plan and the oops it leads to, and the board in a worker thread. */
import { expect, test } from 'vitest';
import { exploreInWorker } from 'kemu';
import { kunitTest } from 'kemu/kunit';
import { rk3399Board } from './my-boards.js';

kunitTest('rk3399-like boots on v6.7 on every schedule', async (test) => {
  expect(await test.explore(rk3399Board.boot('v6.7'))).toBeCleanOnEverySchedule();
});

kunitTest('rk3399-like hangs on the Aug 2023 series: the IOMMU probes itself', async (test) => {
  const result = await test.explore(rk3399Board.boot('iommu-next-2023-08'));
  expect(result).toFindHang({ lockClass: '&dev->mutex', chain: ['rk_iommu_probe', 'iommu_device_register', 'bus_iommu_probe', 'device_lock'] });
});

kunitTest('a failed device_group leaves the VOP without a group: an oops, with its whole call trace', async (test) => {
  test.failNth('rk_iommu_device_group', 1);
  const result = await test.explore(rk3399Board.boot('v6.7'));
  expect(result).toFindOops({ location: 'vop_probe', chain: ['kernel_init', 'do_initcalls', 'really_probe', 'vop_probe'] });
  expect(result.failures[0]!.report.task!.callTrace).toContainEqual(expect.stringMatching(/^really_probe \(src\/base\/dd\.ts:\d+\)$/));
});

test('rk3399-like on v6.7 in a worker thread, where a task that loops with no scheduling point is stopped', async () => {
  const boot = { module: new URL('./my-boards.ts', import.meta.url).href, factory: 'bootRk3399', args: ['v6.7'] };
  const result = await exploreInWorker(boot, { watchdogMs: 10_000 });
  expect(result.exhausted).toBe(true);
  expect(result.failures).toEqual([]);
});
