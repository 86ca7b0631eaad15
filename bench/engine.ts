/**
 * Engine cost per scheduling decision, against the bare floor: async tasks
 * handing a gate to each other directly, with the same number of tasks and
 * steps and the same random choice, but no scheduler, no operations, no
 * bookkeeping. The ratio between the two, measured in the same process, is the
 * figure (target: within 3x). The same hand-off between generators is
 * measured beside them, for what the promises themselves cost.
 */
import { explore } from '../src/explore/index.js';
import { cond_resched, type Kernel } from '../src/kernel/index.js';
import { Rng } from '../src/explore/rng.js';

export interface EngineFigures {
  tasks: number;
  stepsPerTask: number;
  bareNsPerStep: number;
  /** The bare hand-off between generators instead of promises (generatorSchedule). */
  generatorNsPerStep: number;
  engineNsPerStep: number;
  ratio: number;
  engineSchedulesPerSecond: number;
}

/** One schedule of the bare hand-off: each yield picks the next task at random and resolves its gate. */
function bareSchedule(tasks: number, steps: number, seed: number): Promise<void> {
  return new Promise((finished) => {
    const rng = new Rng(seed);
    const gates: ((() => void) | null)[] = new Array(tasks).fill(null);
    const live: number[] = [];
    let started = false;
    const next = () => {
      if (live.length === 0) return finished();
      const id = live[rng.below(live.length)]!;
      const gate = gates[id]!;
      gates[id] = null;
      gate();
    };
    const yieldPoint = (id: number) => {
      const p = new Promise<void>((resolve) => (gates[id] = resolve));
      if (started) next();
      return p;
    };
    for (let id = 0; id < tasks; id++) {
      live.push(id);
      (async () => {
        for (let i = 0; i < steps; i++) await yieldPoint(id);
      })().then(() => {
        live.splice(live.indexOf(id), 1);
        next();
      });
    }
    started = true;
    next();
  });
}

/**
 * The same schedule with each task a generator the chooser resumes: the
 * hand-off with no promise. What the async hand-off costs over it is what
 * an engine whose model code were written as generators would save at each
 * step (docs/scaling.md, "Where a warm step's CPU goes").
 */
function generatorSchedule(tasks: number, steps: number, seed: number): void {
  const rng = new Rng(seed);
  function* task(): Generator<void, void, void> {
    for (let i = 0; i < steps; i++) yield;
  }
  const live = Array.from({ length: tasks }, task);
  while (live.length > 0) {
    const k = rng.below(live.length);
    if (live[k]!.next().done) live.splice(k, 1);
  }
}

function timeGenerators(tasks: number, steps: number, schedules: number): number {
  const t0 = performance.now();
  for (let s = 0; s < schedules; s++) generatorSchedule(tasks, steps, s + 1);
  return performance.now() - t0;
}

async function timeBare(tasks: number, steps: number, schedules: number): Promise<number> {
  const t0 = performance.now();
  for (let s = 0; s < schedules; s++) await bareSchedule(tasks, steps, s + 1);
  return performance.now() - t0;
}

function engineScenario(tasks: number, steps: number) {
  return (k: Kernel) => {
    for (let t = 0; t < tasks; t++) {
      k.spawn(`cpu${t + 1}`, async () => {
        for (let i = 0; i < steps; i++) await cond_resched();
      });
    }
  };
}

async function timeEngine(tasks: number, steps: number, schedules: number): Promise<{ ms: number; decisions: number }> {
  let decisions = 0;
  const t0 = performance.now();
  await explore(engineScenario(tasks, steps), {
    strategy: { kind: 'random', seed: 1, runs: schedules }, lockdep: { enabled: false }, shrink: false,
    onRunEnd: (k) => (decisions += k.stepCount),
  });
  return { ms: performance.now() - t0, decisions };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

export async function benchEngine(tasks = 2, stepsPerTask = 50, reps = 7): Promise<EngineFigures> {
  const schedules = 2000;
  await timeBare(tasks, stepsPerTask, 200);
  timeGenerators(tasks, stepsPerTask, 200);
  await timeEngine(tasks, stepsPerTask, 200);
  const bare: number[] = [];
  const generators: number[] = [];
  const engine: number[] = [];
  const rate: number[] = [];
  for (let r = 0; r < reps; r++) {
    // The bare floor has one decision per yield; the engine's schedules also include each task's start step.
    bare.push((await timeBare(tasks, stepsPerTask, schedules)) * 1e6 / (schedules * tasks * stepsPerTask));
    generators.push(timeGenerators(tasks, stepsPerTask, schedules) * 1e6 / (schedules * tasks * stepsPerTask));
    const e = await timeEngine(tasks, stepsPerTask, schedules);
    engine.push((e.ms * 1e6) / e.decisions);
    rate.push(schedules / (e.ms / 1000));
  }
  const bareNs = median(bare);
  const engineNs = median(engine);
  return { tasks, stepsPerTask, bareNsPerStep: bareNs, generatorNsPerStep: median(generators), engineNsPerStep: engineNs, ratio: engineNs / bareNs, engineSchedulesPerSecond: median(rate) };
}
