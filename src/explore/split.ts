/**
 * How a systematic search splits into parts that shards (machines) and worker
 * threads explore apart and whose results merge into exactly one search's.
 *
 * The top of the search tree is its region of few alternatives: a decision is
 * in it while the product of the alternatives of the decisions above it (its
 * weight) is below SPLIT_WEIGHT. A forced decision (one alternative) does not
 * add to the weight, so the split falls where the tree has branched enough,
 * not at a fixed depth. Every part walks the top the same way, in the same
 * order; the subtree below each top path (a leaf of the top) belongs to one
 * part, which explores it whole, while the others stop there. Leaves are
 * numbered in the order one search meets them, and a run's place in the
 * single-threaded order is [its leaf, its run within the leaf].
 *
 * Which part owns a leaf: for shards, leaf % count (fixed, so machines need
 * not talk), or whichever shard claims it first in a directory they share
 * (claim-directory.ts); for the worker threads of one search, whichever
 * claims it first in a shared array (a work queue without messages: a worker
 * that finishes a big subtree takes the next unclaimed leaf). Either way
 * every leaf is explored by exactly one part, which the merge checks: the
 * parts' owned leaves add up to the leaves each met (LeafCounts).
 */
import { ClaimDirectory } from './claim-directory.js';
import type { Shard } from './strategy.js';

/** Weight at which the top of the tree ends: at least this many leaves once the tree branches that much. */
export const SPLIT_WEIGHT = 65_536;

/** Leaves of the tree's top one part of a split search met, and how many of them it explored. */
export interface LeafCounts {
  readonly met: number;
  readonly owned: number;
}

/** Decides, leaf by leaf, whether this part of the search explores it. */
export class LeafOwnership {
  private readonly directory: ClaimDirectory | null;
  private met = 0;
  private owned = 0;

  constructor(private readonly shard: Shard | null) {
    this.directory = shard?.claimDirectory ? new ClaimDirectory(shard.claimDirectory, shard.index) : null;
  }

  /** Whether this part explores leaf `ordinal` (numbered from 0, in the order of one search); asked once per leaf. */
  owns(ordinal: number): boolean {
    this.met++;
    const owned = this.decide(ordinal);
    if (owned) this.owned++;
    return owned;
  }

  /** The leaves met and explored so far; null for a search that is not split. */
  counts(): LeafCounts | null {
    return this.shard === null ? null : { met: this.met, owned: this.owned };
  }

  private decide(ordinal: number): boolean {
    const shard = this.shard;
    if (shard === null) return true;
    if (this.directory !== null) return this.directory.claim(ordinal);
    const claims = shard.claims;
    if (claims !== undefined && ordinal < claims.length) return Atomics.compareExchange(claims, ordinal, 0, 1) === 0;
    return ordinal % shard.count === shard.index;
  }
}
