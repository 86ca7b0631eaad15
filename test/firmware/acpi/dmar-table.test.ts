/**
 * The DMAR writer and reader together: round trips over several specs, the exact
 * bytes of a small table, defaults, warnings, and spec validation.
 */
import { describe, expect, test } from 'vitest';
import { KemuError } from '../../../src/kernel/errors.js';
import {
  ACPI_DMAR_SCOPE_TYPE_BRIDGE,
  ACPI_DMAR_SCOPE_TYPE_ENDPOINT,
  ACPI_DMAR_SCOPE_TYPE_HPET,
  ACPI_DMAR_SCOPE_TYPE_IOAPIC,
  ACPI_DMAR_SCOPE_TYPE_NAMESPACE,
  DMA_CTRL_PLATFORM_OPT_IN_FLAG,
  DMAR_INTR_REMAP,
  DMAR_X2APIC_OPT_OUT,
  encodeDmarTable,
  normalizeDmarTableSpec,
  parseDmarTable,
  toDmarTableSpec,
  type DmarTableSpec,
} from '../../../firmware/acpi/dmar-table.js';

function checksumOk(bytes: Uint8Array): boolean {
  return bytes.reduce((sum, b) => (sum + b) & 0xff, 0) === 0;
}

const specs: Record<string, DmarTableSpec> = {
  'empty (defaults only)': {},
  'one include-all DRHD': {
    drhd: [{ reg_base_addr: 0xfed90000n, include_all: true }],
  },
  'two DRHDs, RMRR, ANDD (the emulator path)': {
    oem_id: 'INTEL',
    oem_table_id: 'EDK2',
    oem_revision: 2,
    host_address_width: 46,
    flags: DMAR_INTR_REMAP | DMAR_X2APIC_OPT_OUT,
    drhd: [
      {
        segment: 0,
        reg_base_addr: 0xfed90000n,
        scopes: [
          { entry_type: ACPI_DMAR_SCOPE_TYPE_ENDPOINT, bus: 0, path: [{ device: 2, function: 0 }] },
          { entry_type: ACPI_DMAR_SCOPE_TYPE_NAMESPACE, enumeration_id: 1, bus: 0, path: [{ device: 0x1e, function: 3 }] },
        ],
      },
      {
        segment: 0,
        reg_base_addr: 0xfed91000n,
        include_all: true,
        size: 1,
        scopes: [
          { entry_type: ACPI_DMAR_SCOPE_TYPE_IOAPIC, enumeration_id: 2, bus: 0xf0, path: [{ device: 0x1f, function: 0 }] },
          { entry_type: ACPI_DMAR_SCOPE_TYPE_HPET, bus: 0, path: [{ device: 0x1f, function: 0 }] },
        ],
      },
    ],
    rmrr: [
      {
        base_address: 0x7b800000n,
        end_address: 0x7fffffffn,
        scopes: [
          { entry_type: ACPI_DMAR_SCOPE_TYPE_ENDPOINT, bus: 0, path: [{ device: 0x14, function: 0 }] },
          { entry_type: ACPI_DMAR_SCOPE_TYPE_ENDPOINT, bus: 0, path: [{ device: 0x1a, function: 0 }] },
        ],
      },
      { base_address: 0x100000000n, end_address: 0x1000fffffn, scopes: [] },
    ],
    andd: [
      { device_number: 1, device_name: '\\_SB.PCI0.UAR0' },
      { device_number: 7, device_name: '' },
    ],
  },
  'every structure type, two segments, deep bridge paths, 64-bit addresses': {
    revision: 2,
    oem_id: 'ABCDEF',
    oem_table_id: '12345678',
    oem_revision: 0xffffffff,
    asl_compiler_id: 'ACME',
    asl_compiler_revision: 0x20240322,
    host_address_width: 52,
    flags: DMAR_INTR_REMAP | DMA_CTRL_PLATFORM_OPT_IN_FLAG,
    drhd: [
      {
        segment: 1,
        reg_base_addr: 0xffff_ffff_ffff_f000n,
        flags: 0x80,
        scopes: [
          {
            entry_type: ACPI_DMAR_SCOPE_TYPE_BRIDGE,
            bus: 0x80,
            path: [{ device: 3, function: 0 }, { device: 0, function: 0 }, { device: 31, function: 7 }],
          },
        ],
      },
      { segment: 1, reg_base_addr: 0x2_0000_0000n, include_all: true, flags: 0x81 },
      { segment: 0xffff, reg_base_addr: 1n },
    ],
    rmrr: [{ segment: 1, base_address: 0n, end_address: 0xfffn }],
    atsr: [
      { segment: 1, all_ports: true },
      {
        segment: 0,
        flags: 0,
        scopes: [{ entry_type: ACPI_DMAR_SCOPE_TYPE_BRIDGE, bus: 0, path: [{ device: 1, function: 0 }] }],
      },
    ],
    rhsa: [
      { base_address: 0xffff_ffff_ffff_f000n, proximity_domain: 1 },
      { base_address: 0x2_0000_0000n },
    ],
    andd: [{ device_number: 0xff, device_name: '\\_SB_.PC00.I2C0' }],
    satc: [
      {
        segment: 0,
        atc_required: true,
        scopes: [{ entry_type: ACPI_DMAR_SCOPE_TYPE_ENDPOINT, bus: 0, path: [{ device: 2, function: 0 }] }],
      },
      { segment: 1 },
    ],
  },
};

