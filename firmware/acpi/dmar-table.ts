/**
 * The ACPI DMAR (DMA Remapping Reporting) table, which describes the Intel VT-d
 * remapping units of a machine: its binary layout, a pure reader and a writer.
 *
 * The records use the kernel's struct and field names (include/acpi/actbl1.h and
 * drivers/iommu/intel/dmar.c, v6.5), extended with the byte `offset` and `length`
 * of each structure so that reports and errors can point into the table.
 *
 * 64-bit fields (`reg_base_addr`, `base_address`, `end_address`) are `bigint`:
 * they are u64 in the table and a JavaScript number cannot hold every u64 exactly.
 * Every other field fits a u32 and is a `number`.
 *
 * `parseDmarTable` and `encodeDmarTable` are emulator machinery (the kernel's own
 * `parse_dmar_table()` returns an errno and allocates IOMMUs as it walks; the
 * Intel driver model does that from the parsed records). They do no I/O; see
 * load-acpi-table.ts for reading a file.
 */
import { KemuError } from '../../src/kernel/errors.js';
import { AcpiTableError, hex } from './acpi-table-error.js';

// ---------------------------------------------------------------------------
// Constants (include/acpi/actbl.h, include/acpi/actbl1.h, include/linux/dmar.h)
// ---------------------------------------------------------------------------

export const ACPI_SIG_DMAR = 'DMAR';
/** sizeof(struct acpi_table_header), the common header of every ACPI table. */
export const ACPI_TABLE_HEADER_SIZE = 36;
/** sizeof(struct acpi_table_dmar): the common header, width, flags and reserved[10]. */
export const ACPI_TABLE_DMAR_SIZE = 48;

/** enum acpi_dmar_type: remapping structure types (v6.5; 6 and up are reserved). */
export const ACPI_DMAR_TYPE_HARDWARE_UNIT = 0;
export const ACPI_DMAR_TYPE_RESERVED_MEMORY = 1;
export const ACPI_DMAR_TYPE_ROOT_ATS = 2;
export const ACPI_DMAR_TYPE_HARDWARE_AFFINITY = 3;
export const ACPI_DMAR_TYPE_NAMESPACE = 4;
export const ACPI_DMAR_TYPE_SATC = 5;
export const ACPI_DMAR_TYPE_RESERVED = 6;

/** enum acpi_dmar_scope_type: device scope entry types (6 and up are reserved). */
export const ACPI_DMAR_SCOPE_TYPE_NOT_USED = 0;
export const ACPI_DMAR_SCOPE_TYPE_ENDPOINT = 1;
export const ACPI_DMAR_SCOPE_TYPE_BRIDGE = 2;
export const ACPI_DMAR_SCOPE_TYPE_IOAPIC = 3;
export const ACPI_DMAR_SCOPE_TYPE_HPET = 4;
export const ACPI_DMAR_SCOPE_TYPE_NAMESPACE = 5;
export const ACPI_DMAR_SCOPE_TYPE_RESERVED = 6;

/** DMAR table flags (include/linux/dmar.h). */
export const DMAR_INTR_REMAP = 0x1;
export const DMAR_X2APIC_OPT_OUT = 0x2;
export const DMA_CTRL_PLATFORM_OPT_IN_FLAG = 0x4;

/** DRHD flag bit 0: the unit covers every PCI device of its segment not claimed elsewhere. */
export const ACPI_DMAR_INCLUDE_ALL = 0x1;
/** ATSR flag bit 0: every root port of the segment supports ATS. */
export const ACPI_DMAR_ALL_PORTS = 0x1;

/** Fixed-part sizes of each remapping structure (the device scopes or name follow). */
const DRHD_FIXED = 16;   // struct acpi_dmar_hardware_unit
const RMRR_FIXED = 24;   // struct acpi_dmar_reserved_memory
const ATSR_FIXED = 8;    // struct acpi_dmar_atsr
const RHSA_FIXED = 20;   // struct acpi_dmar_rhsa
const ANDD_FIXED = 8;    // struct acpi_dmar_andd up to device_name
const SATC_FIXED = 8;    // struct acpi_dmar_satc
const SCOPE_FIXED = 6;   // struct acpi_dmar_device_scope
const PATH_SIZE = 2;     // struct acpi_dmar_pci_path

/** PAGE_SHIFT on x86: parse_dmar_table() rejects a host address width field below PAGE_SHIFT - 1. */
const PAGE_SHIFT = 12;

// ---------------------------------------------------------------------------
// Parsed records
// ---------------------------------------------------------------------------

/** Models struct acpi_table_header (include/acpi/actbl.h, v6.5): the 36-byte common header. */
export interface acpi_table_header {
  readonly signature: string;
  /** Length of the whole table in bytes, header included. */
  readonly length: number;
  readonly revision: number;
  readonly checksum: number;
  /** Six characters, as stored (usually space padded, e.g. `"INTEL "`). */
  readonly oem_id: string;
  /** Eight characters, as stored. */
  readonly oem_table_id: string;
  readonly oem_revision: number;
  /** Four characters, as stored; iasl writes `"INTL"`. */
  readonly asl_compiler_id: string;
  /** iasl writes its own version here, e.g. 0x20200925. */
  readonly asl_compiler_revision: number;
}

/** Models struct acpi_dmar_pci_path (include/acpi/actbl1.h, v6.5): one hop of a scope's path. */
export interface acpi_dmar_pci_path {
  readonly device: number;
  readonly function: number;
}

