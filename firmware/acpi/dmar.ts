/**
 * The DMAR table as the firmware hands it to the kernel: a board supplies it
 * as the binary table (an iasl `.aml`, read with loadAcpiTableFile) or as a
 * TypeScript object (a DmarTableSpec, encoded to the same bytes), and the
 * kernel side (drivers/iommu/intel) finds it with acpi_get_table_dmar(), as
 * dmar_table_detect() does with acpi_get_table(ACPI_SIG_DMAR).
 *
 * The table object goes through the binary writer and reader, so a board
 * written in TypeScript is checked exactly as a firmware table would be.
 */
import { ContainerModule } from '../../src/inversify.js';
import { RunLocal } from '../../src/base/run-local.js';
import { SUBSYSTEM, type Subsystem } from '../../src/machine/tokens.js';
import { encodeDmarTable, parseDmarTable, type acpi_table_dmar, type DmarTableSpec } from './dmar-table.js';

/** The DMAR table of the running machine; null when the firmware has none. */
export const acpi_dmar_table = new RunLocal<acpi_table_dmar | null>('the ACPI DMAR table', () => null);

/** Models acpi_get_table(ACPI_SIG_DMAR, …) as dmar_table_detect() calls it (drivers/iommu/intel/dmar.c, v6.5). */
export function acpi_get_table_dmar(): acpi_table_dmar | null {
  return acpi_dmar_table.get();
}

/** The parsed table of a board's DMAR source: the binary table, or a table written as an object. */
export function dmarTableFrom(source: Uint8Array | DmarTableSpec): acpi_table_dmar {
  return parseDmarTable(source instanceof Uint8Array ? source : encodeDmarTable(source));
}

/** A board's DMAR table, installed for the kernel before the first initcall (the firmware is there from power-on). */
export function dmarFirmwareModule(source: Uint8Array | DmarTableSpec): ContainerModule {
  const table = dmarTableFrom(source);
  return new ContainerModule(({ bind }) => {
    bind<Subsystem>(SUBSYSTEM).toDynamicValue(() => {
      acpi_dmar_table.set(table);
      return { subsystem: `ACPI DMAR (${table.drhd.length} DRHD, ${table.rmrr.length} RMRR)` };
    });
  });
}
