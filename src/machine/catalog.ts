/**
 * What the kemu command can run: boards to boot, named scenarios, drivers the
 * firmware loaders bind, kernel variants. Plug-ins provide them: the built-in
 * one (catalog/builtin.ts, the defconfig) and a user's own (`kemu --load`,
 * kemu.config.js) alike, so the core never imports a specific driver or board.
 */
import type { ContainerModule } from '../inversify.js';
import type { Scenario } from '../explore/run-schedule.js';
import type { StrategySpec } from '../explore/strategy.js';
import type { KernelVariant } from './kernel-variants.js';
import type { ParameterValues, Parameters } from './parameters.js';

/** A board: firmware plus the buses and drivers that boot on it. */
export interface BoardEntry {
  readonly name: string;
  readonly summary: string;
  /** Variants this board is meant to boot, in history order (what `kemu bisect` walks). */
  readonly variants: readonly string[];
  readonly defaultVariant: string;
  /** The scenario that boots the board on a kernel variant. */
  boot(variant: string): Scenario;
  /** How `kemu run` and `kemu bisect` explore its boot when the user does not say (default: `default`, the staged search). */
  readonly strategy?: StrategySpec;
  /**
   * Schedules after which `kemu run` and `kemu bisect` stop when the user does
   * not say: a search it stops found what it found, but covered only part of
   * the space (its row is not exhausted).
   */
  readonly maxSchedules?: number;
}

/** A named reproduction or check, such as `qi-zero-count`. */
export interface ScenarioEntry<P extends Parameters = Parameters> {
  readonly name: string;
  readonly summary: string;
  /** Variants it runs on; empty if it does not depend on the kernel variant (defaultVariant is then ''). */
  readonly variants: readonly string[];
  readonly defaultVariant: string;
  /** What its user may choose (parameters.ts): options of `kemu run`, values for `build`. */
  readonly parameters?: P;
  /** The scenario on a variant, with every parameter's value (the defaults where none was given). */
  build(variant: string, params: ParameterValues<P>): Scenario;
  /** How `kemu run` explores it by default. */
  readonly strategy?: StrategySpec;
  /** Names the story gives its tasks, by comm (`cpu0` is the patch's `T1`): timelines show both. */
  readonly taskNames?: Readonly<Record<string, string>>;
}

/** One story of the demo `kemu` runs with no arguments: a bug found on one target, and its fix verified on another. */
export interface DemoStory {
  readonly title: string;
  /** A few lines a newcomer can read: what the bug is and where it came from. */
  readonly intro: string;
  readonly buggy: { readonly name: string; readonly variant?: string };
  readonly fixed: { readonly name: string; readonly variant?: string };
}

/**
 * A driver a firmware file can bind, as a module with its aliases: the
 * kernel's modules.alias lists, from each driver's MODULE_DEVICE_TABLE, the
 * compatibles it handles, and booting a device tree loads the drivers whose
 * compatibles its nodes name.
 */
export interface DriverEntry {
  readonly name: string;
  readonly summary: string;
  /** The device tree compatibles it binds (its of_match_table). */
  readonly compatible: readonly string[];
  /** The kernel variants it is meant to boot on, in history order (default: every built-in variant). */
  readonly variants?: readonly string[];
  /** Its container modules for a kernel variant (the initcall that registers it, its variant bindings). */
  modules(variant: string): readonly ContainerModule[];
}

/**
 * A board, scenario or driver a plug-in names without loading it, as
 * modules.alias names a module request_module() loads on demand: `kemu run
 * qi-zero-count` imports the VT-d model and nothing of the other boards.
 * `load()` must resolve to the entry of that name.
 */
export interface LazyEntry<T> {
  readonly name: string;
  load(): Promise<T>;
}

/** Which firmware file a loader reads: `--dtb`, `--dts` or `--dmar`. */
export type FirmwareKind = 'dtb' | 'dts' | 'dmar';

/** Makes the board a firmware file describes, binding the catalog's drivers by what the file names (it may import its reader then). */
export interface FirmwareLoader {
  readonly kind: FirmwareKind;
  board(path: string, drivers: readonly DriverEntry[]): BoardEntry | Promise<BoardEntry>;
}

/**
 * What a plug-in module default-exports (see definePlugin): any of boards,
 * scenarios, drivers (each given whole or as a LazyEntry), kernel variants
 * (each defined with defineKernelVariant), firmware loaders, demo stories,
 * and further plug-ins.
 */
export interface KemuPlugin {
  /** Names the plug-in in messages (`board "x" of my-boards is already defined by kemu`). */
  readonly name: string;
  readonly boards?: readonly (BoardEntry | LazyEntry<BoardEntry>)[];
  readonly scenarios?: readonly (ScenarioEntry | LazyEntry<ScenarioEntry>)[];
  readonly drivers?: readonly (DriverEntry | LazyEntry<DriverEntry>)[];
  readonly variants?: readonly KernelVariant[];
  readonly firmware?: readonly FirmwareLoader[];
  readonly demo?: readonly DemoStory[];
  readonly plugins?: readonly KemuPlugin[];
}

/**
 * Everything the loaded plug-ins provide, and where they came from (their
 * kernel variants are known to findVariant). Boards, scenarios and drivers
 * are known by name and loaded when a command needs them.
 */
export interface Catalog {
  readonly boards: readonly LazyEntry<BoardEntry>[];
  readonly scenarios: readonly LazyEntry<ScenarioEntry>[];
  readonly drivers: readonly LazyEntry<DriverEntry>[];
  readonly firmware: readonly FirmwareLoader[];
  readonly demo: readonly DemoStory[];
  /** The modules (URLs) the plug-ins were loaded from, in order: worker threads load the same. */
  readonly sources: readonly string[];
}