/** Models struct acpi_dmar_device_scope (include/acpi/actbl1.h, v6.5) with its path. */
export interface dmar_dev_scope {
  /** Byte offset of this entry from the start of the table. */
  readonly offset: number;
  /** ACPI_DMAR_SCOPE_TYPE_*: 1 PCI endpoint, 2 PCI sub-hierarchy (bridge), 3 IOAPIC, 4 HPET, 5 ACPI namespace device. */
  readonly entry_type: number;
  /** IOAPIC id, HPET number or ANDD device number; 0 for PCI scopes. */
  readonly enumeration_id: number;
  /** The start bus number the path is walked from. */
  readonly bus: number;
  readonly path: readonly acpi_dmar_pci_path[];
}

/** Models struct acpi_dmar_hardware_unit (include/acpi/actbl1.h, v6.5): one DRHD, one VT-d unit. */
export interface dmar_drhd {
  readonly offset: number;
  readonly length: number;
  /** Raw flags byte. */
  readonly flags: number;
  /** Flag bit 0 (INCLUDE_PCI_ALL), as dmar_parse_one_drhd() stores it in dmar_drhd_unit. */
  readonly include_all: boolean;
  /** Register set size: 2^size 4 KiB pages (bits 3:0); 0 on older tables. */
  readonly size: number;
  readonly segment: number;
  /** Register base address (u64, so a bigint). */
  readonly reg_base_addr: bigint;
  readonly scopes: readonly dmar_dev_scope[];
}

/** Models struct acpi_dmar_reserved_memory (include/acpi/actbl1.h, v6.5): one RMRR. */
export interface dmar_rmrr {
  readonly offset: number;
  readonly length: number;
  readonly segment: number;
  readonly base_address: bigint;
  /** Inclusive limit: the last byte of the region. */
  readonly end_address: bigint;
  readonly scopes: readonly dmar_dev_scope[];
}

/** Models struct acpi_dmar_atsr (include/acpi/actbl1.h, v6.5): root-port ATS capability. */
export interface dmar_atsr {
  readonly offset: number;
  readonly length: number;
  readonly flags: number;
  /** Flag bit 0 (ALL_PORTS). */
  readonly all_ports: boolean;
  readonly segment: number;
  readonly scopes: readonly dmar_dev_scope[];
}

/** Models struct acpi_dmar_rhsa (include/acpi/actbl1.h, v6.5): a unit's NUMA proximity domain. */
export interface dmar_rhsa {
  readonly offset: number;
  readonly length: number;
  /** Register base address of the DRHD this applies to. */
  readonly base_address: bigint;
  readonly proximity_domain: number;
}

/** Models struct acpi_dmar_andd (include/acpi/actbl1.h, v6.5): an ACPI namespace device. */
export interface dmar_andd {
  readonly offset: number;
  readonly length: number;
  /** Matches the enumeration_id of an ACPI_DMAR_SCOPE_TYPE_NAMESPACE device scope. */
  readonly device_number: number;
  /** Full ACPI path of the device, e.g. `\_SB.PCI0.UAR0` (NUL terminator stripped). */
  readonly device_name: string;
}

/** Models struct acpi_dmar_satc (include/acpi/actbl1.h, v6.5): SoC-integrated ATC devices. */
export interface dmar_satc {
  readonly offset: number;
  readonly length: number;
  readonly flags: number;
  /** Flag bit 0, as dmar_parse_one_satc() stores it in dmar_satc_unit. */
  readonly atc_required: boolean;
  readonly segment: number;
  readonly scopes: readonly dmar_dev_scope[];
}

/**
 * Models struct acpi_table_dmar (include/acpi/actbl1.h, v6.5), together with the
 * remapping structures that follow it, grouped by type in table order.
 */
export interface acpi_table_dmar {
  readonly header: acpi_table_header;
  /** Host address width field as stored: the real width minus one. */
  readonly width: number;
  /** The real host address width in bits (`width + 1`), as the kernel prints it. */
  readonly host_address_width: number;
  /** DMAR_INTR_REMAP (bit 0), DMAR_X2APIC_OPT_OUT (bit 1), DMA_CTRL_PLATFORM_OPT_IN_FLAG (bit 2). */
  readonly flags: number;
  readonly drhd: readonly dmar_drhd[];
  readonly rmrr: readonly dmar_rmrr[];
  readonly atsr: readonly dmar_atsr[];
  readonly rhsa: readonly dmar_rhsa[];
  readonly andd: readonly dmar_andd[];
  readonly satc: readonly dmar_satc[];
  /**
   * Things the table gets wrong that the kernel tolerates or reports with a
   * warning: skipped unknown structure types, unsupported scope types, a missing
   * DRHD, a bad RMRR, a host address width the kernel rejects.
   */
  readonly warnings: readonly string[];
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

/** Bounds-checked little-endian reads; every read past `limit` is an AcpiTableError. */
class TableReader {
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly table: string,
    private readonly limit: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(offset: number, size: number, structure: string): void {
    if (!Number.isInteger(offset) || offset < 0 || offset + size > this.limit) {
      throw new AcpiTableError(this.table, structure, offset,
        `${structure} field at offset ${hex(offset)} (${size} bytes) is past the end of the table (${hex(this.limit)})`);
    }
  }

  u8(offset: number, structure: string): number {
    this.need(offset, 1, structure);
    return this.view.getUint8(offset);
  }

