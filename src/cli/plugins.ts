/**
 * Loading the command's plug-ins: the built-in catalog the entry point names,
 * then kemu.config.{js,mjs,ts,mts} found from the working directory, then
 * each `--load` module, all the same way. Worker threads load the same list
 * (Catalog.sources), so a user's boards explore in parallel too.
 *
 * A TypeScript plug-in loads as it is where the runtime can import .ts (vitest,
 * a Node that strips types); otherwise through tsx (import-module.ts).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { KemuError } from '../kernel/errors.js';
import type { Catalog } from '../machine/catalog.js';
import { assembleCatalog, type LoadedPlugin } from '../machine/plugin.js';
import { importModule } from '../explore/import-module.js';

/** The names a config file may have, looked for in this order. */
const CONFIG_FILES = ['kemu.config.js', 'kemu.config.mjs', 'kemu.config.ts', 'kemu.config.mts'] as const;

/**
 * The config file that applies in `cwd`: the first kemu.config.* in `cwd` or
 * a parent, stopping at the project root (the first directory with a
 * package.json); null if there is none.
 */
export function findConfig(cwd: string): string | null {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const name of CONFIG_FILES) {
      if (existsSync(join(dir, name))) return join(dir, name);
    }
    if (existsSync(join(dir, 'package.json')) || dirname(dir) === dir) return null;
  }
}

/** A `--load` argument as a module URL: a path relative to `cwd`, or a file: URL. */
function pluginUrl(specifier: string, cwd: string): string {
  const url = specifier.startsWith('file:') ? specifier : pathToFileURL(resolve(cwd, specifier)).href;
  if (!existsSync(fileURLToPath(url))) throw new KemuError('bad-usage', `cannot load plug-in ${specifier}: no such file ${fileURLToPath(url)}`);
  return url;
}

/** Where an error in a plug-in's code happened: a syntax error's `file:line` header, or the first stack frame. */
function errorSite(error: Error): string {
  const lines = (error.stack ?? '').split('\n');
  const site = /^(file:\/\/|\/)\S+:\d+$/.test(lines[0] ?? '') ? lines[0] : lines.find((l) => l.trimStart().startsWith('at '))?.trim();
  return site ? ` (${site})` : '';
}

/** Imports one plug-in module and returns its default export, checked. */
async function importPlugin(url: string): Promise<LoadedPlugin> {
  let module: { default?: unknown };
  try {
    module = (await importModule(url, 'plug-in')) as { default?: unknown };
  } catch (error) {
    if (KemuError.is(error)) throw error;
    const e = error instanceof Error ? error : new Error(String(error));
    throw new KemuError('bad-usage', `cannot load plug-in ${fileURLToPath(url)}: ${e.name}: ${e.message}${errorSite(e)}`, { cause: error });
  }
  return { source: url, plugin: module.default as LoadedPlugin['plugin'] };
}

/** Loads plug-ins from module URLs, in order, into one catalog: what the command and each worker thread do. */
export async function loadCatalog(urls: readonly string[]): Promise<Catalog> {
  const loaded: LoadedPlugin[] = [];
  for (const url of urls) loaded.push(await importPlugin(url));
  return assembleCatalog(loaded);
}

/** The command's plug-ins: `builtin` (URLs), the config file found from `cwd`, then each `--load` module. */
export function commandPlugins(builtin: readonly string[], load: readonly string[], cwd: string): string[] {
  const config = findConfig(cwd);
  return [...builtin, ...(config ? [pathToFileURL(config).href] : []), ...load.map((spec) => pluginUrl(spec, cwd))];
}
