/**
 * The committed iasl-compiled DMAR table for the two-DRHD Intel machine: every
 * field, a byte-exact re-encode, and (when iasl is installed) a check that the
 * committed .aml still matches its .dsl and that `npm run aml` rebuilds it cleanly.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, copyFileSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import {
  ACPI_DMAR_SCOPE_TYPE_ENDPOINT,
  ACPI_DMAR_SCOPE_TYPE_HPET,
  ACPI_DMAR_SCOPE_TYPE_IOAPIC,
  DMAR_INTR_REMAP,
  encodeDmarTable,
  parseDmarTable,
  toDmarTableSpec,
  type acpi_table_dmar,
} from '../../../firmware/acpi/dmar-table.js';
import { loadAcpiTableFile } from '../../../firmware/acpi/load-acpi-table.js';

const tablesDir = fileURLToPath(new URL('../../../firmware/acpi/tables/', import.meta.url));
const amlPath = join(tablesDir, 'intel-2drhd.aml');
const dslPath = join(tablesDir, 'intel-2drhd.dsl');

/** The iasl executable on PATH, or undefined. */
function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const iasl = findOnPath('iasl');
const IASL_MISSING = 'iasl (acpica-tools) not installed';

/** The table with the fields iasl fills from its own version blanked: checksum and ASL compiler revision. */
function withoutIaslVersion(bytes: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[9] = 0;
  copy.fill(0, 32, 36);
  return copy;
}

describe('intel-2drhd.aml', () => {
  const bytes = loadAcpiTableFile(amlPath);
  const table: acpi_table_dmar = parseDmarTable(bytes);

  test('header', () => {
    expect(bytes.length).toBe(0x88);
    const { asl_compiler_revision, checksum, ...rest } = table.header;
    expect(rest).toEqual({
      signature: 'DMAR',
      length: 0x88,
      revision: 1,
      oem_id: 'KEMU  ',
      oem_table_id: 'KEMU2DRH',
      oem_revision: 1,
      asl_compiler_id: 'INTL',
    });
    // iasl writes its release date as hex digits, e.g. 0x20200925
    expect(asl_compiler_revision.toString(16)).toMatch(/^20\d{6}$/);
    expect(checksum).toBe(bytes[9]);
    expect(bytes.reduce((sum, b) => (sum + b) & 0xff, 0)).toBe(0);
  });

  test('host address width and flags', () => {
    expect(table.width).toBe(38);
    expect(table.host_address_width).toBe(39);
    expect(table.flags).toBe(DMAR_INTR_REMAP);
  });

  test('DRHD0: graphics unit scoped to 00:02.0', () => {
    expect(table.drhd).toHaveLength(2);
    expect(table.drhd[0]).toEqual({
      offset: 0x30,
      length: 0x18,
      flags: 0,
      include_all: false,
      size: 0,
      segment: 0,
      reg_base_addr: 0xfed90000n,
      scopes: [
        { offset: 0x40, entry_type: ACPI_DMAR_SCOPE_TYPE_ENDPOINT, enumeration_id: 0, bus: 0, path: [{ device: 2, function: 0 }] },
      ],
    });
  });

  test('DRHD1: INCLUDE_PCI_ALL with IOAPIC and HPET scopes', () => {
    expect(table.drhd[1]).toEqual({
      offset: 0x48,
      length: 0x20,
      flags: 1,
      include_all: true,
      size: 0,
      segment: 0,
      reg_base_addr: 0xfed91000n,
      scopes: [
        { offset: 0x58, entry_type: ACPI_DMAR_SCOPE_TYPE_IOAPIC, enumeration_id: 8, bus: 0xf0, path: [{ device: 0x1f, function: 0 }] },
        { offset: 0x60, entry_type: ACPI_DMAR_SCOPE_TYPE_HPET, enumeration_id: 0, bus: 0, path: [{ device: 0x1f, function: 0 }] },
      ],
    });
  });

  test('RMRR for USB 00:14.0', () => {
    expect(table.rmrr).toEqual([
      {
        offset: 0x68,
        length: 0x20,
        segment: 0,
        base_address: 0x7b800000n,
        end_address: 0x7fffffffn,
        scopes: [
          { offset: 0x80, entry_type: ACPI_DMAR_SCOPE_TYPE_ENDPOINT, enumeration_id: 0, bus: 0, path: [{ device: 0x14, function: 0 }] },
        ],
      },
    ]);
  });

  test('nothing else, no warnings', () => {
    expect(table.atsr).toEqual([]);
    expect(table.rhsa).toEqual([]);
    expect(table.andd).toEqual([]);
    expect(table.satc).toEqual([]);
    expect(table.warnings).toEqual([]);
  });

  test('the parsed table is frozen', () => {
    expect(Object.isFrozen(table)).toBe(true);
    expect(Object.isFrozen(table.drhd[1]!.scopes[0]!.path)).toBe(true);
  });

  test('re-encoding the parsed table reproduces the iasl output byte for byte', () => {
    expect(encodeDmarTable(toDmarTableSpec(table))).toEqual(bytes);
  });
});

describe('intel-2drhd.dsl compiled by iasl', () => {
  test(iasl ? 'iasl output matches the committed .aml' : `iasl check skipped: ${IASL_MISSING}`, (ctx) => {
    if (!iasl) ctx.skip(IASL_MISSING);
    const dir = mkdtempSync(join(tmpdir(), 'kemu-iasl-'));
    try {
      copyFileSync(dslPath, join(dir, 'intel-2drhd.dsl'));
      execFileSync(iasl!, ['-vs', 'intel-2drhd.dsl'], { cwd: dir, stdio: 'pipe' });
      const fresh = new Uint8Array(readFileSync(join(dir, 'intel-2drhd.aml')));
      const committed = loadAcpiTableFile(amlPath);
      expect(withoutIaslVersion(fresh)).toEqual(withoutIaslVersion(committed));
      const a = parseDmarTable(fresh);
      const b = parseDmarTable(committed);
      expect({ ...toDmarTableSpec(a), asl_compiler_revision: 0 }).toEqual({ ...toDmarTableSpec(b), asl_compiler_revision: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(iasl ? '`npm run aml` rebuilds the .aml and leaves no other files' : `npm run aml check skipped: ${IASL_MISSING}`, (ctx) => {
    if (!iasl) ctx.skip(IASL_MISSING);
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    const script = pkg.scripts['aml'];
    expect(script).toBeTypeOf('string');
    // Run the script in a scratch copy of the repository layout, never on the committed files.
    const root = mkdtempSync(join(tmpdir(), 'kemu-aml-'));
    try {
      const dir = join(root, 'firmware', 'acpi', 'tables');
      mkdirSync(dir, { recursive: true });
      const sources = readdirSync(tablesDir).filter((f) => f.endsWith('.dsl'));
      expect(sources).toContain('intel-2drhd.dsl');
      for (const f of sources) copyFileSync(join(tablesDir, f), join(dir, f));
      execFileSync('sh', ['-c', script!], { cwd: root, stdio: 'pipe' });
      const expected = [...sources, ...sources.map((f) => f.replace(/\.dsl$/, '.aml'))].sort();
      expect(readdirSync(dir).sort()).toEqual(expected);
      for (const f of sources) {
        const aml = f.replace(/\.dsl$/, '.aml');
        const rebuilt = new Uint8Array(readFileSync(join(dir, aml)));
        expect(withoutIaslVersion(rebuilt)).toEqual(withoutIaslVersion(loadAcpiTableFile(join(tablesDir, aml))));
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