  u16(offset: number, structure: string): number {
    this.need(offset, 2, structure);
    return this.view.getUint16(offset, true);
  }

  u32(offset: number, structure: string): number {
    this.need(offset, 4, structure);
    return this.view.getUint32(offset, true);
  }

  u64(offset: number, structure: string): bigint {
    this.need(offset, 8, structure);
    return this.view.getBigUint64(offset, true);
  }

  /** `count` bytes as a string of char codes 0..255, as stored (no trimming). */
  chars(offset: number, count: number, structure: string): string {
    this.need(offset, count, structure);
    let s = '';
    for (let i = 0; i < count; i++) s += String.fromCharCode(this.bytes[offset + i]!);
    return s;
  }
}

/** Renders table characters for a message: printable ASCII as is, anything else as \xNN. */
function printable(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    out += c >= 0x20 && c < 0x7f && ch !== '"' && ch !== '\\' ? ch : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return out;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

/**
 * Reads and checks the common ACPI table header: the signature, the length
 * (at least `minLength`, at most the buffer) and the checksum (all `length`
 * bytes sum to 0 mod 256). Bytes in the buffer after `length` are ignored.
 * Emulator machinery shared by the ACPI table readers.
 */
export function readAcpiTableHeader(bytes: Uint8Array, signature: string, minLength: number): acpi_table_header {
  if (!(bytes instanceof Uint8Array)) {
    throw new KemuError('bad-usage', `${signature}: expected the table as a Uint8Array, got ${describeValue(bytes)}`);
  }
  const structure = 'table header';
  if (bytes.length >= 4) {
    const found = String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!);
    if (found !== signature) {
      throw new AcpiTableError(signature, structure, 0,
        `bad signature "${printable(found)}" at offset 0x0, expected "${signature}"`);
    }
  }
  if (bytes.length < ACPI_TABLE_HEADER_SIZE) {
    throw new AcpiTableError(signature, structure, 0,
      `table header at offset 0x0 is truncated: the buffer holds ${hex(bytes.length)} bytes, the header needs ${hex(ACPI_TABLE_HEADER_SIZE)}`);
  }
  const r = new TableReader(bytes, signature, bytes.length);
  const length = r.u32(4, structure);
  if (length < minLength) {
    throw new AcpiTableError(signature, structure, 4,
      `table length ${hex(length)} (at offset 0x4) is shorter than the ${hex(minLength)}-byte ${signature} header`);
  }
  if (length > bytes.length) {
    throw new AcpiTableError(signature, structure, 4,
      `table length ${hex(length)} (at offset 0x4) is past the end of the buffer (${hex(bytes.length)} bytes): the table is truncated`);
  }
  let sum = 0;
  for (let i = 0; i < length; i++) sum = (sum + bytes[i]!) & 0xff;
  const checksum = r.u8(9, structure);
  if (sum !== 0) {
    const expected = (checksum - sum) & 0xff;
    throw new AcpiTableError(signature, structure, 9,
      `bad checksum: the ${hex(length)} table bytes sum to ${hex(sum)} mod 256 instead of 0; ` +
      `the checksum byte at offset 0x9 is ${hex(checksum)}, expected ${hex(expected)}`);
  }
  return {
    signature,
    length,
    revision: r.u8(8, structure),
    checksum,
    oem_id: r.chars(10, 6, structure),
    oem_table_id: r.chars(16, 8, structure),
    oem_revision: r.u32(24, structure),
    asl_compiler_id: r.chars(28, 4, structure),
    asl_compiler_revision: r.u32(32, structure),
  };
}

/** The name messages use for a remapping structure type. */
export function dmarStructureName(type: number): string {
  switch (type) {
    case ACPI_DMAR_TYPE_HARDWARE_UNIT: return 'DRHD';
    case ACPI_DMAR_TYPE_RESERVED_MEMORY: return 'RMRR';
    case ACPI_DMAR_TYPE_ROOT_ATS: return 'ATSR';
    case ACPI_DMAR_TYPE_HARDWARE_AFFINITY: return 'RHSA';
    case ACPI_DMAR_TYPE_NAMESPACE: return 'ANDD';
    case ACPI_DMAR_TYPE_SATC: return 'SATC';
    default: return `structure type ${type}`;
  }
}

interface WalkContext {
  readonly r: TableReader;
  readonly warnings: string[];
}

function requireFixed(name: string, offset: number, length: number, fixed: number): void {
  if (length < fixed) {
    throw new AcpiTableError(ACPI_SIG_DMAR, name, offset,
      `${name} at offset ${hex(offset)} has length ${hex(length)}, shorter than its ${hex(fixed)}-byte fixed part`);
  }
}

/** Reads the device scope entries in [start, end) of the structure `owner` at `ownerOffset`. */
function readDeviceScopes(ctx: WalkContext, owner: string, ownerOffset: number, start: number, end: number): dmar_dev_scope[] {
  const structure = 'device scope';
  const where = `in ${owner} at offset ${hex(ownerOffset)}`;
  const scopes: dmar_dev_scope[] = [];
  for (let p = start; p < end;) {
    if (end - p < 2) {
      throw new AcpiTableError(ACPI_SIG_DMAR, structure, p,
        `device scope at offset ${hex(p)} ${where} is truncated: ${end - p} byte left before the end of the ${owner} (${hex(end)})`);
    }
    const entry_type = ctx.r.u8(p, structure);
    const length = ctx.r.u8(p + 1, structure);
    if (length < SCOPE_FIXED) {
      throw new AcpiTableError(ACPI_SIG_DMAR, structure, p,
        `device scope at offset ${hex(p)} ${where} has length ${hex(length)}, shorter than its ${SCOPE_FIXED}-byte header`);
    }
    if (p + length > end) {
      throw new AcpiTableError(ACPI_SIG_DMAR, structure, p,
        `device scope at offset ${hex(p)} ${where} has length ${hex(length)}, past the end of the ${owner} (${hex(end)})`);
    }
    if ((length - SCOPE_FIXED) % PATH_SIZE !== 0) {
      throw new AcpiTableError(ACPI_SIG_DMAR, structure, p,
        `device scope at offset ${hex(p)} ${where} has length ${hex(length)}, which leaves an odd number of bytes for its (device, function) path`);
    }
    const path: acpi_dmar_pci_path[] = [];
    for (let q = p + SCOPE_FIXED; q < p + length; q += PATH_SIZE) {
      path.push({ device: ctx.r.u8(q, structure), function: ctx.r.u8(q + 1, structure) });
    }
    if (entry_type === ACPI_DMAR_SCOPE_TYPE_NOT_USED || entry_type >= ACPI_DMAR_SCOPE_TYPE_RESERVED) {
      ctx.warnings.push(`DMAR: unsupported device scope type ${entry_type} at offset ${hex(p)} ${where}`);
    }
    if (path.length === 0) {
      ctx.warnings.push(`DMAR: device scope at offset ${hex(p)} ${where} has an empty path`);
    }
    scopes.push({
      offset: p,
      entry_type,
      enumeration_id: ctx.r.u8(p + 4, structure),
      bus: ctx.r.u8(p + 5, structure),
      path,
    });
    p += length;
  }
  return scopes;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/**
 * Reads a DMAR table. Walks the remapping structures the way
 * dmar_walk_remapping_entries() in drivers/iommu/intel/dmar.c (v6.5) does:
 * unknown structure types are skipped (with a note in `warnings`), a structure
 * running past the end of the table is an error. Where the kernel merely stops
 * (a zero-length structure) or would read out of bounds (a scope or fixed part
 * that does not fit), this reader throws too, so a broken board description is
 * caught where it is written. Throws AcpiTableError (kind 'bad-firmware') naming
 * the structure and its byte offset; never reads outside `bytes`.
 */
export function parseDmarTable(bytes: Uint8Array): acpi_table_dmar {
  const header = readAcpiTableHeader(bytes, ACPI_SIG_DMAR, ACPI_TABLE_DMAR_SIZE);
  const end = header.length;
  const r = new TableReader(bytes, ACPI_SIG_DMAR, end);
  const warnings: string[] = [];
  const ctx: WalkContext = { r, warnings };

  const width = r.u8(36, 'table header');
  const flags = r.u8(37, 'table header');
  if (width < PAGE_SHIFT - 1) {
    warnings.push(`DMAR: host address width field ${hex(width)} at offset 0x24 is below ${PAGE_SHIFT - 1}: ` +
      `the kernel rejects the table ("Invalid DMAR haw")`);
  }

  const drhd: dmar_drhd[] = [];
  const rmrr: dmar_rmrr[] = [];
  const atsr: dmar_atsr[] = [];
  const rhsa: dmar_rhsa[] = [];
  const andd: dmar_andd[] = [];
  const satc: dmar_satc[] = [];

  for (let off = ACPI_TABLE_DMAR_SIZE; off < end;) {
    if (end - off < 4) {
      throw new AcpiTableError(ACPI_SIG_DMAR, 'remapping structure', off,
        `remapping structure at offset ${hex(off)} is truncated: ${end - off} byte(s) left before the end of the table (${hex(end)}), its header needs 4`);
    }
    const type = r.u16(off, 'remapping structure');
    const length = r.u16(off + 2, 'remapping structure');
    const name = dmarStructureName(type);
    if (length < 4) {
      throw new AcpiTableError(ACPI_SIG_DMAR, name, off,
        `${name} at offset ${hex(off)} has length ${hex(length)}, shorter than its 4-byte header`);
    }
    if (off + length > end) {
      throw new AcpiTableError(ACPI_SIG_DMAR, name, off,
        `${name} at offset ${hex(off)} has length ${hex(length)}, past the end of the table (${hex(end)})`);
    }
    const stop = off + length;
    switch (type) {
      case ACPI_DMAR_TYPE_HARDWARE_UNIT: {
        requireFixed(name, off, length, DRHD_FIXED);
        const f = r.u8(off + 4, name);
        const unit: dmar_drhd = {
          offset: off,
          length,
          flags: f,
          include_all: (f & ACPI_DMAR_INCLUDE_ALL) !== 0,
          size: r.u8(off + 5, name),
          segment: r.u16(off + 6, name),
          reg_base_addr: r.u64(off + 8, name),
          scopes: readDeviceScopes(ctx, name, off, off + DRHD_FIXED, stop),
        };
        if (unit.reg_base_addr === 0n) {
          warnings.push(`DMAR: DRHD at offset ${hex(off)} has register base address 0: the kernel rejects it ("DMAR reported at address 0")`);
        }
        drhd.push(unit);
        break;
      }
      case ACPI_DMAR_TYPE_RESERVED_MEMORY: {
        requireFixed(name, off, length, RMRR_FIXED);
        const region: dmar_rmrr = {
          offset: off,
          length,
          segment: r.u16(off + 6, name),
          base_address: r.u64(off + 8, name),
          end_address: r.u64(off + 16, name),
          scopes: readDeviceScopes(ctx, name, off, off + RMRR_FIXED, stop),
        };
        const page = 1n << BigInt(PAGE_SHIFT);
        if (region.base_address % page !== 0n || (region.end_address + 1n) % page !== 0n ||
            region.end_address <= region.base_address) {
          warnings.push(`DMAR: RMRR at offset ${hex(off)} is a bad RMRR ` +
            `[0x${region.base_address.toString(16)}-0x${region.end_address.toString(16)}]: not page aligned or empty`);
        }
        rmrr.push(region);
        break;
      }
      case ACPI_DMAR_TYPE_ROOT_ATS: {
        requireFixed(name, off, length, ATSR_FIXED);
        const f = r.u8(off + 4, name);
        atsr.push({
          offset: off,
          length,
          flags: f,
          all_ports: (f & ACPI_DMAR_ALL_PORTS) !== 0,
          segment: r.u16(off + 6, name),
          scopes: readDeviceScopes(ctx, name, off, off + ATSR_FIXED, stop),
        });
        break;
      }
      case ACPI_DMAR_TYPE_HARDWARE_AFFINITY: {
        requireFixed(name, off, length, RHSA_FIXED);
        rhsa.push({
          offset: off,
          length,
          base_address: r.u64(off + 8, name),
          proximity_domain: r.u32(off + 16, name),
        });
        break;
      }
      case ACPI_DMAR_TYPE_NAMESPACE: {
        requireFixed(name, off, length, ANDD_FIXED);
        const text = r.chars(off + ANDD_FIXED, length - ANDD_FIXED, name);
        const nul = text.indexOf('\0');
        if (nul < 0) {
          throw new AcpiTableError(ACPI_SIG_DMAR, name, off,
            `ANDD at offset ${hex(off)} has no NUL terminator in its device name (${hex(length - ANDD_FIXED)} bytes)`);
        }
        andd.push({
          offset: off,
          length,
          device_number: r.u8(off + 7, name),
          device_name: text.slice(0, nul),
        });
        break;
      }
      case ACPI_DMAR_TYPE_SATC: {
        requireFixed(name, off, length, SATC_FIXED);
        const f = r.u8(off + 4, name);
        satc.push({
          offset: off,
          length,
          flags: f,
          atc_required: (f & 0x1) !== 0,
          segment: r.u16(off + 6, name),
          scopes: readDeviceScopes(ctx, name, off, off + SATC_FIXED, stop),
        });
        break;
      }
      default:
        warnings.push(`DMAR: unknown remapping structure type ${type} at offset ${hex(off)} (length ${hex(length)}) skipped`);
    }
    off = stop;
  }

  if (drhd.length === 0) warnings.push('DMAR: no DRHD structure found in the DMAR table');

  return deepFreeze({
    header,
    width,
    host_address_width: width + 1,
    flags,
    drhd,
    rmrr,
    atsr,
    rhsa,
    andd,
    satc,
    warnings,
  });
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

/** A device scope as a board writes it. */
export interface DmarDevScopeSpec {
  /** ACPI_DMAR_SCOPE_TYPE_*. */
  readonly entry_type: number;
  /** Default 0. */
  readonly enumeration_id?: number;
  readonly bus: number;
  readonly path: readonly acpi_dmar_pci_path[];
}

export interface DmarDrhdSpec {
  /** Default 0. */
  readonly segment?: number;
  readonly reg_base_addr: bigint;
  /** Sets flag bit 0. */
  readonly include_all?: boolean;
  /** The raw flags byte; bit 0 is ORed with `include_all`. Default 0. */
  readonly flags?: number;
  /** Default 0. */
  readonly size?: number;
  readonly scopes?: readonly DmarDevScopeSpec[];
}

export interface DmarRmrrSpec {
  readonly segment?: number;
  readonly base_address: bigint;
  /** Inclusive limit. */
  readonly end_address: bigint;
  readonly scopes?: readonly DmarDevScopeSpec[];
}

export interface DmarAtsrSpec {
  readonly segment?: number;
  readonly all_ports?: boolean;
  readonly flags?: number;
  readonly scopes?: readonly DmarDevScopeSpec[];
}

export interface DmarRhsaSpec {
  readonly base_address: bigint;
  readonly proximity_domain?: number;
}

export interface DmarAnddSpec {
  readonly device_number: number;
  /** Full ACPI path; written NUL terminated. */
  readonly device_name: string;
}

export interface DmarSatcSpec {
  readonly segment?: number;
  readonly atc_required?: boolean;
  readonly flags?: number;
  readonly scopes?: readonly DmarDevScopeSpec[];
}

/**
 * A DMAR table as a plain object, for tests and for boards written in TypeScript.
 * Structures are written grouped by type in the order the VT-d spec lists them:
 * DRHD, RMRR, ATSR, RHSA, ANDD, SATC.
 */
export interface DmarTableSpec {
  /** Default 1. */
  readonly revision?: number;
  /** Up to 6 characters, space padded. Default `"KEMU  "`. */
  readonly oem_id?: string;
  /** Up to 8 characters, space padded. Default `"KEMUDMAR"`. */
  readonly oem_table_id?: string;
  /** Default 1. */
  readonly oem_revision?: number;
  /** Up to 4 characters, space padded. Default `"KEMU"`. */
  readonly asl_compiler_id?: string;
  /** Default 0. */
  readonly asl_compiler_revision?: number;
  /** The real width in bits (stored minus one). Default 39. */
  readonly host_address_width?: number;
  /** DMAR_INTR_REMAP | DMAR_X2APIC_OPT_OUT | DMA_CTRL_PLATFORM_OPT_IN_FLAG. Default 0. */
  readonly flags?: number;
  readonly drhd?: readonly DmarDrhdSpec[];
  readonly rmrr?: readonly DmarRmrrSpec[];
  readonly atsr?: readonly DmarAtsrSpec[];
  readonly rhsa?: readonly DmarRhsaSpec[];
  readonly andd?: readonly DmarAnddSpec[];
  readonly satc?: readonly DmarSatcSpec[];
}

/** A DmarTableSpec with every default filled in: what a parsed table says, minus offsets. */
export interface NormalizedDmarTableSpec {
  readonly revision: number;
  readonly oem_id: string;
  readonly oem_table_id: string;
  readonly oem_revision: number;
  readonly asl_compiler_id: string;
  readonly asl_compiler_revision: number;
  readonly host_address_width: number;
  readonly flags: number;
  readonly drhd: readonly {
    readonly segment: number; readonly reg_base_addr: bigint; readonly include_all: boolean;
    readonly flags: number; readonly size: number; readonly scopes: readonly NormalizedDmarDevScopeSpec[];
  }[];
  readonly rmrr: readonly {
    readonly segment: number; readonly base_address: bigint; readonly end_address: bigint;
    readonly scopes: readonly NormalizedDmarDevScopeSpec[];
  }[];
  readonly atsr: readonly {
    readonly segment: number; readonly all_ports: boolean; readonly flags: number;
    readonly scopes: readonly NormalizedDmarDevScopeSpec[];
  }[];
  readonly rhsa: readonly { readonly base_address: bigint; readonly proximity_domain: number }[];
  readonly andd: readonly { readonly device_number: number; readonly device_name: string }[];
  readonly satc: readonly {
    readonly segment: number; readonly atc_required: boolean; readonly flags: number;
    readonly scopes: readonly NormalizedDmarDevScopeSpec[];
  }[];
}

export interface NormalizedDmarDevScopeSpec {
  readonly entry_type: number;
  readonly enumeration_id: number;
  readonly bus: number;
  readonly path: readonly acpi_dmar_pci_path[];
}

function specError(what: string, detail: string): KemuError {
  return new KemuError('bad-usage', `DMAR table spec: ${what} ${detail}`);
}

function uint(value: unknown, bits: 8 | 16 | 32, what: string): number {
  const max = 2 ** bits - 1;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw specError(what, `must be an integer in 0..${hex(max)}, got ${String(value)}`);
  }
  return value;
}

function u64(value: unknown, what: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > 0xffff_ffff_ffff_ffffn) {
    throw specError(what, `must be a bigint in 0..0xffffffffffffffff, got ${typeof value === 'bigint' ? value : String(value)}`);
  }
  return value;
}

function chars(value: unknown, width: number, what: string): string {
  if (typeof value !== 'string' || value.length > width || [...value].some((c) => c.charCodeAt(0) > 0xff || c.length !== 1)) {
    throw specError(what, `must be a string of at most ${width} single-byte characters, got ${JSON.stringify(value)}`);
  }
  return value.padEnd(width, ' ');
}

/** Combines a raw flags byte with the boolean for its bit 0, refusing a contradiction. */
function flagBit0(flags: number | undefined, bit: boolean | undefined, what: string, bitName: string): number {
  const raw = flags === undefined ? 0 : uint(flags, 8, `${what}.flags`);
  if (bit === false && (raw & 1) !== 0) {
    throw specError(what, `has ${bitName}: false but flags ${hex(raw)} sets bit 0`);
  }
  return bit ? raw | 1 : raw;
}

/** A spec list: undefined means empty; anything but an array of objects is a usage error. */
function list<T>(value: readonly T[] | undefined, what: string): readonly T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw specError(what, `must be an array, got ${describeValue(value)}`);
  value.forEach((entry, i) => {
    if (typeof entry !== 'object' || entry === null) throw specError(`${what}[${i}]`, `must be an object, got ${describeValue(entry)}`);
  });
  return value;
}

