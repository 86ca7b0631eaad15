/**
 * The kemu command as scripts and people use it: exit codes, listings, JSON,
 * replaying a token it printed, and errors on bad input.
 */
import { describe, expect, test } from 'vitest';
import { kemu as run } from '../support/run-kemu.js';

const kemu = (...argv: string[]) => run(argv);

describe('kemu', () => {
  test('with no arguments runs the demo and succeeds', async () => {
    const { code, text } = await kemu();
    expect(code).toBe(0);
    expect(text).toContain('every schedule is clean');
  });

  test('list shows scenarios and the kernel variants', async () => {
    const { code, text } = await kemu('list');
    expect(code).toBe(0);
    expect(text).toMatch(/^abba \| /m);
    expect(text).toMatch(/^iommu-next-2023-08 \| /m);
  });

  test('run exits 1 on a failure, and its replay command reproduces it', async () => {
    const found = await kemu('run', 'spin-forever');
    expect(found.code).toBe(1);
    expect(found.text).toMatch(/watchdog: BUG: soft lockup - CPU#1 stuck for 2\ds! \[cpu1:2\]/);
    const command = /Replay: npx kemu (replay spin-forever k1\.\S+)/.exec(found.text)![1]!;
    const again = await kemu(...command.split(' '));
    expect(again.code).toBe(1);
    expect(again.text).toContain('watchdog: BUG: soft lockup - CPU#1');
  });

  test('a failure says how common it is in what was explored: first seen in schedule N; M of K schedules lock up', async () => {
    const { text } = await kemu('run', 'qi-zero-count');
    const [, first, some, all] = /first seen in schedule (\d+); ([\d,]+) of ([\d,]+) schedules lock up; this one has \d+ preemptions?/.exec(text)!;
    const n = (s: string) => Number(s.replace(/,/g, ''));
    expect(n(some!)).toBeLessThan(n(all!));
    expect(n(first!)).toBeLessThanOrEqual(n(all!));
    expect(text).toMatch(new RegExp(`dpor: ${all} schedules`));
  });

  test('bisect: the where column tells the bus-walk hang from the OF-replay hang', async () => {
    const { code, text } = await kemu('bisect', 'exynos');
    expect(code).toBe(1);
    expect(text).toMatch(/^iommu-next-2023-08 \| hangs \| \d+ \| __device_attach → … → probe_iommu_group → __iommu_probe_device → device_lock$/m);
    expect(text).toMatch(/^fix-try-2 \| hangs \| \d+ \| __driver_attach → … → iommu_probe_device → __iommu_probe_device → device_lock$/m);
    expect(text).toMatch(/^ {2}replay: npx kemu replay exynos --kernel fix-try-2 k1\.\S+$/m);
    // Its search is not bounded, so no bound is named.
    expect(text).not.toMatch(/at most \d+ preemption/);
  });

  test('bisect names the bound of a board whose search is bounded, so "boots" is read as "within it"', async () => {
    const { text } = await kemu('bisect', 'exynos-async-fimd');
    expect(text).toMatch(/^Each variant was explored in every schedule with at most 1 preemption \(the board's search\): a failure that needs more is not looked for\.$/m);
    const json = await kemu('bisect', 'exynos-async-fimd', '--json');
    expect(JSON.parse(json.text).preemptionBound).toBe(1);
  });

  test('run exits 0 when every schedule is clean, and --json is machine-readable', async () => {
    const { code, text } = await kemu('run', 'peterson', '--json');
    expect(code).toBe(0);
    const result = JSON.parse(text);
    expect(result).toMatchObject({ target: { name: 'peterson' }, exhausted: true, failures: [] });
    expect(result.schedules).toBeGreaterThan(1);
  });

  test('a search a limit ended says so, and is not marked clean; without the limit the same search is exhausted', async () => {
    const capped = await kemu('run', 'qi-zero-count', '--kernel', 'v6.12', '--max-schedules', '10');
    expect(capped.code).toBe(0);
    expect(capped.text).toContain('A limit (--max-schedules) ended the search after 10 schedules, not exhaustion: "no failure" covers only the schedules run.');
    expect(capped.text).toMatch(/^! qi-zero-count on v6\.12 — dpor: 10 schedules( \(\+[\d,]+ cut short as redundant\))?, NOT exhausted \(stopped: schedule limit\), no failure/m);
    const whole = await kemu('run', 'qi-zero-count', '--kernel', 'v6.12');
    expect(whole.text).toMatch(/^✓ qi-zero-count on v6\.12 — dpor: [\d,]+ schedules( \(\+[\d,]+ cut short as redundant\))?, space exhausted, no failure/m);
    expect(whole.text).not.toContain('A limit');
  });

  test('explore takes a strategy; PCT states its probability bound', async () => {
    const { code, text } = await kemu('explore', 'abba', '--strategy', 'pct', '--depth', '2', '--runs', '50', '--no-timeline');
    expect(code).toBe(1);
    expect(text).toMatch(/PCT d=2: n=\d+ tasks, k=\d+ steps \(twice the longest of 16 random runs\); each run finds a given depth-2 bug with probability >= /);
  });

  test('--validate-device-mutex finds a device-lock inversion, and the replay it prints carries the flag', async () => {
    const found = await kemu('explore', 'device-abba-sequenced', '--validate-device-mutex', '--no-timeline');
    expect(found.code).toBe(1);
    expect(found.text).toContain('WARNING: possible circular locking dependency detected');
    const command = /Replay: npx kemu (replay device-abba-sequenced --validate-device-mutex k1\.\S+)/.exec(found.text)![1]!;
    const again = await kemu(...command.split(' '), '--no-timeline');
    expect(again.code).toBe(1);
    expect(again.text).toContain('WARNING: possible circular locking dependency detected');
    const perDriver = await kemu('explore', 'device-abba-sequenced', '--device-lock-classes', 'driver', '--no-timeline');
    expect(perDriver.code).toBe(1);
    expect(perDriver.text).toMatch(/Replay: npx kemu replay device-abba-sequenced --device-lock-classes driver k1\./);
  });

  test('without it the inversion goes unseen, and the result says device locks were not validated', async () => {
    const { code, text } = await kemu('explore', 'device-abba-sequenced');
    expect(code).toBe(0);
    expect(text).toContain('kemu: &dev->mutex taken and not validated by lockdep');
    const json = JSON.parse((await kemu('explore', 'device-abba-sequenced', '--json')).text);
    expect(json.lockdep).toEqual({ notValidated: ['&dev->mutex'] });
  });

  test('bisect gives each variant a verdict, with the boot\'s health as data', async () => {
    const { code, text } = await kemu('bisect', 'omap4-dsp', '--json');
    expect(code).toBe(1);
    const result = JSON.parse(text);
    expect(result.preemptionBound).toBeNull();
    const rows = result.variants;
    expect(rows.find((r: { variant: string }) => r.variant === 'v6.5')).toMatchObject({
      outcome: 'boots', verdict: 'boots', health: { probeFailures: [], deferred: [], warnings: 0 }, notValidated: ['&dev->mutex'] });
    expect(rows.find((r: { variant: string }) => r.variant === 'iommu-next-2023-08')).toMatchObject({ outcome: 'hangs', verdict: 'hangs' });
  });

  test('bad input exits 2 with a message that says what exists', async () => {
    expect((await kemu('run', 'no-such-thing')).code).toBe(2);
    expect((await kemu('run', 'abba', '--kernel', 'v6.5')).code).toBe(2);
    expect((await kemu('replay', 'abba', 'not-a-token')).code).toBe(2);
    expect((await kemu('explore', 'abba', '--runs', 'many')).code).toBe(2);
    expect((await kemu('frobnicate')).code).toBe(2);
  });
});
