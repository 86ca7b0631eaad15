/**
 * Plug-ins reach every subcommand: a user's board and kernel variant loaded
 * with --load are listed, booted, explored, bisected and replayed like the
 * built-in ones; the config file is found from the working directory; and a
 * module that is no plug-in, or a name defined twice, is a one-line error.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { commandPlugins, findConfig } from '../../src/cli/plugins.js';
import { BUILTIN, kemu as run } from '../support/run-kemu.js';

const kemu = (...argv: string[]) => run(argv);

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const USER = fixture('user-plugin.ts');

describe('kemu --load', () => {
  test('lists the user\'s board and kernel variant with the built-in ones', async () => {
    const { code, text } = await kemu('--load', USER, 'list', '--json');
    expect(code).toBe(0);
    const listed = JSON.parse(text) as { boards: { name: string }[]; variants: { name: string; base?: string }[] };
    expect(listed.boards.map((b) => b.name)).toEqual(expect.arrayContaining(['omap4', 'user-dsp']));
    expect(listed.variants.at(-1)).toMatchObject({ name: 'v6.7-device-lock', base: 'v6.7' });
  });

  test('boots the user\'s board, and explore finds its hang with a replay command that works', async () => {
    expect((await kemu('--load', USER, 'boot', 'user-dsp')).code).toBe(0);
    const found = await kemu('--load', USER, 'explore', 'user-dsp', '--kernel', 'iommu-next-2023-08', '--no-timeline');
    expect(found.code).toBe(1);
    const command = /Replay: npx kemu (replay --load \S+ user-dsp --kernel iommu-next-2023-08 k1\.\S+)/.exec(found.text)![1]!;
    const again = await kemu(...command.split(' '));
    expect(again.code).toBe(1);
    expect(again.text).toMatch(/INFO: task swapper\/0:1 blocked for more than 120 seconds/);
  });

  test('a plug-in variant patches its base: the patched kernel hangs where its base boots, and bisect shows it after its base', async () => {
    expect((await kemu('--load', USER, 'run', 'omap4-dsp', '--kernel', 'v6.7')).code).toBe(0);
    expect((await kemu('--load', USER, 'run', 'omap4-dsp', '--kernel', 'v6.7-device-lock')).code).toBe(1);
    const { text } = await kemu('--load', USER, 'bisect', 'omap4-dsp', '--json');
    const rows = (JSON.parse(text) as { variants: { variant: string; outcome: string }[] }).variants;
    expect(rows.slice(-2)).toEqual([
      expect.objectContaining({ variant: 'v6.7', outcome: 'boots' }),
      expect.objectContaining({ variant: 'v6.7-device-lock', outcome: 'hangs' }),
    ]);
  });

  test('a name the built-in catalog has is refused, naming both plug-ins', async () => {
    const { code, errors } = await kemu('--load', fixture('clashing-plugin.ts'), 'list');
    expect(code).toBe(2);
    expect(errors).toMatch(/^kemu: board or scenario "omap4" of clashing \(.*clashing-plugin\.ts\) is already defined by kemu \(.*builtin\.ts\)$/);
  });

  test('a module without a plug-in, or a missing file, is a one-line error', async () => {
    const none = await kemu('--load', fixture('not-a-plugin.ts'), 'list');
    expect(none.code).toBe(2);
    expect(none.errors).toMatch(/^kemu: .*not-a-plugin\.ts is not a kemu plug-in: its default export must be an object with a name/);
    const missing = await kemu('--load', './no-such-plugin.js', 'list');
    expect(missing.code).toBe(2);
    expect(missing.errors).toMatch(/^kemu: cannot load plug-in \.\/no-such-plugin\.js: no such file /);
  });
});

describe('kemu.config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kemu-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('is found in the working directory or a parent, up to the project root', () => {
    const project = join(dir, 'project');
    mkdirSync(join(project, 'src', 'deep'), { recursive: true });
    writeFileSync(join(project, 'package.json'), '{}');
    expect(findConfig(join(project, 'src', 'deep'))).toBeNull();
    writeFileSync(join(project, 'kemu.config.js'), `export { default } from ${JSON.stringify(pathToFileURL(USER).href)};\n`);
    expect(findConfig(join(project, 'src', 'deep'))).toBe(join(project, 'kemu.config.js'));
    writeFileSync(join(dir, 'kemu.config.ts'), '');
    expect(findConfig(dir)).toBe(join(dir, 'kemu.config.ts'));
  });

  test('loads after the built-in catalog and before each --load', () => {
    const project = join(dir, 'project');
    expect(commandPlugins([BUILTIN], [USER], join(project, 'src'))).toEqual([
      BUILTIN, pathToFileURL(join(project, 'kemu.config.js')).href, pathToFileURL(USER).href,
    ]);
  });
});
