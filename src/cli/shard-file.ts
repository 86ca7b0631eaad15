/**
 * The file one shard of an exploration prints (`kemu explore … --shard i/n`)
 * and `kemu merge` reads back: written as JSON, read through a schema, so a
 * truncated, hand-edited or foreign file is refused with the path and the
 * field that is wrong instead of failing somewhere inside the merge.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { KemuError } from '../kernel/errors.js';
import { grouped } from '../kernel/grouped.js';
import type { SearchResult } from '../explore/explore.js';
import type { Shard } from '../explore/strategy.js';
import type { Target, TargetRequest } from './targets.js';

const count = z.number().int().nonnegative();

const searchResult = z.object({
  strategy: z.string(),
  exhaustiveStrategy: z.boolean(),
  schedules: count,
  pruned: count,
  stepBounded: count,
  stoppedBy: z.enum(['exhausted', 'runs-done', 'schedule-limit', 'time-limit', 'first-failure', 'interrupted']),
  found: z.array(z.object({
    signature: z.string(),
    token: z.string().startsWith('k1.'),
    preemptions: count,
    order: z.array(z.number()),
    firstSchedule: count,
    firstAt: z.object({ leaf: count, before: count }).optional(),
    occurrences: count,
  })),
  maxSteps: count,
  elapsedMs: z.number().nonnegative(),
  pct: z.object({ depth: count, tasks: count, steps: count, runs: count, longer: count }).optional(),
  notValidated: z.array(z.string()),
  cuts: z.object({ sleepBlocked: count, infeasible: count, redundant: count }).optional(),
  coverage: z.array(z.object({ what: z.string(), schedules: count, complete: z.boolean() })).optional(),
  twins: z.array(z.array(z.string())).optional(),
  leaves: z.object({ met: count, owned: count }).optional(),
  leafRuns: z.array(z.tuple([count, count])).optional(),
}) satisfies z.ZodType<SearchResult>;

/** The options that shaped the runs (run-shape.ts): the merged failures are replayed with them. */
const runShape = z.object({
  lockdep: z.object({ enabled: z.boolean().optional(), validateDeviceMutex: z.union([z.boolean(), z.enum(['device', 'driver', 'bus'])]).optional() }),
  maxSteps: count.optional(),
});

/** What the command line asked for (targets.ts): merge resolves the target from it and replays with its run shape. */
const targetRequest = z.object({
  name: z.string().min(1).optional(),
  kernel: z.string().optional(),
  firmware: z.object({ kind: z.enum(['dtb', 'dts', 'dmar']), path: z.string().min(1) }).optional(),
  load: z.array(z.string()).readonly().optional(),
  shape: runShape.optional(),
  // Checked again by the scenario's declarations when merge resolves the target.
  params: z.record(z.string(), z.union([z.number(), z.boolean(), z.array(z.number()).readonly()])).readonly().optional(),
}) satisfies z.ZodType<TargetRequest>;

const shardFile = z.object({
  kemu: z.literal('shard'),
  target: z.object({ name: z.string().min(1), variant: z.string(), request: targetRequest }),
  /** `claims`: the directory the shards claimed their leaves in (--claims). */
  shard: z.object({ index: count, count: z.number().int().positive(), claims: z.string().optional() }).refine((s) => s.index < s.count, 'index must be below count'),
  result: searchResult,
});

export type ShardFile = z.infer<typeof shardFile>;

/** The shard file of `result`, one shard of exploring `target`. */
export function shardFileOf(target: Target, shard: Shard, result: SearchResult): ShardFile {
  const { index, count, claimDirectory } = shard;
  return {
    kemu: 'shard', target: { name: target.name, variant: target.variant, request: target.request },
    shard: { index, count, ...(claimDirectory ? { claims: claimDirectory.directory } : {}) }, result,
  };
}

/** Reads and checks one shard file; every problem is a KemuError naming the file and the field. */
export function readShardFile(path: string): ShardFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new KemuError('bad-usage', `${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new KemuError('bad-usage', `${path}: not a kemu shard result: not JSON (${(error as Error).message})`);
  }
  const parsed = shardFile.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ');
    throw new KemuError('bad-usage', `${path}: not a kemu shard result (${problems}); make one with \`npx kemu explore <name> --shard i/n > shard-i.json\``);
  }
  return parsed.data;
}

/** How a shard that did not finish its part ended, as its note says it. */
const UNFINISHED: Partial<Record<SearchResult['stoppedBy'], string>> = {
  'interrupted': 'was interrupted',
  'time-limit': 'was stopped by its --time-limit',
  'schedule-limit': 'was stopped by its --max-schedules',
  'first-failure': 'stopped at its first failure (--first)',
};

/**
 * One note per shard that did not explore its whole part, naming its file
 * and how it ended: the merge covers only the schedules it ran, and a CI
 * matrix job that was cancelled or timed out is the one to run again.
 */
export function unfinishedShardNotes(files: readonly (ShardFile & { path: string })[]): string[] {
  return files.flatMap(({ path, shard, result }) => {
    const how = UNFINISHED[result.stoppedBy];
    if (how === undefined) return [];
    const again = result.stoppedBy === 'first-failure' ? '' : '; explore that shard again to cover the rest of it';
    return [`kemu: shard ${shard.index + 1}/${shard.count} (${path}) ${how} after ${grouped(result.schedules)} schedule${result.schedules === 1 ? '' : 's'}: ` +
      `the merge covers only what it ran${again}`];
  });
}
