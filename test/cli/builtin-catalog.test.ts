/**
 * The built-in catalog names its entries and loads each when a command needs
 * it: every name must load the entry of that name, and every board, scenario
 * and driver the modules define must be named, so the lazy listing never
 * drifts from what the modules hold.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import builtin, { DRIVERS, EXAMPLES } from '../../catalog/builtin.js';
import { BUILTIN_DRIVERS } from '../../catalog/drivers.js';
import { EXAMPLE_SCENARIOS } from '../../src/examples/catalog.js';
import { builtinCatalog } from '../support/builtin-catalog.js';

describe('the built-in catalog', () => {
  test('each name loads the entry of that name', async () => {
    for (const list of [builtinCatalog.boards, builtinCatalog.scenarios, builtinCatalog.drivers]) {
      for (const lazy of list) expect((await lazy.load()).name).toBe(lazy.name);
    }
  });

  test('names every example scenario and every driver, in their modules\' order', () => {
    expect(EXAMPLES.map((e) => e.name)).toEqual(EXAMPLE_SCENARIOS.map((e) => e.name));
    expect(DRIVERS.map((e) => e.name)).toEqual(BUILTIN_DRIVERS.map((e) => e.name));
  });

  test('names every board boards/ exports', async () => {
    const exported = new Set<string>();
    for (const file of readdirSync(new URL('../../boards/', import.meta.url)).filter((f) => f.endsWith('.ts'))) {
      const module = (await import(`../../boards/${file}`)) as Record<string, unknown>;
      for (const value of Object.values(module)) {
        const board = value as { name?: unknown; boot?: unknown };
        if (typeof board?.boot === 'function' && typeof board.name === 'string') exported.add(board.name);
      }
    }
    expect(new Set(builtin.boards!.map((b) => b.name))).toEqual(exported);
  });
});
