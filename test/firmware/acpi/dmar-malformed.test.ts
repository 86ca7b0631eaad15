/**
 * Malformed DMAR tables: each defect is an AcpiTableError naming the structure
 * and its byte offset, never a RangeError or TypeError. Then deterministic
 * sweeps (every truncation, byte flips with the checksum re-fixed so the walk is
 * reached, seeded random mutations): every input parses or throws AcpiTableError.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { KemuError } from '../../../src/kernel/errors.js';
import { AcpiTableError } from '../../../firmware/acpi/acpi-table-error.js';
import {
  ACPI_DMAR_SCOPE_TYPE_BRIDGE,
  ACPI_DMAR_SCOPE_TYPE_ENDPOINT,
  ACPI_DMAR_SCOPE_TYPE_IOAPIC,
  ACPI_DMAR_SCOPE_TYPE_NAMESPACE,
  encodeDmarTable,
  parseDmarTable,
  type acpi_table_dmar,
} from '../../../firmware/acpi/dmar-table.js';
import { loadAcpiTableFile } from '../../../firmware/acpi/load-acpi-table.js';

const aml = loadAcpiTableFile(fileURLToPath(new URL('../../../firmware/acpi/tables/intel-2drhd.aml', import.meta.url)));

/** A table with every structure type, so the sweeps reach every reader. */
const rich = encodeDmarTable({
  flags: 1,
  drhd: [
    {
      reg_base_addr: 0xfed90000n,
      scopes: [
        { entry_type: ACPI_DMAR_SCOPE_TYPE_ENDPOINT, bus: 0, path: [{ device: 2, function: 0 }] },
        { entry_type: ACPI_DMAR_SCOPE_TYPE_NAMESPACE, enumeration_id: 1, bus: 0, path: [{ device: 0x15, function: 1 }] },
      ],
    },
    {
      reg_base_addr: 0xfed91000n,
      include_all: true,
      scopes: [{ entry_type: ACPI_DMAR_SCOPE_TYPE_IOAPIC, enumeration_id: 8, bus: 0xf0, path: [{ device: 0x1f, function: 0 }] }],
    },
  ],
  rmrr: [{
    base_address: 0x7b800000n,
    end_address: 0x7fffffffn,
    scopes: [{ entry_type: ACPI_DMAR_SCOPE_TYPE_ENDPOINT, bus: 0, path: [{ device: 0x14, function: 0 }] }],
  }],
  atsr: [{ all_ports: true, scopes: [{ entry_type: ACPI_DMAR_SCOPE_TYPE_BRIDGE, bus: 0, path: [{ device: 1, function: 0 }] }] }],
  rhsa: [{ base_address: 0xfed90000n, proximity_domain: 0 }],
  andd: [{ device_number: 1, device_name: '\\_SB.PCI0.I2C0' }],
  satc: [{ atc_required: true, scopes: [{ entry_type: ACPI_DMAR_SCOPE_TYPE_ENDPOINT, bus: 0, path: [{ device: 2, function: 0 }] }] }],
});

function setU16(bytes: Uint8Array, at: number, v: number): void {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint16(at, v, true);
}

function setU32(bytes: Uint8Array, at: number, v: number): void {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(at, v, true);
}

/** Re-fixes the checksum over the length the table claims (or the whole buffer if it claims more). */
function fixChecksum(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 10) return bytes;
  const claimed = bytes.length >= 8 ? new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true) : bytes.length;
  const n = Math.min(claimed, bytes.length);
  if (n < 10) return bytes;
  bytes[9] = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum = (sum + bytes[i]!) & 0xff;
  bytes[9] = (0x100 - sum) & 0xff;
  return bytes;
}

/** Copies `base`, applies `edit`, re-fixes the checksum. */
function mutate(base: Uint8Array, edit: (b: Uint8Array) => void): Uint8Array {
  const b = Uint8Array.from(base);
  edit(b);
  return fixChecksum(b);
}

