/**
 * The explorer's entry points: `explore` runs a scenario under a strategy and
 * returns what it found; `replay` reruns one schedule from its token.
 */
import { KemuError } from '../kernel/errors.js';
import { TaskIdentities } from '../kernel/sched/task-identities.js';
import type { Chooser, Kernel, RunOutcome } from '../kernel/kernel.js';
import type { LockdepOptions } from '../kernel/lockdep/lockdep.js';
import type { FaultPlan } from '../kernel/fault-inject.js';
import { OptimalDpor, type DporStats } from './optimal-dpor.js';
import { StagedSearch, type StageCoverage } from './staged-search.js';
import { ExhaustiveSearch, PreemptionBoundedSearch } from './exhaustive.js';
import { PctSearch, mergePctStats, pctBound, type PctStats } from './pct.js';
import { RandomWalk } from './random-walk.js';
import { SeededRuns } from './seeded-runs.js';
import { ReplayChooser } from './replay.js';
import { SPLIT_WEIGHT, type LeafCounts } from './split.js';
import type { CapturedRun, ExploreProgress, ExploreResult, Failure, StopReason } from './result.js';
import { runSchedule, type RunSettings, type Scenario } from './run-schedule.js';
import { ScheduleRecorder } from './schedule.js';
import { shrinkPreemptions } from './shrink.js';
import type { Shard, Strategy, StrategySpec } from './strategy.js';
import { encodeToken, toSegments } from './token.js';
import { wallNow, yieldToEventLoop } from './wall-clock.js';

export interface ExploreOptions {
  /** Default: `default` (the schedules with few preemptions first, then DPOR over everything; staged-search.ts). */
  strategy?: StrategySpec;
  /** Stop after this many schedules (default: no limit; a search a limit stops says so in stoppedBy). */
  maxSchedules?: number;
  /** Steps allowed in one schedule (default DEFAULT_MAX_STEPS, 20,000). */
  maxSteps?: number;
  /** Stop after this much wall-clock time. */
  timeLimitMs?: number;
  /** Stop at the first failure (default false: collect every distinct failure). */
  stopOnFirstFailure?: boolean;
  /**
   * Explore one execution of each set that differ only by swapping twins
   * (tasks spawned with SpawnOptions.twinOf), for DPOR (default true; see
   * docs/explorer.md, "Symmetric tasks").
   */
  symmetry?: boolean;
  /**
   * Where the top of a systematic search's tree ends (split.ts): the product
   * of the alternatives above a decision. The default suits every search; the
   * parts of a sharded search must all use the same. 1 gives DPOR without a
   * top (the algorithm alone), which cannot be sharded.
   */
  splitWeight?: number;
  /** Shrink each failing schedule towards fewer preemptions (default true). */
  shrink?: boolean;
  lockdep?: LockdepOptions;
  /** Fault injection: which calls of which should_fail() points fail, in every run. */
  faults?: FaultPlan;
  /** Called about twice a second on long explorations. */
  onProgress?: (progress: ExploreProgress) => void;
  /** Called when the search meets a failure it had not seen, with that schedule's token (unshrunk): findings survive a search that is stopped. */
  onFailure?: (found: FoundFailure) => void;
  /** Called after every counted run with its final state and its schedule, the pid of each step (for tools and tests that compare outcomes). */
  onRunEnd?: (kernel: Kernel, outcome: RunOutcome, schedule: readonly number[]) => void;
  /** Explore only this shard's share (split.ts, mergeSearches). Not for the default search. */
  shard?: Shard;
  /** Checked between runs: once aborted, the search stops as 'interrupted' and keeps what it found (Ctrl-C in the CLI). */
  signal?: AbortSignal;
}

