/**
 * The differential check of symmetry reduction (src/explore/symmetry.ts):
 * programs in which one task is copied into twins, each on a CPU of its
 * own, explored by DPOR with the reduction on, against unreduced
 * enumeration. Both must find the same failures and the same final states
 * up to swapping twins (a failure or state is compared by its smallest form
 * over every permutation of each group of twins); the reduction must exhaust
 * the space, never run more schedules than DPOR without it, and never run
 * two schedules of one class.
 */
import fc from 'fast-check';
import { explore } from '../../src/explore/index.js';
import { enumerate } from './enumerate.js';
import { finalState } from './final-state.js';
import { interleavingEstimate, programs } from './generate.js';
import { interpret } from './interpret.js';
import { bodyOf, type Op, type Program } from './program.js';
import { replaySchedule } from './recorded-run.js';
import { traceKey, type Step } from './trace-class.js';

/** CPUs twins get: above any the generator pins other tasks to. */
const TWIN_CPUS = [5, 6, 7];
/** The first CPU of the other top-level tasks that are not pinned (children get new CPUs above every CPU in use). */
const OTHER_CPUS = 10;

const spawns = (ops: readonly Op[]): boolean => ops.some((op) => op.kind === 'spawn' || spawns(bodyOf(op)));

/**
 * Generated programs with twins: one top-level task that spawns nothing is
 * copied once or twice; the copies are its twins, each on a CPU of its own.
 * Only programs whose interleaving estimate stays within `estimateLimit` are kept.
 */
export function twinPrograms(estimateLimit: number): fc.Arbitrary<Program> {
  return fc.tuple(programs(estimateLimit / 4), fc.nat(), fc.integer({ min: 1, max: 2 }))
    .map(([program, pick, copies]): Program | null => {
      const candidates = program.tasks.map((t, i) => i).filter((i) => !spawns(program.tasks[i]!.ops));
      if (candidates.length === 0) return null;
      const original = candidates[pick % candidates.length]!;
      // Every other top-level task gets a CPU of its own or the one it shares, so none lands on a twin's.
      const tasks = program.tasks.map((t, i) => ({ ...t, cpu: i === original ? TWIN_CPUS[0] : t.cpu ?? OTHER_CPUS + i }));
      for (let c = 1; c <= copies; c++) tasks.push({ ops: program.tasks[original]!.ops, cpu: TWIN_CPUS[c], twinOf: original });
      return { tasks };
    })
    .filter((p): p is Program => p !== null && interleavingEstimate(p) <= estimateLimit);
}

