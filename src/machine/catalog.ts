/**
 * What the kemu command can run: boards to boot and named scenarios. The
 * built-in catalog is assembled outside src/ (catalog/builtin.ts, the
 * defconfig), so the core never imports a specific driver or board; a user's
 * own catalog plugs in the same way.
 */
import type { Scenario } from '../explore/run-schedule.js';
import type { StrategySpec } from '../explore/strategy.js';

/** A board: firmware plus the buses and drivers that boot on it. */
export interface BoardEntry {
  readonly name: string;
  readonly summary: string;
  /** Variants this board is meant to boot, in history order (what `kemu bisect` walks). */
  readonly variants: readonly string[];
  readonly defaultVariant: string;
  /** The scenario that boots the board on a kernel variant. */
  boot(variant: string): Scenario;
  /** How `kemu run` and `kemu bisect` explore its boot when the user does not say (default: dpor). */
  readonly strategy?: StrategySpec;
}

/** A named reproduction or check, such as `qi-zero-count`. */
export interface ScenarioEntry {
  readonly name: string;
  readonly summary: string;
  /** Variants it runs on; empty if it does not depend on the kernel variant (defaultVariant is then ''). */
  readonly variants: readonly string[];
  readonly defaultVariant: string;
  build(variant: string): Scenario;
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

export interface Catalog {
  readonly boards: readonly BoardEntry[];
  readonly scenarios: readonly ScenarioEntry[];
  readonly demo?: readonly DemoStory[];
  /**
   * How worker threads reach this catalog for parallel exploration: a module
   * (URL) exporting `factory(name, variant)`, which returns the scenario.
   */
  readonly workerSource?: { readonly module: string; readonly factory: string };
}