/** Throws unless explorations with this strategy can be split into shards (or run in worker threads). */
export function assertShardable(spec: StrategySpec, shard?: Shard): void {
  const kind = typeof spec === 'string' ? spec : spec.kind;
  if (kind === 'default') {
    throw new KemuError('bad-usage', 'the default strategy cannot be sharded: its stages are budgeted over the whole search; ' +
      'shard dpor (every class of schedules), exhaustive, bounded, random or pct instead');
  }
  if (kind === 'replay') throw new KemuError('bad-usage', 'the replay strategy cannot be sharded: it runs one schedule');
  if (shard && !(Number.isInteger(shard.index) && Number.isInteger(shard.count) && shard.index >= 0 && shard.index < shard.count)) {
    throw new KemuError('bad-usage', `shard ${shard.index + 1}/${shard.count} does not exist: shards are numbered 1 to the count`);
  }
  if (shard?.claimDirectory && (kind === 'random' || kind === 'pct')) {
    throw new KemuError('bad-usage', `claimed shards split a systematic search (dpor, exhaustive, bounded) by the leaves of its tree; ${kind} runs are dealt by their number: shard them without claims`);
  }
}

/** The default search's first stages: every schedule with at most this many preemptions. */
const DEFAULT_BOUNDS = [0, 1, 2];
/** Schedules each of those stages may count before the next takes over (what was covered is reported either way). */
const DEFAULT_STAGE_BUDGET = 2000;

/** Refuses a count a strategy cannot work with (a PCT depth of 0, no runs), naming it. */
function atLeastOne(what: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
    throw new KemuError('bad-usage', `${what} must be a whole number of at least 1, not ${value}`);
  }
}

function makeStrategy(spec: StrategySpec, maxSteps: number, shard: Shard | undefined, symmetry: boolean, splitWeight: number): Strategy {
  const s = typeof spec === 'string' ? { kind: spec } : spec;
  atLeastOne('maxSteps', maxSteps);
  if (s.kind === 'pct') atLeastOne('PCT depth', (s as { depth?: number }).depth);
  if (s.kind === 'pct' || s.kind === 'random') atLeastOne('runs', (s as { runs?: number }).runs);
  atLeastOne('splitWeight', splitWeight);
  if (shard) assertShardable(spec, shard);
  if (shard && splitWeight === 1 && s.kind === 'dpor') throw new KemuError('bad-usage', 'a DPOR search with splitWeight 1 has no top to split: shard it with a larger splitWeight');
  const sharded = <T extends { shardBy(shard: Shard, splitWeight: number): T }>(strategy: T): T => (shard ? strategy.shardBy(shard, splitWeight) : strategy);
  switch (s.kind) {
    case 'default': {
      const d = s as { bounds?: readonly number[]; budget?: number };
      return new StagedSearch(d.bounds ?? DEFAULT_BOUNDS, d.budget ?? DEFAULT_STAGE_BUDGET, new OptimalDpor({ symmetry, splitWeight }));
    }
    case 'dpor': return sharded(new OptimalDpor({ symmetry, splitWeight }));
    case 'exhaustive': return sharded(new ExhaustiveSearch());
    case 'bounded': return sharded(new PreemptionBoundedSearch(s.preemptions));
    case 'random': return sharded(new RandomWalk(s.seed ?? 1, s.runs ?? 1000));
    case 'pct': return sharded(new PctSearch(s.depth ?? 3, s.seed ?? 1, s.runs ?? 1000));
    case 'replay': return ReplayChooser.fromToken(s.token);
    default: throw new KemuError('unknown-name', `unknown strategy ${JSON.stringify(spec)}: use dpor, exhaustive, bounded, random, pct or replay`);
  }
}

/** Steps allowed in one schedule unless the options say otherwise. */
export const DEFAULT_MAX_STEPS = 20_000;

function settingsOf(options: ExploreOptions, capture: boolean): RunSettings {
  return { maxSteps: options.maxSteps ?? DEFAULT_MAX_STEPS, lockdep: options.lockdep ?? {}, faults: options.faults ?? {}, capture };
}

function captureRun(kernel: Kernel, outcome: string): CapturedRun {
  return {
    outcome: outcome as CapturedRun['outcome'],
    steps: kernel.stepCount,
    ns: kernel.clock.ns,
    tasks: kernel.tasks.map((t) => ({ pid: t.pid, comm: t.comm, cpu: t.cpu, kind: t.kind })),
    log: kernel.log.lines,
    reports: kernel.reports,
    trace: kernel.trace,
  };
}

/** Replays one schedule with call traces and the step trace. */
export async function replay(scenario: Scenario, token: string, options: Pick<ExploreOptions, 'maxSteps' | 'lockdep' | 'faults'> = {}): Promise<CapturedRun> {
  const chooser = ReplayChooser.fromToken(token);
  chooser.beginRun();
  const { kernel, outcome } = await runSchedule(scenario, chooser, settingsOf(options, true));
  chooser.endRun(outcome, kernel);
  return captureRun(kernel, outcome.kind);
}

