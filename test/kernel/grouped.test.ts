import { describe, expect, test } from 'vitest';
import { grouped } from '../../src/kernel/grouped.js';

describe('grouped', () => {
  test('prints a count with a comma between groups of three digits, as en-US does', () => {
    for (const n of [0, 7, 999, 1_000, 2_326, 55_704, 999_999, 1_000_000, 13_799_206, -1_234, Number.MAX_SAFE_INTEGER]) {
      expect(grouped(n)).toBe(n.toLocaleString('en-US'));
    }
  });

  test('refuses what is not a count', () => {
    for (const n of [1.5, Infinity, NaN]) expect(() => grouped(n)).toThrow(/integer count/);
  });
});