/** The names of each group of twins (t1…tn are the top-level tasks in order). */
export function twinGroups(program: Program): string[][] {
  const groups = new Map<number, string[]>();
  program.tasks.forEach((task, i) => {
    if (task.twinOf === undefined) return;
    const group = groups.get(task.twinOf) ?? [`t${task.twinOf + 1}`];
    group.push(`t${i + 1}`);
    groups.set(task.twinOf, group);
  });
  return [...groups.values()];
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

/** Every renaming of tasks that permutes each group of twins (the identity included). */
export function renamings(groups: readonly string[][]): Map<string, string>[] {
  let out: Map<string, string>[] = [new Map()];
  for (const group of groups) {
    out = out.flatMap((m) => permutations(group).map((p) => new Map([...m, ...group.map((name, i): [string, string] => [name, p[i]!])])));
  }
  return out;
}

/** A task name as it appears in final states, signatures and sites (`t2`, `t2_op1`), not inside another word or number. */
const TASK_NAME = /(?<![A-Za-z0-9])t\d+(?!\d)/g;

function rename(text: string, names: ReadonlyMap<string, string>): string {
  return text.replace(TASK_NAME, (name) => names.get(name) ?? name);
}

/** A final state renamed, with its tasks back in name order and its reports sorted again, as final-state.ts lists them. */
export function renameState(state: string, names: ReadonlyMap<string, string>): string {
  const parts = rename(state, names).split(' | ');
  const byName = (a: string, b: string): number => Number(a.slice(1, a.indexOf(' '))) - Number(b.slice(1, b.indexOf(' ')));
  parts[2] = parts[2]!.split('; ').sort(byName).join('; ');
  parts[3] = parts[3]!.split(',').sort().join(',');
  return parts.join(' | ');
}

/** The smallest form of `text` over the renamings: equal for two texts exactly when one is the other with twins swapped. */
export function canonical(text: string, names: readonly Map<string, string>[], renameOne = rename): string {
  let best: string | null = null;
  for (const m of names) {
    const form = renameOne(text, m);
    if (best === null || form < best) best = form;
  }
  return best!;
}

/** The class of a run up to swapping twins: its smallest trace key over the renamings. */
function orbitKey(steps: readonly Step[], names: readonly Map<string, string>[]): string {
  let best: string | null = null;
  for (const m of names) {
    const key = traceKey(steps.map((s) => ({ task: m.get(s.task) ?? s.task, accesses: s.accesses })));
    if (best === null || key < best) best = key;
  }
  return best!;
}

export interface SymmetryOptions {
  /** The enumeration gives up after this many schedules; the program is then skipped. */
  readonly cap: number;
}

export interface SymmetryComparison {
  readonly kind: 'agree' | 'mismatch' | 'skipped';
  readonly differences: string[];
  /** Schedules: the enumeration's, DPOR's with the reduction and without it. */
  readonly enumerated: number;
  readonly reduced: number;
  readonly unreduced: number;
  /** Classes of the enumeration up to swapping twins: what an optimal reduction would run. */
  readonly orbits: number;
}

/** Runs DPOR on the program, with or without the reduction; collects what it found and the schedule of each run. */
async function dpor(program: Program, cap: number, symmetry: boolean) {
  const { scenario, state } = interpret(program);
  const failures = new Set<string>();
  const states = new Set<string>();
  const schedules: number[][] = [];
  const result = await explore(scenario, {
    strategy: 'dpor', symmetry, shrink: false, maxSchedules: cap, lockdep: { enabled: false },
    onRunEnd: (kernel, outcome, schedule) => {
      if (outcome.kind === 'pruned') return;
      states.add(finalState(state(), kernel));
      schedules.push([...schedule]);
    },
  });
  for (const f of result.failures) failures.add(f.signature);
  return { scenario, result, failures, states, schedules };
}

/** Compares DPOR with symmetry reduction to unreduced enumeration on one program with twins. */
export async function compareSymmetric(program: Program, options: SymmetryOptions): Promise<SymmetryComparison> {
  const groups = twinGroups(program);
  const names = renamings(groups);
  const reference = interpret(program);
  const orbits = new Set<string>();
  const enumeration = await enumerate(reference.scenario, {
    cap: options.cap,
    finalState: (kernel) => finalState(reference.state(), kernel),
    onRun: (steps) => void orbits.add(orbitKey(steps, names)),
  });
  const none = { differences: [], enumerated: enumeration.schedules, reduced: 0, unreduced: 0, orbits: 0 };
  if (!enumeration.exhausted) return { kind: 'skipped', ...none };
  const reduced = await dpor(program, options.cap, true);
  const unreduced = await dpor(program, options.cap, false);
  const differences: string[] = [];
  const compareSets = (what: string, ref: Iterable<string>, got: Iterable<string>, renameOne = rename): void => {
    const a = new Set([...ref].map((t) => canonical(t, names, renameOne)));
    const b = new Set([...got].map((t) => canonical(t, names, renameOne)));
    const missed = [...a].filter((t) => !b.has(t));
    const invented = [...b].filter((t) => !a.has(t));
    if (missed.length) differences.push(`${what} the reduction missed (up to swapping twins): ${missed.join(' || ')}`);
    if (invented.length) differences.push(`${what} only the reduction found: ${invented.join(' || ')}`);
  };
  compareSets('failures', enumeration.failures, reduced.failures);
  compareSets('final states', enumeration.finalStates.keys(), reduced.states, renameState);
  if (!reduced.result.exhausted) differences.push(`the reduction did not exhaust the space (${reduced.result.schedules} schedules)`);
  if (reduced.result.schedules > unreduced.result.schedules) {
    differences.push(`the reduction ran ${reduced.result.schedules} schedules, DPOR without it ${unreduced.result.schedules}`);
  }
  // No two of its schedules in one class; and count the orbits an optimal reduction would run.
  const classes = new Set<string>();
  for (const pids of reduced.schedules) {
    const key = traceKey((await replaySchedule(reduced.scenario, pids)).steps);
    if (classes.has(key)) differences.push('the reduction ran two schedules of one class');
    classes.add(key);
  }
  return {
    kind: differences.length ? 'mismatch' : 'agree', differences, enumerated: enumeration.schedules,
    reduced: reduced.result.schedules, unreduced: unreduced.result.schedules, orbits: orbits.size,
  };
}

export interface TwinCampaignOptions extends SymmetryOptions {
  readonly programs: number;
  readonly seed: number;
  /** Generate only programs with at most this many interleavings, roughly. */
  readonly estimateLimit: number;
  readonly onProgress?: (checked: number, mismatches: number, skipped: number) => void;
}

export interface TwinCampaignResult {
  checked: number;
  skipped: number;
  mismatches: number;
  /** Schedules over the checked programs: enumerated, run by DPOR with the reduction and without, and the orbits. */
  enumerated: number;
  reduced: number;
  unreduced: number;
  orbits: number;
  /** The first mismatching program, shrunk by fast-check, with what differs; null when all agreed. */
  mismatch: { readonly program: Program; readonly differences: readonly string[] } | null;
}

/** Many generated programs with twins, each compared (compareSymmetric); the first mismatch is shrunk. */
export async function runTwinCampaign(options: TwinCampaignOptions): Promise<TwinCampaignResult> {
  const result: TwinCampaignResult = { checked: 0, skipped: 0, mismatches: 0, enumerated: 0, reduced: 0, unreduced: 0, orbits: 0, mismatch: null };
  let first: Program | null = null;
  await fc.assert(fc.asyncProperty(twinPrograms(options.estimateLimit), async (program) => {
    const c = await compareSymmetric(program, options);
    if (c.kind === 'skipped') result.skipped++;
    else {
      result.checked++;
      result.enumerated += c.enumerated;
      result.reduced += c.reduced;
      result.unreduced += c.unreduced;
      result.orbits += c.orbits;
      if (c.kind === 'mismatch') {
        result.mismatches++;
        first ??= program;
      }
    }
    options.onProgress?.(result.checked, result.mismatches, result.skipped);
    fc.pre(c.kind !== 'skipped');
  }), { numRuns: options.programs, seed: options.seed, maxSkipsPerRun: 1000 });
  if (first !== null) {
    const mismatches = async (p: Program): Promise<boolean> => (await compareSymmetric(p, options)).kind === 'mismatch';
    const details = await fc.check(fc.asyncProperty(twinPrograms(options.estimateLimit), async (p) => !(await mismatches(p))), { numRuns: 1, examples: [[first]] });
    const program = details.counterexample?.[0] ?? first;
    result.mismatch = { program, differences: (await compareSymmetric(program, options)).differences };
  }
  return result;
}