function catchError(bytes: Uint8Array): unknown {
  try {
    parseDmarTable(bytes);
  } catch (e) {
    return e;
  }
  return undefined;
}

function expectAcpiError(bytes: Uint8Array, structure: string, offset: number, message: string | RegExp): AcpiTableError {
  const error = catchError(bytes);
  expect(error).toBeInstanceOf(AcpiTableError);
  const e = error as AcpiTableError;
  expect(KemuError.is(e)).toBe(true);
  expect(e.kind).toBe('bad-firmware');
  expect(e.name).toBe('AcpiTableError');
  expect(e.table).toBe('DMAR');
  expect(e.structure).toBe(structure);
  expect(e.offset).toBe(offset);
  if (typeof message === 'string') expect(e.message).toBe(message);
  else expect(e.message).toMatch(message);
  return e;
}

describe('each defect is an AcpiTableError at the right offset', () => {
  test('the base tables are valid', () => {
    expect(parseDmarTable(aml).drhd).toHaveLength(2);
    const r = parseDmarTable(rich);
    expect([r.drhd.length, r.rmrr.length, r.atsr.length, r.rhsa.length, r.andd.length, r.satc.length]).toEqual([2, 1, 1, 1, 1, 1]);
    expect(r.warnings).toEqual([]);
  });

  test('bad signature', () => {
    const b = mutate(aml, (x) => { x[3] = 'X'.charCodeAt(0); });
    expectAcpiError(b, 'table header', 0, 'DMAR: bad signature "DMAX" at offset 0x0, expected "DMAR"');
  });

  test('bad signature with unprintable bytes is shown escaped', () => {
    const b = mutate(aml, (x) => { x[0] = 0; x[1] = 0xff; });
    expectAcpiError(b, 'table header', 0, 'DMAR: bad signature "\\x00\\xffAR" at offset 0x0, expected "DMAR"');
  });

  test('bad checksum gives expected and actual', () => {
    const b = Uint8Array.from(aml);
    b[0x50] = (b[0x50]! + 1) & 0xff; // no checksum fix
    const actual = aml[9]!;
    const expected = (actual - 1) & 0xff;
    expectAcpiError(b, 'table header', 9,
      `DMAR: bad checksum: the 0x88 table bytes sum to 0x1 mod 256 instead of 0; ` +
      `the checksum byte at offset 0x9 is 0x${actual.toString(16)}, expected 0x${expected.toString(16)}`);
  });

  test('truncated table (buffer shorter than the length field)', () => {
    expectAcpiError(aml.subarray(0, 0x60), 'table header', 4,
      'DMAR: table length 0x88 (at offset 0x4) is past the end of the buffer (0x60 bytes): the table is truncated');
  });

  test('truncated header', () => {
    expectAcpiError(aml.subarray(0, 20), 'table header', 0, /table header at offset 0x0 is truncated: the buffer holds 0x14 bytes/);
    expectAcpiError(aml.subarray(0, 2), 'table header', 0, /truncated/);
    expectAcpiError(new Uint8Array(0), 'table header', 0, /truncated/);
  });

  test('length field shorter than the DMAR header', () => {
    const b = mutate(aml, (x) => setU32(x, 4, 0x24));
    expectAcpiError(b, 'table header', 4, 'DMAR: table length 0x24 (at offset 0x4) is shorter than the 0x30-byte DMAR header');
  });

  test('a structure length of 0', () => {
    const b = mutate(aml, (x) => setU16(x, 0x4a, 0));
    expectAcpiError(b, 'DRHD', 0x48, 'DMAR: DRHD at offset 0x48 has length 0x0, shorter than its 4-byte header');
  });

  test('a structure running past the end of the table', () => {
    const b = mutate(aml, (x) => setU16(x, 0x32, 0x80));
    expectAcpiError(b, 'DRHD', 0x30, 'DMAR: DRHD at offset 0x30 has length 0x80, past the end of the table (0x88)');
  });

  test('an RMRR running past the end of the table', () => {
    const b = mutate(aml, (x) => setU16(x, 0x6a, 0x21));
    expectAcpiError(b, 'RMRR', 0x68, 'DMAR: RMRR at offset 0x68 has length 0x21, past the end of the table (0x88)');
  });

  test('a structure shorter than its fixed part', () => {
    // DRHD0 claims 8 bytes: its register base address would lie outside it
    const b = mutate(aml, (x) => setU16(x, 0x32, 8));
    expectAcpiError(b, 'DRHD', 0x30, 'DMAR: DRHD at offset 0x30 has length 0x8, shorter than its 0x10-byte fixed part');
  });

  test('a remapping structure header cut by the table end', () => {
    const b = new Uint8Array(50);
    b.set(aml.subarray(0, 48));
    b[48] = 0;
    b[49] = 0;
    setU32(b, 4, 50);
    fixChecksum(b);
    expectAcpiError(b, 'remapping structure', 0x30, /remapping structure at offset 0x30 is truncated: 2 byte\(s\) left/);
  });

  test('a device scope too short', () => {
    const b = mutate(aml, (x) => { x[0x59] = 4; });
    expectAcpiError(b, 'device scope', 0x58,
      'DMAR: device scope at offset 0x58 in DRHD at offset 0x48 has length 0x4, shorter than its 6-byte header');
  });

  test('a device scope of length 0 (the kernel would loop forever on it)', () => {
    const b = mutate(aml, (x) => { x[0x81] = 0; });
    expectAcpiError(b, 'device scope', 0x80, /device scope at offset 0x80 in RMRR at offset 0x68 has length 0x0/);
  });

  test('a device scope with an odd path length', () => {
    const b = mutate(aml, (x) => { x[0x61] = 7; });
    expectAcpiError(b, 'device scope', 0x60,
      'DMAR: device scope at offset 0x60 in DRHD at offset 0x48 has length 0x7, which leaves an odd number of bytes for its (device, function) path');
  });

  test('a device scope running past the end of its structure', () => {
    const b = mutate(aml, (x) => { x[0x61] = 0x10; });
    expectAcpiError(b, 'device scope', 0x60,
      'DMAR: device scope at offset 0x60 in DRHD at offset 0x48 has length 0x10, past the end of the DRHD (0x68)');
  });

  test('a device scope cut to one byte by its structure end', () => {
    const base = encodeDmarTable({ drhd: [{ reg_base_addr: 0xfed90000n }] });
    const b = new Uint8Array(base.length + 1);
    b.set(base);
    b[base.length] = 1;
    setU32(b, 4, b.length);
    setU16(b, 0x32, 17);
    fixChecksum(b);
    expectAcpiError(b, 'device scope', 0x40, /device scope at offset 0x40 in DRHD at offset 0x30 is truncated: 1 byte left/);
  });

  test('an ANDD name without a NUL terminator', () => {
    const base = encodeDmarTable({ andd: [{ device_number: 3, device_name: 'AB' }] });
    const b = mutate(base, (x) => { x[base.length - 1] = 'C'.charCodeAt(0); });
    expectAcpiError(b, 'ANDD', 0x30, 'DMAR: ANDD at offset 0x30 has no NUL terminator in its device name (0x3 bytes)');
  });

  test('a non-Uint8Array is a usage error, not a TypeError', () => {
    let error: unknown;
    try {
      parseDmarTable([1, 2, 3] as unknown as Uint8Array);
    } catch (e) {
      error = e;
    }
    expect(KemuError.is(error)).toBe(true);
    expect((error as KemuError).kind).toBe('bad-usage');
  });
});