/** The schedule a uniprocessor kernel without preemption would run: the current task goes on while it can, else the lowest pid. */
const NON_PREEMPTIVE: Chooser = {
  choose: (enabled, kernel) => (kernel.running && enabled.includes(kernel.running) ? kernel.running : enabled[0]!),
};

/** Runs one schedule (no preemption) with call traces and the step trace: what `kemu boot` shows. */
export async function runOnce(scenario: Scenario, options: Pick<ExploreOptions, 'maxSteps' | 'lockdep' | 'faults'> = {}): Promise<CapturedRun & { token: string }> {
  const recorder = new ScheduleRecorder(NON_PREEMPTIVE);
  const { kernel, outcome } = await runSchedule(scenario, recorder, settingsOf(options, true));
  return { ...captureRun(kernel, outcome.kind), token: encodeToken(toSegments(recorder.pids, recorder.ops)) };
}

/** A failure found by a search, before shrinking and replay: what shards exchange and merge. */
export interface FoundFailure {
  signature: string;
  token: string;
  preemptions: number;
  /** Where its schedule comes in the single-threaded order; among equal preemptions the earliest is kept. */
  order: number[];
  /** Number of the first schedule (counting the runs cut short, in the single-threaded order) that showed it. */
  firstSchedule: number;
  /**
   * A part of a split systematic search: where that first schedule was in
   * this part, its leaf and the part's runs in that leaf before it, which
   * the merge numbers in the single-threaded order (firstSchedule is then
   * the part's own count).
   */
  firstAt?: { leaf: number; before: number };
  occurrences: number;
}

/** What a search, or one shard of it, found: plain data that merges and serialises. */
export interface SearchResult {
  strategy: string;
  exhaustiveStrategy: boolean;
  schedules: number;
  pruned: number;
  stepBounded: number;
  stoppedBy: StopReason;
  found: FoundFailure[];
  maxSteps: number;
  elapsedMs: number;
  /** PCT: what its probability bound depends on. */
  pct?: PctStats;
  /** Lock classes the runs took that lockdep did not validate (novalidate, such as &dev->mutex). */
  notValidated: string[];
  /** DPOR: why runs were cut short (every runnable task asleep; a reversal that could not run). */
  cuts?: DporStats;
  /** The default search: what each of its stages covered. */
  coverage?: StageCoverage[];
  /** DPOR: the groups of twins one schedule stood for every swap of (symmetry reduction), by comm. */
  twins?: string[][];
  /** A split systematic search: the leaves of the tree's top it met and explored (split.ts); merged, the owned add up to the met. */
  leaves?: LeafCounts;
  /** A split systematic search: [leaf, runs] for each leaf it explored, in order, its runs counting the cut ones (how the merge numbers firstAt). */
  leafRuns?: [number, number][];
}

const earlier = (a: readonly number[], b: readonly number[]) => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return a.length < b.length;
};

/** Whether a record of a failure with `b`'s preemptions and order beats `a`: fewer preemptions, then earlier in the single-threaded order. */
function beats(b: Pick<FoundFailure, 'preemptions' | 'order'>, a: FoundFailure): boolean {
  return b.preemptions < a.preemptions || (b.preemptions === a.preemptions && earlier(b.order, a.order));
}

/** Keeps the better of two records of one failure. */
function better(a: FoundFailure, b: FoundFailure): FoundFailure {
  return beats(b, a) ? b : a;
}

