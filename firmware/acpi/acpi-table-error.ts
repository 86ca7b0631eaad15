/**
 * The error the ACPI table readers throw for a malformed table. Emulator machinery,
 * not a kernel model: the kernel reacts to a bad table with an errno and a
 * `FW_BUG` line, the emulator refuses to build a machine from it and says where
 * the table is broken.
 */
import { KemuError } from '../../src/kernel/errors.js';

/** Formats a byte offset or length the way the messages print them: `0x30`. */
export function hex(value: number): string {
  return `0x${value.toString(16)}`;
}

export class AcpiTableError extends KemuError {
  /**
   * @param table the table signature, e.g. `DMAR`
   * @param structure what was being read, e.g. `DRHD`, `device scope`, `table header`
   * @param offset byte offset of that structure (or field) from the start of the table
   * @param detail the message after the `<table>: ` prefix
   */
  constructor(
    readonly table: string,
    readonly structure: string,
    readonly offset: number,
    readonly detail: string,
    /** The file the table was read from, when known. */
    readonly source?: string,
  ) {
    super('bad-firmware', `${table}${source === undefined ? '' : ` ${source}`}: ${detail}`);
    this.name = 'AcpiTableError';
  }

  /** The same error, naming the file the table was read from. */
  withSource(source: string): AcpiTableError {
    return new AcpiTableError(this.table, this.structure, this.offset, this.detail, source);
  }
}