/** Parses, or records anything other than AcpiTableError as a failure. Checks the invariants of a parse. */
function classify(bytes: Uint8Array, label: string, failures: string[]): 'ok' | 'rejected' {
  let table: acpi_table_dmar;
  try {
    table = parseDmarTable(bytes);
  } catch (e) {
    if (!(e instanceof AcpiTableError)) {
      failures.push(`${label}: threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      return 'rejected';
    }
    if (!Number.isInteger(e.offset) || e.offset < 0 || e.offset > bytes.length) {
      failures.push(`${label}: AcpiTableError offset ${e.offset} outside the buffer (${bytes.length})`);
    }
    if (!e.message.startsWith('DMAR: ') || !e.message.includes('offset 0x')) {
      failures.push(`${label}: message does not name an offset: ${e.message}`);
    }
    return 'rejected';
  }
  const end = table.header.length;
  const records = [...table.drhd, ...table.rmrr, ...table.atsr, ...table.rhsa, ...table.andd, ...table.satc];
  for (const r of records) {
    if (r.offset < 48 || r.offset + r.length > end) failures.push(`${label}: structure at ${r.offset} (+${r.length}) outside the table (${end})`);
    for (const s of 'scopes' in r ? r.scopes : []) {
      if (s.offset < r.offset || s.offset >= r.offset + r.length) failures.push(`${label}: scope at ${s.offset} outside its structure at ${r.offset}`);
    }
  }
  return 'ok';
}

describe('deterministic sweeps: parses or throws AcpiTableError', () => {
  for (const [name, base] of [['intel-2drhd.aml', aml], ['every-structure table', rich]] as const) {
    test(`${name}: truncated at every length`, () => {
      const failures: string[] = [];
      for (let n = 0; n < base.length; n++) {
        const error = catchError(base.subarray(0, n));
        if (!(error instanceof AcpiTableError)) failures.push(`length ${n}: ${String(error)}`);
        else if (error.offset !== (n < 36 ? 0 : 4)) failures.push(`length ${n}: offset ${error.offset}`);
      }
      expect(failures).toEqual([]);
    });

    test(`${name}: truncated at every length, length field and checksum rewritten to match`, () => {
      const failures: string[] = [];
      const outcomes = { ok: 0, rejected: 0 };
      for (let n = 0; n <= base.length; n++) {
        const b = Uint8Array.from(base.subarray(0, n));
        if (n >= 8) setU32(b, 4, n);
        fixChecksum(b);
        outcomes[classify(b, `length ${n}`, failures)]++;
      }
      expect(failures).toEqual([]);
      // the header-only table, every structure boundary and the full table parse
      expect(outcomes.ok).toBeGreaterThanOrEqual(3);
      expect(outcomes.rejected).toBeGreaterThan(base.length / 2);
    });

    test(`${name}: each of the first 128 bytes flipped (XOR 0xff, 0x01, 0x80), checksum re-fixed`, () => {
      const failures: string[] = [];
      const outcomes = { ok: 0, rejected: 0 };
      const count = Math.min(128, base.length);
      for (const mask of [0xff, 0x01, 0x80]) {
        for (let i = 0; i < count; i++) {
          const b = mutate(base, (x) => { x[i] = x[i]! ^ mask; });
          outcomes[classify(b, `byte ${i} ^ ${mask}`, failures)]++;
        }
      }
      expect(failures).toEqual([]);
      expect(outcomes.ok).toBeGreaterThan(0);
      expect(outcomes.rejected).toBeGreaterThan(0);
    });
  }

  test('seeded random mutations of the every-structure table', () => {
    // xorshift32: deterministic, no Math.random
    let state = 0x2545f491;
    const next = (): number => {
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      return state;
    };
    const failures: string[] = [];
    const outcomes = { ok: 0, rejected: 0 };
    for (let round = 0; round < 3000; round++) {
      const b = mutate(rich, (x) => {
        const edits = 1 + (next() % 4);
        for (let k = 0; k < edits; k++) {
          // mostly the walk (offsets 36 and up), sometimes the length field
          const at = next() % 8 === 0 ? 4 + (next() % 4) : 36 + (next() % (x.length - 36));
          x[at] = next() & 0xff;
        }
      });
      outcomes[classify(b, `round ${round}`, failures)]++;
    }
    expect(failures).toEqual([]);
    expect(outcomes.ok).toBeGreaterThan(0);
    expect(outcomes.rejected).toBeGreaterThan(0);
  });
});
