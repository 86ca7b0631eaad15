/**
 * The command-line options that say what to run: a kernel variant, the
 * firmware file a board is made from (--dtb, --dts, --dmar) and the options
 * that shape its runs (run-shape.ts), turned into the TargetRequest the
 * command resolves.
 */
import type { Command } from 'commander';
import { firmwareRequest, type TargetRequest } from './targets.js';
import { runShapeOf, type RunShapeFlags } from './run-shape.js';
import type { GivenParameters } from '../machine/parameters.js';

export interface TargetFlags extends RunShapeFlags {
  kernel?: string;
  dtb?: string;
  dts?: string;
  dmar?: string;
}

/** Adds --dtb, --dts and --dmar to a command that takes a board. */
export function firmwareOptions(command: Command): Command {
  return command
    .option('--dtb <file>', 'the board this device tree blob describes, drivers bound by compatible (in place of a name)')
    .option('--dts <file>', 'the same from device tree source, compiled with dtc')
    .option('--dmar <file>', 'an Intel VT-d machine from an ACPI DMAR table (e.g. a copy of /sys/firmware/acpi/tables/DMAR)');
}

/** The request of a command's name argument and flags, with the program's --load list and the scenario parameters given. */
export function targetRequest(name: string | undefined, flags: TargetFlags, load: readonly string[], params?: GivenParameters): TargetRequest {
  return { name, kernel: flags.kernel, firmware: firmwareRequest(flags), load, shape: runShapeOf(flags), ...(params ? { params } : {}) };
}