describe('encode → parse round trip', () => {
  for (const [name, spec] of Object.entries(specs)) {
    test(name, () => {
      const bytes = encodeDmarTable(spec);
      expect(checksumOk(bytes)).toBe(true);
      const table = parseDmarTable(bytes);
      expect(table.header.length).toBe(bytes.length);
      expect(toDmarTableSpec(table)).toEqual(normalizeDmarTableSpec(spec));
      // and back again: the bytes are a fixed point
      expect(encodeDmarTable(toDmarTableSpec(table))).toEqual(bytes);
    });
  }

  test('the normalised spec really carries the values given (not just defaults on both sides)', () => {
    const n = normalizeDmarTableSpec(specs['two DRHDs, RMRR, ANDD (the emulator path)']!);
    expect(n.oem_id).toBe('INTEL ');
    expect(n.oem_table_id).toBe('EDK2    ');
    expect(n.host_address_width).toBe(46);
    expect(n.drhd.map((d) => [d.reg_base_addr, d.include_all, d.flags])).toEqual([
      [0xfed90000n, false, 0],
      [0xfed91000n, true, 1],
    ]);
    expect(n.andd[0]).toEqual({ device_number: 1, device_name: '\\_SB.PCI0.UAR0' });
  });
});

describe('encodeDmarTable', () => {
  test('writes the exact bytes of a one-DRHD table', () => {
    const bytes = encodeDmarTable({
      drhd: [{
        reg_base_addr: 0xfed90000n,
        include_all: true,
        scopes: [{ entry_type: ACPI_DMAR_SCOPE_TYPE_IOAPIC, enumeration_id: 8, bus: 0xf0, path: [{ device: 0x1f, function: 0 }] }],
      }],
    });
    const expected = [
      ...'DMAR'.split('').map((c) => c.charCodeAt(0)), 0x48, 0, 0, 0, // signature, length 72
      1, 0, // revision, checksum (patched below)
      ...'KEMU  KEMUDMAR'.split('').map((c) => c.charCodeAt(0)),
      1, 0, 0, 0, // oem_revision
      ...'KEMU'.split('').map((c) => c.charCodeAt(0)),
      0, 0, 0, 0, // asl_compiler_revision
      38, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // width 39-1, flags, reserved[10]
      0, 0, 0x18, 0, // DRHD, length 24
      1, 0, 0, 0, // flags INCLUDE_ALL, size, segment
      0x00, 0x00, 0xd9, 0xfe, 0, 0, 0, 0, // reg_base_addr
      3, 8, 0, 0, 8, 0xf0, 0x1f, 0, // IOAPIC scope
    ];
    expected[9] = (0x100 - expected.reduce((s, b) => (s + b) & 0xff, 0)) & 0xff;
    expect([...bytes]).toEqual(expected);
  });

  test('defaults: KEMU OEM ids, revision 1, width 39, no flags', () => {
    const t = parseDmarTable(encodeDmarTable({}));
    expect(t.header).toMatchObject({
      signature: 'DMAR', length: 48, revision: 1, oem_id: 'KEMU  ', oem_table_id: 'KEMUDMAR',
      oem_revision: 1, asl_compiler_id: 'KEMU', asl_compiler_revision: 0,
    });
    expect(t.width).toBe(38);
    expect(t.host_address_width).toBe(39);
    expect(t.flags).toBe(0);
    expect(t.warnings).toEqual(['DMAR: no DRHD structure found in the DMAR table']);
  });

  test('is deterministic', () => {
    const spec = specs['every structure type, two segments, deep bridge paths, 64-bit addresses']!;
    expect(encodeDmarTable(spec)).toEqual(encodeDmarTable(spec));
  });

  const bad: [string, DmarTableSpec, RegExp][] = [
    ['oem_id too long', { oem_id: 'SEVENCH' }, /oem_id must be a string of at most 6/],
    ['negative segment', { drhd: [{ segment: -1, reg_base_addr: 1n }] }, /drhd\[0\]\.segment must be an integer in 0\.\.0xffff/],
    ['number address', { drhd: [{ reg_base_addr: 0xfed90000 as unknown as bigint }] }, /drhd\[0\]\.reg_base_addr must be a bigint/],
    ['address above u64', { rmrr: [{ base_address: 0n, end_address: 1n << 64n }] }, /rmrr\[0\]\.end_address must be a bigint/],
    ['bus 256', { drhd: [{ reg_base_addr: 1n, scopes: [{ entry_type: 1, bus: 256, path: [] }] }] }, /drhd\[0\]\.scopes\[0\]\.bus/],
    ['width 0', { host_address_width: 0 }, /host_address_width must be an integer in 1\.\.256/],
    ['include_all contradicts flags', { drhd: [{ reg_base_addr: 1n, flags: 1, include_all: false }] }, /include_all: false but flags 0x1/],
    ['ANDD name with NUL', { andd: [{ device_number: 0, device_name: 'a\0b' }] }, /andd\[0\]\.device_name/],
    ['path too long for a u8 length', {
      drhd: [{ reg_base_addr: 1n, scopes: [{ entry_type: 2, bus: 0, path: Array.from({ length: 125 }, () => ({ device: 0, function: 0 })) }] }],
    }, /more than fit in a u8 entry length/],
  ];
  for (const [name, spec, message] of bad) {
    test(`rejects a bad spec: ${name}`, () => {
      let error: unknown;
      try {
        encodeDmarTable(spec);
      } catch (e) {
        error = e;
      }
      expect(KemuError.is(error)).toBe(true);
      expect((error as KemuError).kind).toBe('bad-usage');
      expect((error as KemuError).message).toMatch(message);
    });
  }
});

