/**
 * The differential check of one program: the explorer under test (DPOR, as a
 * user runs it) against the unreduced enumerator. They must find the same
 * failure signatures and the same final states; on small programs DPOR must
 * also run exactly one schedule per equivalence class (optimality), which is
 * checked by replaying each schedule DPOR ran and naming its class.
 *
 * DPOR runs on every program in each of EXPLORER_SPLITS: as a user runs it,
 * without the tree's top (the wakeup-tree algorithm alone), and split into
 * shards whose results merge (split.ts), which must all agree alike.
 */
import { finishSearch, mergeSearches, search, type ExploreOptions } from '../../src/explore/index.js';
import type { Task } from '../../src/kernel/index.js';
import { enumerate, type Enumeration } from './enumerate.js';
import { finalState } from './final-state.js';
import { interpret } from './interpret.js';
import type { Primitive, Program } from './program.js';
import { replaySchedule, scheduleText } from './recorded-run.js';
import { count } from './text.js';
import { traceKey } from './trace-class.js';

export interface CompareOptions {
  /** The enumeration gives up after this many schedules; the program is then skipped. */
  readonly cap: number;
  /** Up to this many enumerated schedules, the explorer's schedules are checked one per class. */
  readonly optimalityLimit: number;
}

/** What the explorer under test reported for a program. */
export interface ExplorerSide {
  schedules: number;
  exhausted: boolean;
  readonly failures: Set<string>;
  /** Each final state, with the first schedule that reached it. */
  readonly finalStates: Map<string, string>;
  /** Only when optimality is checked: for each class, the schedules the explorer ran in it. */
  classes: Map<string, string[]> | null;
  /** What went wrong instead: explore() threw, or a schedule it reported does not replay. */
  error: unknown;
}

/** One way of running the explorer under test. */
export interface ExplorerSplit {
  /** As a mismatch report names it. */
  readonly label: string;
  /** ExploreOptions.splitWeight (undefined: the default). */
  readonly splitWeight?: number;
  /** Shards searched apart and merged (1: one search). */
  readonly shards: number;
}

export const EXPLORER_SPLITS: readonly ExplorerSplit[] = [
  { label: 'DPOR as a user runs it', shards: 1 },
  { label: 'DPOR without the tree\'s top (splitWeight 1: the wakeup-tree algorithm alone)', splitWeight: 1, shards: 1 },
  { label: 'DPOR in 3 shards, merged (splitWeight 4)', splitWeight: 4, shards: 3 },
];

/** Both sides' findings on a program whose enumeration finished, and what differs between them (nothing, when they agree). */
export interface Comparison {
  readonly kind: 'agree' | 'mismatch';
  readonly differences: readonly Difference[];
  readonly reference: Enumeration;
  /** The explorer as the first split that disagrees ran it (the first split when all agree). */
  readonly explorer: ExplorerSide;
  readonly split: ExplorerSplit;
  /** What the enumeration's runs exercised. */
  readonly used: ReadonlySet<Primitive>;
}

/** A program whose enumeration reached the cap says nothing either way. */
export type Verdict = Comparison | { readonly kind: 'skipped'; readonly schedules: number };

/** The comm of the task with each pid, as the kernel of a finished run knows them. */
function comms(tasks: readonly Task[]): Map<number, string> {
  return new Map(tasks.map((t) => [t.pid, t.comm]));
}

/** Runs DPOR on the program split as `split` says; with `classes`, also names the class of every schedule it ran. */
async function runExplorer(program: Program, options: CompareOptions, split: ExplorerSplit, classes: boolean): Promise<ExplorerSide> {
  const side: ExplorerSide = { schedules: 0, exhausted: false, failures: new Set(), finalStates: new Map(), classes: null, error: null };
  const { scenario, state } = interpret(program);
  const schedules: { pids: readonly number[]; text: string }[] = [];
  try {
    const explore: ExploreOptions = {
      strategy: 'dpor', shrink: false, maxSchedules: options.cap, lockdep: { enabled: false }, splitWeight: split.splitWeight,
      onRunEnd: (kernel, outcome, schedule) => {
        if (outcome.kind === 'pruned') return;
        const text = (): string => {
          const names = comms(kernel.tasks);
          return scheduleText(schedule.map((pid) => names.get(pid)!));
        };
        const final = finalState(state(), kernel);
        if (!side.finalStates.has(final)) side.finalStates.set(final, text());
        if (classes) schedules.push({ pids: [...schedule], text: text() });
      },
    };
    const parts = [];
    for (let index = 0; index < split.shards; index++) {
      parts.push(await search(scenario, split.shards === 1 ? explore : { ...explore, shard: { index, count: split.shards } }));
    }
    const result = await finishSearch(scenario, mergeSearches(parts), explore);
    side.schedules = result.schedules;
    side.exhausted = result.exhausted;
    for (const f of result.failures) side.failures.add(f.signature);
  } catch (error) {
    side.error = error;
    return side;
  }
  if (classes) {
    side.classes = new Map();
    try {
      for (const { pids, text } of schedules) {
        const key = traceKey((await replaySchedule(scenario, pids)).steps);
        side.classes.set(key, [...(side.classes.get(key) ?? []), text]);
      }
    } catch (error) {
      // A schedule the explorer reports that does not replay is the explorer's fault.
      side.error = error;
    }
  }
  return side;
}

