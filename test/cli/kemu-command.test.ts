/**
 * The kemu command as scripts and people use it: exit codes, listings, JSON,
 * replaying a token it printed, and errors on bad input.
 */
import { describe, expect, test } from 'vitest';
import { kemu } from '../support/run-kemu.js';

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
    const command = /Replay: kemu (replay spin-forever k1\.\S+)/.exec(found.text)![1]!;
    const again = await kemu(...command.split(' '));
    expect(again.code).toBe(1);
    expect(again.text).toContain('watchdog: BUG: soft lockup - CPU#1');
  });

  test('run exits 0 when every schedule is clean, and --json is machine-readable', async () => {
    const { code, text } = await kemu('run', 'peterson', '--json');
    expect(code).toBe(0);
    const result = JSON.parse(text);
    expect(result).toMatchObject({ target: { name: 'peterson' }, exhausted: true, failures: [] });
    expect(result.schedules).toBeGreaterThan(1);
  });

  test('explore takes a strategy; PCT states its probability bound', async () => {
    const { code, text } = await kemu('explore', 'abba', '--strategy', 'pct', '--depth', '2', '--runs', '50', '--no-timeline');
    expect(code).toBe(1);
    expect(text).toMatch(/PCT d=2: n=\d+ tasks, k=\d+ steps; each run finds a given depth-2 bug with probability >= /);
  });

  test('bad input exits 2 with a message that says what exists', async () => {
    expect((await kemu('run', 'no-such-thing')).code).toBe(2);
    expect((await kemu('run', 'abba', '--kernel', 'v6.5')).code).toBe(2);
    expect((await kemu('replay', 'abba', 'not-a-token')).code).toBe(2);
    expect((await kemu('explore', 'abba', '--runs', 'many')).code).toBe(2);
    expect((await kemu('frobnicate')).code).toBe(2);
  });
});