/** Runs the strategy's schedules (or this shard's share of them) and collects what they found. */
export async function search(scenario: Scenario, options: ExploreOptions = {}): Promise<SearchResult> {
  const settings = { ...settingsOf(options, false), identities: new TaskIdentities() };
  const strategy = makeStrategy(options.strategy ?? 'default', settings.maxSteps, options.shard, options.symmetry ?? true, options.splitWeight ?? SPLIT_WEIGHT);
  const maxSchedules = options.maxSchedules ?? Infinity;
  const counted = options.shard?.counted;
  const found = new Map<string, FoundFailure>();
  const started = wallNow();
  let lastYield = started;
  let lastProgress = started;
  let schedules = 0;
  let pruned = 0;
  let stepBounded = 0;
  let maxSteps = 0;
  let stoppedBy: StopReason = strategy.exhaustive ? 'exhausted' : 'runs-done';
  const notValidated = new Set<string>();
  // A split systematic search numbers its runs leaf by leaf, for the merge (FoundFailure.firstAt).
  const leafRuns: [number, number][] | null = options.shard && !(strategy instanceof SeededRuns) ? [] : null;

  while (strategy.beginRun()) {
    const recorder = new ScheduleRecorder(strategy.chooser);
    const { kernel, outcome } = await runSchedule(scenario, recorder, settings);
    const counts = strategy.runCounts();
    const order = strategy.runOrder();
    strategy.endRun(outcome, kernel);
    // A run cut short by the reduction repeats a prefix of a counted run: it finds nothing new, and its schedule is no token.
    if (!counts) continue;
    if (leafRuns !== null) {
      // A leaf's subtree is explored whole before the next leaf's.
      if (leafRuns.length === 0 || leafRuns[leafRuns.length - 1]![0] !== order[0]) leafRuns.push([order[0]!, 0]);
      leafRuns[leafRuns.length - 1]![1]++;
    }
    if (outcome.kind === 'pruned') {
      pruned++;
      continue;
    }
    // Parts of one search that share a count take each schedule from it: past the limit, the run is not counted.
    if (counted !== undefined && Number(Atomics.add(counted, 0, 1n)) >= maxSchedules) {
      stoppedBy = 'schedule-limit';
      break;
    }
    options.onRunEnd?.(kernel, outcome, recorder.pids);
    schedules++;
    for (const cls of kernel.lockdep.notValidated) notValidated.add(cls);
    if (outcome.kind === 'step-bound') stepBounded++;
    maxSteps = Math.max(maxSteps, kernel.stepCount);
    for (const report of kernel.reports) {
      const known = found.get(report.signature);
      const seen = { preemptions: recorder.preemptions, order };
      // A failure met again is counted; its token is made only when this run replaces the one kept.
      if (known !== undefined && !beats(seen, known)) {
        found.set(report.signature, { ...known, occurrences: known.occurrences + 1 });
        continue;
      }
      const record: FoundFailure = {
        signature: report.signature, token: encodeToken(toSegments(recorder.pids, recorder.ops)), ...seen,
        ...(known ? firstOf(known) : firstSighting(strategy, order, schedules + pruned, leafRuns)), occurrences: (known?.occurrences ?? 0) + 1,
      };
      found.set(report.signature, record);
      if (!known) options.onFailure?.(record);
    }
    if (options.stopOnFirstFailure && found.size > 0) {
      stoppedBy = 'first-failure';
      break;
    }
    if (schedules >= maxSchedules || (counted !== undefined && Number(Atomics.load(counted, 0)) >= maxSchedules)) {
      stoppedBy = 'schedule-limit';
      break;
    }
    if (options.signal?.aborted) {
      stoppedBy = 'interrupted';
      break;
    }
    const now = wallNow();
    if (options.timeLimitMs !== undefined && now - started > options.timeLimitMs) {
      stoppedBy = 'time-limit';
      break;
    }
    if (now - lastYield > 50) {
      lastYield = now;
      await yieldToEventLoop();
    }
    if (options.onProgress && now - lastProgress > 500) {
      lastProgress = now;
      options.onProgress({ schedules, pruned, failures: found.size, elapsedMs: now - started });
    }
  }

  return {
    strategy: strategy.name, exhaustiveStrategy: strategy.exhaustive, schedules, pruned, stepBounded, stoppedBy,
    found: [...found.values()], maxSteps, elapsedMs: wallNow() - started,
    ...(strategy instanceof PctSearch ? { pct: strategy.stats() } : {}),
    ...(strategy instanceof OptimalDpor ? { cuts: { ...strategy.stats }, ...twinsOf(strategy) } : {}),
    ...(strategy instanceof StagedSearch ? { cuts: { ...strategy.dpor.stats }, coverage: strategy.coverage(), ...twinsOf(strategy.dpor) } : {}),
    ...leavesOf(strategy),
    ...(leafRuns !== null ? { leafRuns } : {}),
    notValidated: [...notValidated].sort(),
  };
}