function normalizeScopes(scopes: readonly DmarDevScopeSpec[] | undefined, what: string): NormalizedDmarDevScopeSpec[] {
  return list(scopes, `${what}.scopes`).map((s, i) => {
    const w = `${what}.scopes[${i}]`;
    if (!Array.isArray(s.path)) throw specError(w, 'needs a path array of {device, function}');
    if (SCOPE_FIXED + s.path.length * PATH_SIZE > 0xff) {
      throw specError(w, `has ${s.path.length} path entries, more than fit in a u8 entry length`);
    }
    return {
      entry_type: uint(s.entry_type, 8, `${w}.entry_type`),
      enumeration_id: uint(s.enumeration_id ?? 0, 8, `${w}.enumeration_id`),
      bus: uint(s.bus, 8, `${w}.bus`),
      path: s.path.map((p, j) => ({
        device: uint(p.device, 8, `${w}.path[${j}].device`),
        function: uint(p.function, 8, `${w}.path[${j}].function`),
      })),
    };
  });
}

/** Fills in every default of a spec and checks its values; throws KemuError 'bad-usage'. */
export function normalizeDmarTableSpec(spec: DmarTableSpec): NormalizedDmarTableSpec {
  if (typeof spec !== 'object' || spec === null) throw specError('spec', `must be an object, got ${describeValue(spec)}`);
  const haw = spec.host_address_width ?? 39;
  if (typeof haw !== 'number' || !Number.isInteger(haw) || haw < 1 || haw > 256) {
    throw specError('host_address_width', `must be an integer in 1..256 (it is stored minus one in a byte), got ${String(haw)}`);
  }
  return {
    revision: uint(spec.revision ?? 1, 8, 'revision'),
    oem_id: chars(spec.oem_id ?? 'KEMU', 6, 'oem_id'),
    oem_table_id: chars(spec.oem_table_id ?? 'KEMUDMAR', 8, 'oem_table_id'),
    oem_revision: uint(spec.oem_revision ?? 1, 32, 'oem_revision'),
    asl_compiler_id: chars(spec.asl_compiler_id ?? 'KEMU', 4, 'asl_compiler_id'),
    asl_compiler_revision: uint(spec.asl_compiler_revision ?? 0, 32, 'asl_compiler_revision'),
    host_address_width: haw,
    flags: uint(spec.flags ?? 0, 8, 'flags'),
    drhd: list(spec.drhd, 'drhd').map((d, i) => {
      const w = `drhd[${i}]`;
      const flags = flagBit0(d.flags, d.include_all, w, 'include_all');
      return {
        segment: uint(d.segment ?? 0, 16, `${w}.segment`),
        reg_base_addr: u64(d.reg_base_addr, `${w}.reg_base_addr`),
        include_all: (flags & ACPI_DMAR_INCLUDE_ALL) !== 0,
        flags,
        size: uint(d.size ?? 0, 8, `${w}.size`),
        scopes: normalizeScopes(d.scopes, w),
      };
    }),
    rmrr: list(spec.rmrr, 'rmrr').map((m, i) => {
      const w = `rmrr[${i}]`;
      return {
        segment: uint(m.segment ?? 0, 16, `${w}.segment`),
        base_address: u64(m.base_address, `${w}.base_address`),
        end_address: u64(m.end_address, `${w}.end_address`),
        scopes: normalizeScopes(m.scopes, w),
      };
    }),
    atsr: list(spec.atsr, 'atsr').map((a, i) => {
      const w = `atsr[${i}]`;
      const flags = flagBit0(a.flags, a.all_ports, w, 'all_ports');
      return {
        segment: uint(a.segment ?? 0, 16, `${w}.segment`),
        all_ports: (flags & ACPI_DMAR_ALL_PORTS) !== 0,
        flags,
        scopes: normalizeScopes(a.scopes, w),
      };
    }),
    rhsa: list(spec.rhsa, 'rhsa').map((h, i) => ({
      base_address: u64(h.base_address, `rhsa[${i}].base_address`),
      proximity_domain: uint(h.proximity_domain ?? 0, 32, `rhsa[${i}].proximity_domain`),
    })),
    andd: list(spec.andd, 'andd').map((n, i) => {
      const w = `andd[${i}]`;
      const name = n.device_name;
      if (typeof name !== 'string' || name.includes('\0') ||
          [...name].some((c) => c.charCodeAt(0) > 0xff || c.length !== 1) ||
          ANDD_FIXED + name.length + 1 > 0xffff) {
        throw specError(`${w}.device_name`, `must be a string of single-byte characters without NUL, got ${JSON.stringify(name)}`);
      }
      return { device_number: uint(n.device_number, 8, `${w}.device_number`), device_name: name };
    }),
    satc: list(spec.satc, 'satc').map((s, i) => {
      const w = `satc[${i}]`;
      const flags = flagBit0(s.flags, s.atc_required, w, 'atc_required');
      return {
        segment: uint(s.segment ?? 0, 16, `${w}.segment`),
        atc_required: (flags & 1) !== 0,
        flags,
        scopes: normalizeScopes(s.scopes, w),
      };
    }),
  };
}

