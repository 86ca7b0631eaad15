/**
 * DI tokens for composing a machine. Each layer's container module binds what
 * it provides: initcalls (multi-bound), and the per-run subsystems boot must
 * construct before the first initcall. Tokens of one layer (the IOMMU core's
 * strategies) live in that layer (src/iommu/tokens.ts).
 */
import type { Initcall } from './initcall.js';

/** An initcall (multi-bound): what do_initcalls() runs, by level, in binding order within a level. */
export const INITCALL = Symbol.for('kemu.machine.initcall') as symbol & { __type?: Initcall };

/**
 * A subsystem whose per-run state must exist before the first initcall
 * (multi-bound). Resolving it constructs it inside the run, which installs its
 * run-local state.
 */
export const SUBSYSTEM = Symbol.for('kemu.machine.subsystem') as symbol & { __type?: Subsystem };

/** The kernel command line (multi-bound: each binding's parameters are parsed in order; see cmdline.ts). */
export const KERNEL_CMDLINE = Symbol.for('kemu.machine.cmdline') as symbol & { __type?: string };

/** The kernel variant being booted (a constant binding). */
export const KERNEL_VARIANT = Symbol.for('kemu.machine.variant') as symbol & { __type?: string };

export interface Subsystem {
  readonly subsystem: string;
}
