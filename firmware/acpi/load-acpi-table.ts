/**
 * Reads a binary ACPI table (an iasl `.aml` data table, or a dump from
 * /sys/firmware/acpi/tables) from disk. The only file I/O of the firmware/acpi
 * readers: everything else works on the returned bytes.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KemuError } from '../../src/kernel/errors.js';

/** Loads the bytes of an ACPI table file; throws KemuError 'bad-usage' if it cannot be read. */
export function loadAcpiTableFile(path: string | URL): Uint8Array {
  const shown = path instanceof URL ? (path.protocol === 'file:' ? fileURLToPath(path) : path.href) : path;
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new KemuError('bad-usage', `cannot read ACPI table file ${shown}: ${reason}`, { cause });
  }
  // A plain Uint8Array copy: no Buffer pool sharing, no Buffer-only methods leaking out.
  return new Uint8Array(data);
}