/** Where a failure was first seen, as its record says. */
function firstOf(f: FoundFailure): Pick<FoundFailure, 'firstSchedule' | 'firstAt'> {
  return f.firstAt === undefined ? { firstSchedule: f.firstSchedule } : { firstSchedule: f.firstSchedule, firstAt: f.firstAt };
}

/**
 * Where a failure was first seen, run `counted` of this search: seeded runs
 * are numbered by their seed whichever shard made them; a part of a split
 * systematic search says where in its leaf.
 */
function firstSighting(strategy: Strategy, order: readonly number[], counted: number, leafRuns: readonly [number, number][] | null): Pick<FoundFailure, 'firstSchedule' | 'firstAt'> {
  if (strategy instanceof SeededRuns) return { firstSchedule: order[0]! + 1 };
  if (leafRuns === null) return { firstSchedule: counted };
  const [leaf, runs] = leafRuns[leafRuns.length - 1]!;
  return { firstSchedule: counted, firstAt: { leaf, before: runs - 1 } };
}

function leavesOf(strategy: Strategy): { leaves?: LeafCounts } {
  const leaves = strategy.leafCounts?.() ?? null;
  return leaves !== null ? { leaves } : {};
}

/** Every part's runs per leaf, in leaf order, with the runs before each leaf; null unless every part has them. */
function mergeLeafRuns(parts: readonly SearchResult[]): { runs: [number, number][]; before: Map<number, number> } | null {
  if (!parts.every((p) => p.leafRuns !== undefined)) return null;
  const runs = parts.flatMap((p) => p.leafRuns!).sort((a, b) => a[0] - b[0]);
  const before = new Map<number, number>();
  let total = 0;
  for (const [leaf, n] of runs) {
    before.set(leaf, total);
    total += n;
  }
  return { runs, before };
}

/** A part's failure, its first sighting numbered in the whole search's order. */
function renumbered(f: FoundFailure, leafRuns: { before: Map<number, number> }): FoundFailure {
  if (f.firstAt === undefined) return f;
  return { ...f, firstSchedule: leafRuns.before.get(f.firstAt.leaf)! + f.firstAt.before + 1 };
}

/**
 * The leaves of the parts of a split search, merged; every leaf must have
 * been explored by exactly one part, which a finished search can check.
 */
function mergeLeaves(parts: readonly SearchResult[]): { leaves?: LeafCounts } {
  const counts = parts.map((p) => p.leaves);
  if (counts.some((c) => c === undefined)) return {};
  const met = counts[0]!.met;
  const owned = counts.reduce((n, c) => n + c!.owned, 0);
  const finished = parts.every((p) => p.stoppedBy === 'exhausted');
  if (finished && (owned !== met || counts.some((c) => c!.met !== met))) {
    const what = counts.some((c) => c!.met !== met) ? `met ${counts.map((c) => c!.met).join(', ')} leaves of the tree's top, not the same number`
      : `explored ${owned} of the ${met} leaves of the tree's top${owned < met ? '' : ', some twice'}`;
    throw new KemuError('bad-usage', `these shards ${what}, so they do not add up to one search: with --claims, a shard whose file is missing ` +
      'claimed leaves before it stopped (run it again: it explores its claims again), or the directory held claims of a larger shard count');
  }
  return { leaves: { met, owned } };
}

function twinsOf(dpor: OptimalDpor): { twins?: string[][] } {
  const twins = dpor.twinGroups();
  return twins.length > 0 ? { twins } : {};
}

/** How parts that did not all finish stopped, the one a merge reports first: it does not depend on the parts' order. */
const STOPS_BY_SEVERITY: readonly StopReason[] = ['interrupted', 'time-limit', 'schedule-limit', 'first-failure'];

/** What stopped a merged search: the most severe of its parts' stops, or how they all ended (exhausted, runs done). */
function mergedStop(parts: readonly SearchResult[]): StopReason {
  return STOPS_BY_SEVERITY.find((reason) => parts.some((p) => p.stoppedBy === reason)) ?? parts[0]!.stoppedBy;
}

