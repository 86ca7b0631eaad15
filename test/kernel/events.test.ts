/**
 * A run's observation events: a run nobody observes has no emitter at all;
 * an observed one reports every step, lock, printk line and probe result,
 * in the order the run did them; the ftrace recorder prints them.
 */
import { describe, expect, test } from 'vitest';
import { runOnce, type Scenario } from '../../src/explore/index.js';
import { observeKernel, type LockEvent, type ProbeEvent, type StepEvent } from '../../src/kernel/events.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { EPROBE_DEFER } from '../../src/kernel/errno.js';
import { FtraceRecorder } from '../../src/report/ftrace.js';
import { abba } from '../../src/examples/classic-scenarios.js';
import { exynosBoard } from '../../boards/exynos.js';
import { mt8183LikeBoard } from '../../boards/mt8183-like.js';

interface Seen {
  steps: StepEvent[];
  locks: LockEvent[];
  printk: string[];
  probes: ProbeEvent[];
}

/** The scenario, observed: what its run emitted lands in `seen`. */
function observed(scenario: Scenario, seen: Seen): Scenario {
  return (kernel: Kernel) => {
    const events = observeKernel(kernel);
    events.on('step', (e) => seen.steps.push(e));
    events.on('lock', (e) => seen.locks.push(e));
    events.on('printk', (e) => seen.printk.push(e.text));
    events.on('probe', (e) => seen.probes.push(e));
    return scenario(kernel);
  };
}

const empty = (): Seen => ({ steps: [], locks: [], printk: [], probes: [] });

describe('observation events', () => {
  test('a run nobody observes makes no emitter', async () => {
    let kernel: Kernel | null = null;
    await runOnce((k) => {
      kernel = k;
      return abba(k);
    });
    expect(kernel!.events).toBeNull();
  });

  test('steps come in run order, one per step after the scenario starts, as the captured trace shows them', async () => {
    const seen = empty();
    const run = await runOnce(observed(exynosBoard.boot('v6.7'), seen));
    expect(seen.steps.map((e) => e.step)).toEqual(run.trace.slice(1).map((s) => s.step));
    expect(seen.steps.map((e) => e.op)).toEqual(run.trace.slice(1).map((s) => s.op));
  });

  test('every lock taken is released, by the task that took it', async () => {
    const seen = empty();
    await runOnce(observed(exynosBoard.boot('v6.7'), seen));
    const held = new Map<string, string>();
    for (const e of seen.locks) {
      if (e.acquired) {
        expect(held.has(e.lock)).toBe(false);
        held.set(e.lock, e.task.comm);
      } else {
        expect(held.get(e.lock)).toBe(e.task.comm);
        held.delete(e.lock);
      }
    }
    expect(seen.locks.some((e) => e.lockClass === '&dev->mutex')).toBe(true);
    expect(held.size).toBe(0);
  });

  test('printk events are the dmesg lines', async () => {
    const seen = empty();
    const run = await runOnce(observed(exynosBoard.boot('v6.7'), seen));
    expect(seen.printk).toEqual(run.log.map((l) => l.text));
  });

  test('probe events show a deferral and the later bind', async () => {
    const seen = empty();
    await runOnce(observed(mt8183LikeBoard.boot('v6.7'), seen));
    const iommu = seen.probes.filter((e) => e.driver === 'mtk-iommu');
    expect(iommu.map((e) => e.ret)).toEqual([-EPROBE_DEFER, 0]);
    expect(iommu[1]!.task.comm).toBe('kworker/u16:0');
  });

  test('the ftrace recorder prints one line per event, as ftrace formats its buffer', async () => {
    const recorder = new FtraceRecorder({ steps: false, printk: false });
    await runOnce(recorder.trace(exynosBoard.boot('v6.7')));
    const lines = recorder.render().split('\n');
    expect(lines[0]).toBe('# tracer: kemu');
    expect(lines).toContain('       swapper/0-1 [000]     0.000051: probe: dev=13e80000.sysmmu drv=exynos-sysmmu ret=0');
    const body = lines.filter((l) => l !== '' && !l.startsWith('#'));
    expect(body.length).toBe(recorder.events.length);
    for (const line of body) expect(line).toMatch(/^ +\S+-\d+ \[\d{3}\] +\d+\.\d{6}: (lock_acquire|lock_release|probe): /);
  });
});
