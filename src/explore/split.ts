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
 * not talk); for the worker threads of one search, whichever claims it first
 * in a shared array (a work queue without messages: a worker that finishes a
 * big subtree takes the next unclaimed leaf). Either way every leaf is
 * explored by exactly one part.
 */
import type { Shard } from './strategy.js';

/** Weight at which the top of the tree ends: at least this many leaves once the tree branches that much. */
export const SPLIT_WEIGHT = 65_536;

/** Decides, leaf by leaf, whether this part of the search explores it. */
export class LeafOwnership {
  constructor(private readonly shard: Shard | null) {}

  /** Whether this part explores leaf `ordinal` (numbered from 0, in the order of one search). */
  owns(ordinal: number): boolean {
    const shard = this.shard;
    if (shard === null) return true;
    const claims = shard.claims;
    if (claims !== undefined && ordinal < claims.length) return Atomics.compareExchange(claims, ordinal, 0, 1) === 0;
    return ordinal % shard.count === shard.index;
  }
}