/** Merges the results of the shards of one search into the result one search would have had. */
export function mergeSearches(parts: readonly SearchResult[]): SearchResult {
  if (parts.length === 0) throw new KemuError('bad-usage', 'nothing to merge');
  const leafRuns = mergeLeafRuns(parts);
  const found = new Map<string, FoundFailure>();
  for (const part of parts) {
    for (const f of leafRuns ? part.found.map((f) => renumbered(f, leafRuns)) : part.found) {
      const known = found.get(f.signature);
      if (known === undefined) {
        found.set(f.signature, f);
        continue;
      }
      // The schedule kept is the better one's; the first sighting is the earlier one's.
      const { firstAt: _, ...kept } = better(known, f);
      found.set(f.signature, { ...kept, ...firstOf(f.firstSchedule < known.firstSchedule ? f : known), occurrences: known.occurrences + f.occurrences });
    }
  }
  const sum = (key: 'schedules' | 'pruned' | 'stepBounded') => parts.reduce((n, p) => n + p[key], 0);
  const pcts = parts.map((p) => p.pct).filter((p) => p !== undefined);
  const cuts = parts.map((p) => p.cuts).filter((c) => c !== undefined);
  return {
    strategy: parts[0]!.strategy, exhaustiveStrategy: parts[0]!.exhaustiveStrategy,
    schedules: sum('schedules'), pruned: sum('pruned'), stepBounded: sum('stepBounded'),
    stoppedBy: mergedStop(parts),
    found: [...found.values()].sort((a, b) => (earlier(a.order, b.order) ? -1 : 1)),
    maxSteps: Math.max(...parts.map((p) => p.maxSteps)),
    elapsedMs: Math.max(...parts.map((p) => p.elapsedMs)),
    ...(pcts.length ? { pct: mergePctStats(pcts) } : {}),
    ...(cuts.length ? { cuts: { sleepBlocked: cuts.reduce((n, c) => n + c.sleepBlocked, 0), infeasible: cuts.reduce((n, c) => n + c.infeasible, 0), redundant: cuts.reduce((n, c) => n + c.redundant, 0) } } : {}),
    ...(parts[0]!.twins ? { twins: parts[0]!.twins } : {}),
    ...mergeLeaves(parts),
    ...(leafRuns ? { leafRuns: leafRuns.runs } : {}),
    notValidated: [...new Set(parts.flatMap((p) => p.notValidated))].sort(),
  };
}

/** Shrinks each failure towards fewer preemptions and replays it with call traces: the final result. */
export async function finishSearch(scenario: Scenario, result: SearchResult, options: ExploreOptions = {}): Promise<ExploreResult> {
  const settings = settingsOf(options, false);
  const failures: Failure[] = [];
  for (const f of result.found) {
    let { token, preemptions } = f;
    if (options.shrink !== false && preemptions > 0) {
      ({ token, preemptions } = await shrinkPreemptions(scenario, f.signature, token, preemptions, settings));
    }
    const run = await replay(scenario, token, options);
    const report = run.reports.find((r) => r.signature === f.signature);
    if (!report) {
      throw new KemuError('bad-usage', `replaying the schedule of "${f.signature}" did not reproduce it: the scenario is not deterministic`);
    }
    failures.push({ kind: report.kind, signature: f.signature, title: report.title, token, preemptions,
      firstSchedule: f.firstSchedule, occurrences: f.occurrences, report, run });
  }
  return {
    strategy: result.strategy, schedules: result.schedules, pruned: result.pruned, stepBounded: result.stepBounded,
    exhausted: result.exhaustiveStrategy && result.stoppedBy === 'exhausted' && result.stepBounded === 0,
    stoppedBy: result.stoppedBy, failures, elapsedMs: result.elapsedMs, maxSteps: result.maxSteps, notValidated: result.notValidated,
    ...(result.coverage ? { coverage: result.coverage } : {}),
    ...(result.pct ? { pct: pctBound(result.pct) } : {}),
    ...(result.twins ? { twins: result.twins } : {}),
  };
}

/** Explores a scenario: searches the schedules, then shrinks and replays each failure found. */
export async function explore(scenario: Scenario, options: ExploreOptions = {}): Promise<ExploreResult> {
  const started = wallNow();
  const result = await finishSearch(scenario, await search(scenario, options), options);
  return { ...result, elapsedMs: wallNow() - started };
}
