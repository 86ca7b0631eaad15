/**
 * A campaign never counts a program it could not enumerate: programs above
 * the cap are skipped, counted apart, and replaced, so `checked` programs
 * really were compared.
 */
import { expect, test } from 'vitest';
import { runCampaign } from './campaign.js';
import { compareProgram } from './compare.js';

test('a program whose enumeration reaches the cap is skipped', async () => {
  const program = { tasks: [{ ops: [{ kind: 'write' as const, loc: 'x' as const, value: 1 }] }, { ops: [{ kind: 'read' as const, loc: 'x' as const }] }] };
  expect((await compareProgram(program, { cap: 3, optimalityLimit: 3 })).kind).toBe('skipped');
  expect((await compareProgram(program, { cap: 6, optimalityLimit: 6 })).kind).not.toBe('skipped');
});

test('skipped programs are counted apart and replaced by others', async () => {
  const cap = 30;
  const result = await runCampaign({ programs: 20, seed: 4, cap, optimalityLimit: cap, estimateLimit: 2500 });
  expect(result.skipped).toBeGreaterThan(0);
  expect(result.checked).toBe(20);
  expect(result.schedules).toBeLessThanOrEqual(20 * cap);
});