/** The spec a parsed table corresponds to: `encodeDmarTable(toDmarTableSpec(t))` rebuilds `t`. */
export function toDmarTableSpec(table: acpi_table_dmar): NormalizedDmarTableSpec {
  const scopes = (list: readonly dmar_dev_scope[]): NormalizedDmarDevScopeSpec[] =>
    list.map((s) => ({
      entry_type: s.entry_type,
      enumeration_id: s.enumeration_id,
      bus: s.bus,
      path: s.path.map((p) => ({ device: p.device, function: p.function })),
    }));
  const h = table.header;
  return {
    revision: h.revision,
    oem_id: h.oem_id,
    oem_table_id: h.oem_table_id,
    oem_revision: h.oem_revision,
    asl_compiler_id: h.asl_compiler_id,
    asl_compiler_revision: h.asl_compiler_revision,
    host_address_width: table.host_address_width,
    flags: table.flags,
    drhd: table.drhd.map((d) => ({
      segment: d.segment, reg_base_addr: d.reg_base_addr, include_all: d.include_all,
      flags: d.flags, size: d.size, scopes: scopes(d.scopes),
    })),
    rmrr: table.rmrr.map((m) => ({
      segment: m.segment, base_address: m.base_address, end_address: m.end_address, scopes: scopes(m.scopes),
    })),
    atsr: table.atsr.map((a) => ({ segment: a.segment, all_ports: a.all_ports, flags: a.flags, scopes: scopes(a.scopes) })),
    rhsa: table.rhsa.map((x) => ({ base_address: x.base_address, proximity_domain: x.proximity_domain })),
    andd: table.andd.map((n) => ({ device_number: n.device_number, device_name: n.device_name })),
    satc: table.satc.map((s) => ({ segment: s.segment, atc_required: s.atc_required, flags: s.flags, scopes: scopes(s.scopes) })),
  };
}

