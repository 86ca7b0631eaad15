/**
 * Boards from firmware files: a DTB boots exactly as the board built on it,
 * binding the catalog's drivers by compatible; DTS goes through dtc; a DMAR
 * table binds the VT-d driver to its DRHDs and enumerates the PCI functions
 * its scopes name; a malformed file is a one-line error with the offset, exit 2.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { kemu as run } from '../support/run-kemu.js';
import { DTC_MISSING, hasDtc } from '../support/host-tools.js';
import { dmarPciTopology } from '../../boards/dmar-board.js';
import { dmarTableFrom } from '../../firmware/acpi/dmar.js';

const kemu = (...argv: string[]) => run(argv);

const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const EXYNOS_DTB = repo('firmware/dts/exynos.dtb');
const DMAR = repo('firmware/acpi/tables/intel-2drhd.aml');

/** The dmesg of a boot's text output (its lines that carry a timestamp). */
const dmesg = (text: string) => text.split('\n').filter((l) => l.startsWith('['));

const dir = mkdtempSync(join(tmpdir(), 'kemu-firmware-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--dtb', () => {
  for (const variant of ['v6.7', 'iommu-next-2023-08']) {
    test(`boots exynos.dtb on ${variant} exactly as the exynos board built on it`, async () => {
      const board = await kemu('boot', 'exynos', '--kernel', variant);
      const file = await kemu('boot', '--dtb', EXYNOS_DTB, '--kernel', variant);
      expect(file.code).toBe(board.code);
      expect(dmesg(file.text)).toEqual(dmesg(board.text));
      expect(dmesg(file.text).length).toBeGreaterThan(20);
    });
  }

  test('explore finds the same hang, prints a replay command with --dtb, and bisect walks the drivers\' variants', async () => {
    const found = await kemu('explore', '--dtb', EXYNOS_DTB, '--kernel', 'iommu-next-2023-08', '--no-timeline');
    expect(found.code).toBe(1);
    const command = /Replay: npx kemu (replay --dtb \S+ --kernel iommu-next-2023-08 k1\.\S+)/.exec(found.text)![1]!;
    expect((await kemu(...command.split(' '))).code).toBe(1);
    const rows = (JSON.parse((await kemu('bisect', '--dtb', EXYNOS_DTB, '--json')).text) as { variants: { variant: string; outcome: string }[] }).variants;
    expect(rows.map((r) => r.variant)).toEqual(['v6.5', 'iommu-next-2023-08', 'fix-try-1', 'fix-try-2', 'locking2-v1', 'locking2-v2', 'v6.7']);
    expect(rows.find((r) => r.variant === 'v6.7')!.outcome).toBe('boots');
  });

  test('shards of an exploration of a DTB merge back: the shard files carry the firmware file', async () => {
    const shards = [];
    for (const shard of ['1/2', '2/2']) {
      const path = join(dir, `shard-${shard.replace('/', 'of')}.json`);
      const { text } = await kemu('explore', '--dtb', EXYNOS_DTB, '--kernel', 'iommu-next-2023-08', '--strategy', 'exhaustive', '--shard', shard);
      writeFileSync(path, text);
      shards.push(path);
    }
    const merged = await kemu('merge', ...shards, '--json');
    expect(merged.code).toBe(1);
    expect(JSON.parse(merged.text)).toMatchObject({ target: { name: 'exynos.dtb' }, failures: [{ kind: 'hung-task' }] });
  });

  test('a truncated blob is a one-line error with the file and the offset, exit 2', async () => {
    const bad = join(dir, 'truncated.dtb');
    writeFileSync(bad, readFileSync(EXYNOS_DTB).subarray(0, 200));
    const { code, errors } = await kemu('boot', '--dtb', bad);
    expect(code).toBe(2);
    expect(errors).toBe(`kemu: DTB ${bad}: totalsize 0x7d9 is larger than the blob (0xc8 bytes; truncated?) at offset 0x4`);
  });

  test('a name and a firmware file together, or two firmware files, are refused', async () => {
    expect((await kemu('boot', 'exynos', '--dtb', EXYNOS_DTB)).errors).toMatch(/describes the board: leave out "exynos"/);
    expect((await kemu('boot', '--dtb', EXYNOS_DTB, '--dmar', DMAR)).errors).toMatch(/--dtb and --dmar each describe a whole board: give one/);
  });
});

describe('--dts', () => {
  beforeEach((ctx) => ctx.skip(!hasDtc, DTC_MISSING));

  test('compiles the source with dtc and boots it as its blob', async () => {
    const source = await kemu('boot', '--dts', repo('firmware/dts/exynos.dts'));
    expect(source.code).toBe(0);
    expect(dmesg(source.text)).toEqual(dmesg((await kemu('boot', '--dtb', EXYNOS_DTB)).text));
  });

  test('a syntax error is dtc\'s first error line, with the position, exit 2', async () => {
    const bad = join(dir, 'bad.dts');
    writeFileSync(bad, '/dts-v1/;\n/ { x = <1 2;\n};\n');
    const { code, errors } = await kemu('boot', '--dts', bad);
    expect(code).toBe(2);
    expect(errors).toBe(`kemu: DTS ${bad}: dtc cannot compile it: Error: ${bad}:2.13-14 syntax error`);
  });
});

describe('--dmar', () => {
  test('binds the VT-d driver to each DRHD and puts the PCI functions its scopes name in groups', async () => {
    const { code, text } = await kemu('boot', '--dmar', DMAR);
    expect(code).toBe(0);
    expect(text).toMatch(/DMAR: DRHD base: 0x0000fed90000 flags: 0x0/);
    expect(text).toMatch(/DMAR: DRHD base: 0x0000fed91000 flags: 0x1/);
    expect(text).toMatch(/pci 0000:00:02\.0: Adding to iommu group \d+/);
    expect(text).toMatch(/pci 0000:00:14\.0: Adding to iommu group \d+/);
  });

  test('the topology is the host bridge and the functions the scopes name, bridges for every hop but the last', () => {
    const table = dmarTableFrom(readFileSync(DMAR));
    expect(dmarPciTopology(table).devices.map((d) => d.at)).toEqual(['00.0', '02.0', '14.0']);
  });

  test('a bad checksum is a one-line error with the file and the offset, exit 2', async () => {
    const bad = join(dir, 'bad-checksum.aml');
    const bytes = readFileSync(DMAR);
    bytes[9] = (bytes[9]! + 1) & 0xff;
    writeFileSync(bad, bytes);
    const { code, errors } = await kemu('boot', '--dmar', bad);
    expect(code).toBe(2);
    expect(errors).toMatch(new RegExp(`^kemu: DMAR ${bad}: bad checksum: .* the checksum byte at offset 0x9 is 0x[0-9a-f]+, expected 0x[0-9a-f]+$`));
  });
});
