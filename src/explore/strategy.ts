/**
 * An exploration strategy: a chooser for each run, and a decision after each
 * run about whether there is more to explore.
 */
import type { Chooser, Kernel, RunOutcome } from '../kernel/kernel.js';
import type { ClaimSpec } from './claim-directory.js';
import type { LeafCounts } from './split.js';

export interface Strategy {
  /** As the result and the CLI print it: `dpor`, `random(seed=1)`. */
  readonly name: string;
  /** True if running out of runs means the whole (bounded) space was covered. */
  readonly exhaustive: boolean;
  /** Prepares the next run; false when there is nothing left to run. */
  beginRun(): boolean;
  /** The chooser for the run `beginRun` prepared. */
  readonly chooser: Chooser;
  endRun(outcome: RunOutcome, kernel: Kernel): void;
  /** Whether the run just made belongs to this shard, counted or cut (runs outside it only map the space). */
  runCounts(): boolean;
  /** The run's place in the single-threaded order, compared lexicographically (ties between shards). */
  runOrder(): number[];
  /** A split systematic search: the leaves of its tree's top met and explored (split.ts); null when not split. */
  leafCounts?(): LeafCounts | null;
}

/** One of `count` deterministic parts of an exploration (0-based `index`). */
export interface Shard {
  readonly index: number;
  readonly count: number;
  /**
   * For the worker threads of one search: one slot per leaf of the tree's top
   * (split.ts), shared by all; a leaf goes to the part that claims it first
   * instead of to leaf % count. Leaves beyond its length go by leaf % count.
   */
  readonly claims?: Int32Array;
  /**
   * For the worker threads of one search: the schedules all its parts have
   * counted (one 64-bit count), so that a schedule limit holds for the
   * search and not for each part.
   */
  readonly counted?: BigInt64Array;
  /**
   * For shards in processes that share a directory (claim-directory.ts): a
   * leaf goes to the shard that claims it first there instead of to leaf %
   * count. Systematic searches only.
   */
  readonly claimDirectory?: ClaimSpec;
}

/** Which strategy to explore with, as a user asks for it. */
export type StrategySpec =
  /** Every schedule with at most 0, 1 and 2 preemptions (each bound within `budget` schedules), then DPOR (staged-search.ts). */
  | 'default'
  | { kind: 'default'; bounds?: readonly number[]; budget?: number }
  | 'dpor'
  | 'exhaustive'
  | { kind: 'dpor' }
  | { kind: 'exhaustive' }
  | { kind: 'bounded'; preemptions: number }
  | { kind: 'random'; seed?: number; runs?: number }
  | { kind: 'pct'; depth?: number; seed?: number; runs?: number }
  | { kind: 'replay'; token: string };