/** Little-endian byte builder for the writer. */
class ByteWriter {
  readonly bytes: number[] = [];

  get length(): number {
    return this.bytes.length;
  }

  u8(v: number): this {
    this.bytes.push(v & 0xff);
    return this;
  }

  u16(v: number): this {
    return this.u8(v).u8(v >>> 8);
  }

  u32(v: number): this {
    return this.u16(v & 0xffff).u16(v >>> 16);
  }

  u64(v: bigint): this {
    for (let i = 0n; i < 64n; i += 8n) this.u8(Number((v >> i) & 0xffn));
    return this;
  }

  chars(s: string): this {
    for (let i = 0; i < s.length; i++) this.u8(s.charCodeAt(i));
    return this;
  }

  zeros(n: number): this {
    for (let i = 0; i < n; i++) this.u8(0);
    return this;
  }

  patchU16(at: number, v: number): void {
    this.bytes[at] = v & 0xff;
    this.bytes[at + 1] = (v >>> 8) & 0xff;
  }

  patchU32(at: number, v: number): void {
    this.patchU16(at, v & 0xffff);
    this.patchU16(at + 2, v >>> 16);
  }
}

function writeScopes(w: ByteWriter, scopes: readonly NormalizedDmarDevScopeSpec[]): void {
  for (const s of scopes) {
    w.u8(s.entry_type).u8(SCOPE_FIXED + s.path.length * PATH_SIZE).u16(0).u8(s.enumeration_id).u8(s.bus);
    for (const p of s.path) w.u8(p.device).u8(p.function);
  }
}