describe('warnings for things the kernel tolerates', () => {
  test('bad RMRR, address-0 DRHD, unsupported scope type, empty path, width the kernel rejects', () => {
    const t = parseDmarTable(encodeDmarTable({
      host_address_width: 8,
      drhd: [{ reg_base_addr: 0n, scopes: [{ entry_type: 9, bus: 0, path: [] }] }],
      rmrr: [{ base_address: 0x1000n, end_address: 0x1000n }],
    }));
    expect(t.warnings).toEqual([
      'DMAR: host address width field 0x7 at offset 0x24 is below 11: the kernel rejects the table ("Invalid DMAR haw")',
      'DMAR: unsupported device scope type 9 at offset 0x40 in DRHD at offset 0x30',
      'DMAR: device scope at offset 0x40 in DRHD at offset 0x30 has an empty path',
      'DMAR: DRHD at offset 0x30 has register base address 0: the kernel rejects it ("DMAR reported at address 0")',
      'DMAR: RMRR at offset 0x46 is a bad RMRR [0x1000-0x1000]: not page aligned or empty',
    ]);
    // the records are still there
    expect(t.drhd[0]!.scopes[0]).toEqual({ offset: 0x40, entry_type: 9, enumeration_id: 0, bus: 0, path: [] });
    expect(t.rmrr[0]!.base_address).toBe(0x1000n);
  });

  test('an unknown structure type is skipped with a note, and the walk carries on', () => {
    const base = encodeDmarTable({ drhd: [{ reg_base_addr: 0xfed90000n, include_all: true }] });
    // splice a type-9 structure (length 8) between the header and the DRHD
    const bytes = new Uint8Array(base.length + 8);
    bytes.set(base.subarray(0, 48), 0);
    bytes.set([9, 0, 8, 0, 0xaa, 0xbb, 0xcc, 0xdd], 48);
    bytes.set(base.subarray(48), 56);
    new DataView(bytes.buffer).setUint32(4, bytes.length, true);
    bytes[9] = 0;
    bytes[9] = (0x100 - bytes.reduce((s, b) => (s + b) & 0xff, 0)) & 0xff;
    const t = parseDmarTable(bytes);
    expect(t.warnings).toEqual(['DMAR: unknown remapping structure type 9 at offset 0x30 (length 0x8) skipped']);
    expect(t.drhd).toHaveLength(1);
    expect(t.drhd[0]!.offset).toBe(0x38);
    expect(t.drhd[0]!.reg_base_addr).toBe(0xfed90000n);
  });

  test('bytes after the table length are ignored', () => {
    const base = encodeDmarTable({ drhd: [{ reg_base_addr: 0xfed90000n }] });
    const padded = new Uint8Array(base.length + 16).fill(0xff);
    padded.set(base);
    expect(toDmarTableSpec(parseDmarTable(padded))).toEqual(toDmarTableSpec(parseDmarTable(base)));
  });

  test('a view into a larger buffer parses from its own start', () => {
    const base = encodeDmarTable({ drhd: [{ reg_base_addr: 0xfed90000n }] });
    const big = new Uint8Array(base.length + 7);
    big.set(base, 7);
    expect(parseDmarTable(big.subarray(7)).drhd[0]!.reg_base_addr).toBe(0xfed90000n);
  });
});
