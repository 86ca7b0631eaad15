/** `--ftrace FILE` writes what the run did while it ran, in ftrace's text format. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { kemu as run } from '../support/run-kemu.js';

const kemu = (...argv: string[]) => run(argv);

const dir = mkdtempSync(join(tmpdir(), 'kemu-ftrace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('boot --ftrace writes each probe, lock, step and printk line of the boot', async () => {
  const file = join(dir, 'boot.trace');
  const { code, text } = await kemu('boot', 'mt8183-like', '--ftrace', file);
  expect(code).toBe(0);
  expect(text).toMatch(new RegExp(`ftrace written to ${file} \\(\\d+ events\\)`));
  const trace = readFileSync(file, 'utf8');
  expect(trace).toMatch(/^ +swapper\/0-1 \[000\] +\d+\.\d{6}: probe: dev=10205000\.iommu drv=mtk-iommu ret=-517$/m);
  expect(trace).toMatch(/^ +kworker\/u16:0-\d+ \[\d{3}\] +\d+\.\d{6}: probe: dev=10205000\.iommu drv=mtk-iommu ret=0$/m);
  expect(trace).toMatch(/: lock_acquire: &dev->mutex \(10205000\.iommu\)$/m);
  expect(trace).toMatch(/: kemu_step: mutex_lock\(&dev->mutex \(10205000\.iommu\)\)$/m);
  expect(trace).toMatch(/: console: .*mtk-iommu/m);
});

test('replay --ftrace traces the replayed schedule: both tasks take their first mutex', async () => {
  const found = await kemu('run', 'abba', '--json');
  const token = (JSON.parse(found.text) as { failures: { token: string }[] }).failures[0]!.token;
  const file = join(dir, 'abba.trace');
  expect((await kemu('replay', 'abba', token, '--ftrace', file)).code).toBe(1);
  const steps = readFileSync(file, 'utf8').split('\n').filter((l) => l.includes(': kemu_step: '));
  expect(steps.length).toBeGreaterThan(2);
  expect(steps.filter((l) => /mutex_lock\(/.test(l)).length).toBeGreaterThanOrEqual(2);
});
