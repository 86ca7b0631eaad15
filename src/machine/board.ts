/**
 * Defining a board: its name, the variants it is meant to boot (history
 * order), and the container modules it needs (firmware, buses, drivers, in
 * link order). src/ never names a board: boards live in boards/*.ts
 * and hand their modules in through this.
 */
import type { ContainerModule } from '../inversify.js';
import { KemuError } from '../kernel/errors.js';
import type { BoardEntry } from './catalog.js';
import type { StrategySpec } from '../explore/strategy.js';
import { findVariant } from './kernel-variants.js';
import { bootScenario, kernelModules } from './machine.js';

export interface BoardSpec {
  readonly name: string;
  readonly summary: string;
  readonly variants: readonly string[];
  readonly defaultVariant?: string;
  /** How its boot is explored by default, when full DPOR is too large to exhaust. */
  readonly strategy?: StrategySpec;
  /** Schedules after which its default exploration stops (BoardEntry.maxSchedules). */
  readonly maxSchedules?: number;
  /** The board's modules for a variant (firmware, buses, drivers), in link order. */
  modules(variant: string): readonly ContainerModule[];
}

/** A board definition the catalog, tests and bisect can use. */
export interface Board extends BoardEntry {
  /** Every container module of the machine for a variant (kernel first). */
  machineModules(variant: string): ContainerModule[];
}

export function defineBoard(spec: BoardSpec): Board {
  for (const v of spec.variants) findVariant(v);
  const defaultVariant = spec.defaultVariant ?? spec.variants[spec.variants.length - 1]!;
  const machineModules = (variant: string): ContainerModule[] => {
    if (!spec.variants.includes(variant)) findVariant(variant);
    return [...kernelModules(variant), ...spec.modules(variant)];
  };
  return {
    name: spec.name,
    summary: spec.summary,
    variants: spec.variants,
    defaultVariant,
    ...(spec.strategy ? { strategy: spec.strategy } : {}),
    ...(spec.maxSchedules !== undefined ? { maxSchedules: spec.maxSchedules } : {}),
    machineModules,
    boot(variant: string) {
      if (typeof variant !== 'string') throw new KemuError('bad-usage', `${spec.name}.boot(variant): variant must be a name`);
      const modules = machineModules(variant);
      return bootScenario(() => modules);
    },
  };
}
