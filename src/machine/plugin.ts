/**
 * Plug-ins: what a plug-in module default-exports (definePlugin), and how the
 * plug-ins the command loaded (the built-in catalog, kemu.config.js, each
 * `--load`) become one catalog. Names must be unique across plug-ins, so a
 * name on the command line always means one thing.
 */
import { fileURLToPath } from 'node:url';
import { KemuError } from '../kernel/errors.js';
import type { Catalog, KemuPlugin, LazyEntry } from './catalog.js';
import { findVariant } from './kernel-variants.js';

/** Declares a plug-in (`export default definePlugin({ name, boards: [myBoard] })`); checks its shape. */
export function definePlugin(plugin: KemuPlugin): KemuPlugin {
  checkPlugin(plugin, 'definePlugin()');
  return plugin;
}

/** A plug-in and the module it came from. */
export interface LoadedPlugin {
  readonly source: string;
  readonly plugin: KemuPlugin;
}

const LISTS = ['boards', 'scenarios', 'drivers', 'variants', 'firmware', 'demo', 'plugins'] as const;

function checkPlugin(value: unknown, source: string): asserts value is KemuPlugin {
  const plugin = value as Record<string, unknown> | null;
  if (typeof plugin !== 'object' || plugin === null || typeof plugin.name !== 'string') {
    throw new KemuError('bad-usage', `${source} is not a kemu plug-in: its default export must be an object with a name, ` +
      'e.g. export default definePlugin({ name: \'my-boards\', boards: [myBoard] })');
  }
  for (const key of LISTS) {
    if (plugin[key] !== undefined && !Array.isArray(plugin[key])) {
      throw new KemuError('bad-usage', `plug-in ${plugin.name} (${source}): ${key} must be an array, got ${typeof plugin[key]}`);
    }
  }
  for (const nested of (plugin.plugins as unknown[] | undefined) ?? []) checkPlugin(nested, `a plug-in listed by ${plugin.name}`);
}

/** Where each name came from, to say which two plug-ins define it. */
class Names {
  private readonly owners = new Map<string, string>();

  constructor(private readonly what: string) {}

  claim(name: string, owner: string): void {
    const earlier = this.owners.get(name);
    if (earlier !== undefined) throw new KemuError('bad-usage', `${this.what} "${name}" of ${owner} is already defined by ${earlier}`);
    this.owners.set(name, owner);
  }
}

/** The method every entry of a list has (a board boots, a scenario builds, a driver has modules): what tells a whole entry from a LazyEntry. */
const ENTRY_METHOD = { board: 'boot', scenario: 'build', driver: 'modules' } as const;

/**
 * `entry` as the catalog keeps it: known by name, loaded once, when first
 * needed. A lazy entry must load an entry of its kind and its name.
 */
function catalogEntry<T extends { name: string }>(what: keyof typeof ENTRY_METHOD, entry: T | LazyEntry<T>, owner: string): LazyEntry<T> {
  if (typeof (entry as Record<string, unknown>)[ENTRY_METHOD[what]] === 'function') return { name: entry.name, load: async () => entry as T };
  const lazy = entry as LazyEntry<T>;
  if (typeof lazy.load !== 'function') {
    throw new KemuError('bad-usage', `${what} "${entry.name}" of ${owner} has neither ${ENTRY_METHOD[what]}() nor load()`);
  }
  let loaded: Promise<T> | undefined;
  const load = async (): Promise<T> => {
    const value = await lazy.load();
    if (typeof (value as Record<string, unknown> | null)?.[ENTRY_METHOD[what]] !== 'function' || value.name !== lazy.name) {
      throw new KemuError('bad-usage', `${what} "${lazy.name}" of ${owner} loaded ${value?.name === undefined ? 'something else' : `"${value.name}"`}: ` +
        `its load() must resolve to the ${what} named "${lazy.name}"`);
    }
    return value;
  };
  return { name: lazy.name, load: () => (loaded ??= load()) };
}

/** Joins the loaded plug-ins, in order, into one catalog; a name defined twice is an error that names both plug-ins. */
export function assembleCatalog(loaded: readonly LoadedPlugin[]): Catalog {
  const catalog = { boards: [], scenarios: [], drivers: [], firmware: [], demo: [], sources: [] } as {
    -readonly [K in keyof Catalog]: Catalog[K][number][];
  };
  const targets = new Names('board or scenario');
  const drivers = new Names('driver');
  const loaders = new Names('firmware loader for');
  const add = (plugin: KemuPlugin, source: string): void => {
    checkPlugin(plugin, source);
    const owner = `${plugin.name} (${source.startsWith('file:') ? fileURLToPath(source) : source})`;
    for (const entry of [...(plugin.boards ?? []), ...(plugin.scenarios ?? [])]) targets.claim(entry.name, owner);
    for (const entry of plugin.drivers ?? []) drivers.claim(entry.name, owner);
    for (const loader of plugin.firmware ?? []) loaders.claim(`--${loader.kind}`, owner);
    for (const variant of plugin.variants ?? []) {
      if (findVariant(variant.name) !== variant) {
        throw new KemuError('bad-usage', `kernel variant "${variant.name}" of ${owner} is not the one defined under that name: define it with defineKernelVariant()`);
      }
    }
    catalog.boards.push(...(plugin.boards ?? []).map((e) => catalogEntry('board', e, owner)));
    catalog.scenarios.push(...(plugin.scenarios ?? []).map((e) => catalogEntry('scenario', e, owner)));
    catalog.drivers.push(...(plugin.drivers ?? []).map((e) => catalogEntry('driver', e, owner)));
    catalog.firmware.push(...(plugin.firmware ?? []));
    catalog.demo.push(...(plugin.demo ?? []));
    for (const nested of plugin.plugins ?? []) add(nested, source);
  };
  for (const { plugin, source } of loaded) {
    add(plugin, source);
    catalog.sources.push(source);
  }
  return catalog;
}