/** Writes one remapping structure: header, then `body`, then patches the length in. */
function writeStructure(w: ByteWriter, type: number, what: string, body: () => void): void {
  const start = w.length;
  w.u16(type).u16(0);
  body();
  const length = w.length - start;
  if (length > 0xffff) throw specError(what, `is ${hex(length)} bytes long, more than a DMAR structure length (u16) holds`);
  w.patchU16(start + 2, length);
}

/**
 * Writes a DMAR table from a plain-object spec, with the length and checksum
 * filled in. `parseDmarTable(encodeDmarTable(spec))` gives back the spec
 * (`toDmarTableSpec` of it equals `normalizeDmarTableSpec(spec)`). Throws
 * KemuError 'bad-usage' for a value that does not fit its field.
 */
export function encodeDmarTable(spec: DmarTableSpec): Uint8Array {
  const s = normalizeDmarTableSpec(spec);
  const w = new ByteWriter();
  w.chars(ACPI_SIG_DMAR).u32(0).u8(s.revision).u8(0)
    .chars(s.oem_id).chars(s.oem_table_id).u32(s.oem_revision)
    .chars(s.asl_compiler_id).u32(s.asl_compiler_revision)
    .u8(s.host_address_width - 1).u8(s.flags).zeros(10);

  s.drhd.forEach((d, i) => writeStructure(w, ACPI_DMAR_TYPE_HARDWARE_UNIT, `drhd[${i}]`, () => {
    w.u8(d.flags).u8(d.size).u16(d.segment).u64(d.reg_base_addr);
    writeScopes(w, d.scopes);
  }));
  s.rmrr.forEach((m, i) => writeStructure(w, ACPI_DMAR_TYPE_RESERVED_MEMORY, `rmrr[${i}]`, () => {
    w.u16(0).u16(m.segment).u64(m.base_address).u64(m.end_address);
    writeScopes(w, m.scopes);
  }));
  s.atsr.forEach((a, i) => writeStructure(w, ACPI_DMAR_TYPE_ROOT_ATS, `atsr[${i}]`, () => {
    w.u8(a.flags).u8(0).u16(a.segment);
    writeScopes(w, a.scopes);
  }));
  s.rhsa.forEach((h, i) => writeStructure(w, ACPI_DMAR_TYPE_HARDWARE_AFFINITY, `rhsa[${i}]`, () => {
    w.u32(0).u64(h.base_address).u32(h.proximity_domain);
  }));
  s.andd.forEach((n, i) => writeStructure(w, ACPI_DMAR_TYPE_NAMESPACE, `andd[${i}]`, () => {
    w.zeros(3).u8(n.device_number).chars(n.device_name).u8(0);
  }));
  s.satc.forEach((x, i) => writeStructure(w, ACPI_DMAR_TYPE_SATC, `satc[${i}]`, () => {
    w.u8(x.flags).u8(0).u16(x.segment);
    writeScopes(w, x.scopes);
  }));

  w.patchU32(4, w.length);
  let sum = 0;
  for (const b of w.bytes) sum = (sum + b) & 0xff;
  w.bytes[9] = (0x100 - sum) & 0xff;
  return Uint8Array.from(w.bytes);
}
