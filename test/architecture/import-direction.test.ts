/**
 * Imports point downwards only (docs/architecture.md): the core never names a
 * driver, bus, firmware reader, board or the program; firmware never names a
 * driver; nothing below the program imports it. This test reads every
 * TypeScript source's relative imports and fails on one that runs upwards.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** For each layer (top-level directory), the layers it must not import. */
const FORBIDDEN: Record<string, readonly string[]> = {
  src: ['drivers', 'buses', 'firmware', 'boards', 'catalog', 'bin'],
  // of_platform_populate creates platform devices, as drivers/of/platform.c uses drivers/base/platform.c.
  firmware: ['drivers', 'boards', 'catalog', 'bin'],
  buses: ['drivers', 'boards', 'catalog', 'bin'],
  drivers: ['boards', 'catalog', 'bin'],
  boards: ['catalog', 'bin'],
  catalog: ['bin'],
};

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** Every upward import in the tree, as `file → target`. */
function upwardImports(): string[] {
  const found: string[] = [];
  for (const [layer, forbidden] of Object.entries(FORBIDDEN)) {
    for (const file of sources(layer)) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const match of text.matchAll(IMPORT)) {
        const spec = match[1] ?? match[2]!;
        const target = relative(root, resolve(root, dirname(file), spec));
        const targetLayer = target.split(/[\\/]/)[0]!;
        if (forbidden.includes(targetLayer)) found.push(`${file} → ${target}`);
      }
    }
  }
  return found;
}

test('no layer imports one above it', () => {
  expect(upwardImports()).toEqual([]);
});

test('the check sees relative imports, re-exports and dynamic imports', () => {
  const sample = `import { a } from '../drivers/x.js';\nexport { b } from "../boards/y.js";\nconst c = await import('../bin/z.js');`;
  expect([...sample.matchAll(IMPORT)].map((m) => m[1] ?? m[2])).toEqual(['../drivers/x.js', '../boards/y.js', '../bin/z.js']);
});