const onlyIn = <T>(a: Iterable<T>, b: { has(x: T): boolean }): T[] => [...a].filter((x) => !b.has(x));

/**
 * Kinds of disagreement, the unsound ones first: a missed failure or final
 * state is a wrong verdict; an optimality failure costs schedules only.
 */
export const DIFFERENCE_KINDS = [
  'explorer failed', 'missed failures', 'missed final states', 'invented failures', 'invented final states', 'not exhausted',
  'missed classes', 'not optimal', 'repeated classes',
] as const;
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number];

/** The kinds that make the explorer's verdict wrong (the rest cost schedules only). */
export const WRONG_VERDICT: ReadonlySet<DifferenceKind> = new Set(DIFFERENCE_KINDS.slice(0, DIFFERENCE_KINDS.indexOf('missed classes')));

export interface Difference {
  readonly kind: DifferenceKind;
  /** One line a person reads. */
  readonly text: string;
}

/** What differs between the enumerator's and the explorer's findings; empty when they agree. */
function differences(reference: Enumeration, explorer: ExplorerSide): Difference[] {
  if (explorer.error !== null) {
    const e = explorer.error as Error;
    return [{ kind: 'explorer failed', text: `the explorer failed: ${e.name ?? 'Error'}: ${e.message ?? String(e)}` }];
  }
  const out: Difference[] = [];
  const add = (kind: DifferenceKind, text: string): void => void out.push({ kind, text });
  const missedFailures = onlyIn(reference.failures, explorer.failures);
  const extraFailures = onlyIn(explorer.failures, reference.failures);
  if (missedFailures.length) add('missed failures', `failures the explorer missed: ${missedFailures.join(', ')}`);
  const missedStates = onlyIn(reference.finalStates.keys(), explorer.finalStates);
  const extraStates = onlyIn(explorer.finalStates.keys(), reference.finalStates);
  if (missedStates.length) add('missed final states', `final states the explorer missed: ${missedStates.length} of ${reference.finalStates.size}`);
  if (extraFailures.length) add('invented failures', `failures only the explorer reports: ${extraFailures.join(', ')}`);
  if (extraStates.length) add('invented final states', `final states only the explorer reached: ${extraStates.length}`);
  if (!explorer.exhausted) add('not exhausted', `the explorer did not exhaust the space (it stopped after ${count(explorer.schedules, 'schedule')})`);
  if (explorer.classes !== null) {
    const missedClasses = onlyIn(reference.classes.keys(), explorer.classes);
    const repeated = [...explorer.classes.values()].filter((s) => s.length > 1);
    if (missedClasses.length) add('missed classes', `equivalence classes the explorer never ran: ${missedClasses.length}`);
    if (explorer.schedules !== reference.classes.size) {
      add('not optimal', `not optimal: the explorer ran ${count(explorer.schedules, 'schedule')} for ${count(reference.classes.size, 'equivalence class', 'equivalence classes')}`);
    }
    if (repeated.length) add('repeated classes', `equivalence classes the explorer ran more than once: ${repeated.length}`);
  }
  return out;
}

/** Checks one program: enumerates it (unless that exceeds the cap), explores it, and compares. */
export async function compareProgram(program: Program, options: CompareOptions): Promise<Verdict> {
  const reference = interpret(program);
  const used = new Set<Primitive>();
  const enumeration = await enumerate(reference.scenario, {
    cap: options.cap,
    finalState: (kernel) => {
      for (const p of reference.state().used) used.add(p);
      return finalState(reference.state(), kernel);
    },
  });
  if (!enumeration.exhausted) return { kind: 'skipped', schedules: enumeration.schedules };
  let first: Comparison | null = null;
  for (const split of EXPLORER_SPLITS) {
    const explorer = await runExplorer(program, options, split, enumeration.schedules <= options.optimalityLimit);
    const found = differences(enumeration, explorer);
    const verdict: Comparison = { kind: found.length > 0 ? 'mismatch' : 'agree', differences: found, reference: enumeration, explorer, split, used };
    if (verdict.kind === 'mismatch') return verdict;
    first ??= verdict;
  }
  return first!;
}
