/**
 * The kemu command. It is given a catalog of boards and scenarios (the
 * built-in one is assembled in catalog/builtin.ts), parses the command line,
 * and returns an exit code scripts can rely on: 0 no failure, 1 a failure was
 * found, 2 bad usage or bad input.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { KemuError } from '../kernel/errors.js';
import { finishSearch, mergeSearches, replay, runOnce, search, type ExploreOptions, type SearchResult } from '../explore/explore.js';
import { searchInWorkers } from '../explore/parallel.js';
import type { CapturedRun, ExploreProgress, ExploreResult } from '../explore/result.js';
import type { Shard, StrategySpec } from '../explore/strategy.js';
import type { Catalog } from '../machine/catalog.js';
import { KERNEL_VARIANTS } from '../machine/kernel-variants.js';
import { toChromeTrace } from '../report/chrome-trace.js';
import { renderHtmlTimeline } from '../report/html-timeline.js';
import { terminalOutput, type Output } from './output.js';
import { explorationJson, presentExploration, presentRun } from './present.js';
import { resolveTarget, type Target } from './targets.js';
import { runDemo } from './demo.js';
import { runBisect } from './bisect.js';
import { runShapeOf, type RunShape } from './run-shape.js';
import type { DeviceLockClasses } from '../kernel/locking/lock-base.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE_FOUND = 1;
export const EXIT_USAGE = 2;

interface ExploreFlags {
  kernel?: string;
  strategy?: string;
  preemptions?: number;
  seed?: number;
  runs?: number;
  depth?: number;
  maxSchedules?: number;
  maxSteps?: number;
  timeLimit?: number;
  first?: boolean;
  validateDeviceMutex?: boolean;
  deviceLockClasses?: DeviceLockClasses;
  json?: boolean;
  timeline?: boolean;
  trace?: string;
  html?: string;
  shard?: Shard;
  workers?: number;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

function shardOf(value: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(value);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new InvalidArgumentError('expected i/n with 1 <= i <= n, e.g. 2/4');
  return { index: Number(m[1]) - 1, count: Number(m[2]) };
}

/** What one shard prints, for `kemu merge`. */
interface ShardFile {
  kemu: 'shard';
  /** The options that shaped the runs: the merged failures are replayed with them. */
  shape: RunShape;
  target: { name: string; variant: string };
  shard: Shard;
  result: SearchResult;
}

function strategyOf(flags: ExploreFlags, fallback: StrategySpec): StrategySpec {
  switch (flags.strategy) {
    case undefined: return fallback;
    case 'dpor': return 'dpor';
    case 'exhaustive': return 'exhaustive';
    case 'bounded': return { kind: 'bounded', preemptions: flags.preemptions ?? 2 };
    case 'random': return { kind: 'random', seed: flags.seed ?? 1, runs: flags.runs ?? 1000 };
    case 'pct': return { kind: 'pct', depth: flags.depth ?? 3, seed: flags.seed ?? 1, runs: flags.runs ?? 1000 };
    default: throw new KemuError('unknown-name', `unknown strategy "${flags.strategy}": use dpor, exhaustive, bounded, random or pct`);
  }
}

/** Writes the --trace (Chrome/Perfetto JSON) and --html (timeline page) files a command was asked for. */
function writeViews(flags: ExploreFlags, run: CapturedRun | undefined, title: string, out: Output): void {
  for (const [path, what] of [[flags.trace, 'trace'], [flags.html, 'timeline page']] as const) {
    if (!path) continue;
    if (!run) {
      out.print(out.color.dim(`no failing run to draw; ${path} not written`));
      continue;
    }
    writeFileSync(path, what === 'trace' ? JSON.stringify(toChromeTrace(run, title)) : renderHtmlTimeline(run, title));
    out.print(out.color.dim(what === 'trace' ? `trace written to ${path} (open it in ui.perfetto.dev or chrome://tracing)` : `timeline page written to ${path}`));
  }
}

/** A board or scenario as the command line names it, with the run shape its flags give. */
function targetOf(catalog: Catalog, name: string, flags: ExploreFlags, want: 'board' | 'any' = 'any'): Target {
  return resolveTarget(catalog, name, flags.kernel, want, runShapeOf(flags));
}

async function exploreTarget(out: Output, catalog: Catalog, target: Target, flags: ExploreFlags): Promise<number> {
  const shape: RunShape = runShapeOf(flags);
  const notValidated = new Set<string>();
  const options: ExploreOptions = {
    strategy: strategyOf(flags, target.strategy),
    maxSchedules: flags.maxSchedules,
    maxSteps: shape.maxSteps,
    timeLimitMs: flags.timeLimit !== undefined ? flags.timeLimit * 1000 : undefined,
    stopOnFirstFailure: flags.first,
    lockdep: shape.lockdep,
    onRunEnd: (kernel) => kernel.lockdep.notValidated.forEach((cls) => notValidated.add(cls)),
  };
  const progress = (p: ExploreProgress) => out.progress(`exploring ${target.label}: ${p.schedules.toLocaleString('en-US')} schedules, ` +
    `${Math.round(p.schedules / (p.elapsedMs / 1000)).toLocaleString('en-US')}/s, ${p.failures} failure${p.failures === 1 ? '' : 's'} so far`);
  if (flags.shard) {
    const result = await search(target.scenario, { ...options, shard: flags.shard });
    const file: ShardFile = { kemu: 'shard', shape, target: { name: target.name, variant: target.variant }, shard: flags.shard, result };
    out.print(JSON.stringify(file));
    return result.found.length > 0 ? EXIT_FAILURE_FOUND : EXIT_OK;
  }
  let found: SearchResult;
  if (flags.workers !== undefined && flags.workers > 1) {
    if (!catalog.workerSource) throw new KemuError('bad-usage', 'this catalog cannot be loaded by worker threads (it has no workerSource)');
    out.progress(`exploring ${target.label} in ${flags.workers} worker threads…`);
    try {
      found = await searchInWorkers({ ...catalog.workerSource, args: [target.name, target.variant || undefined] }, options, flags.workers);
    } finally {
      out.endProgress();
    }
  } else {
    try {
      found = await search(target.scenario, { ...options, onProgress: progress });
    } finally {
      out.endProgress();
    }
  }
  return presentResult(out, target, await finishSearch(target.scenario, found, options), flags, [...notValidated]);
}

/** `notValidated`: lock classes the runs took without lockdep validating them (known only for in-process searches). */
function presentResult(out: Output, target: Target, result: ExploreResult, flags: ExploreFlags, notValidated: string[] = []): number {
  if (flags.json) out.print(JSON.stringify(explorationJson(target, result, notValidated), null, 2));
  else presentExploration(out, target, result, { timeline: flags.timeline !== false, notValidated });
  writeViews(flags, result.failures[0]?.run, target.label, out);
  return result.failures.length > 0 ? EXIT_FAILURE_FOUND : EXIT_OK;
}

/** `kemu merge`: the shards of one exploration, merged, shrunk and replayed as one result. */
async function mergeShardFiles(out: Output, catalog: Catalog, paths: string[], flags: ExploreFlags): Promise<number> {
  const files = paths.map((path) => {
    let parsed: ShardFile;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8')) as ShardFile;
    } catch (error) {
      throw new KemuError('bad-usage', `${path}: not a kemu shard result (${(error as Error).message})`);
    }
    if (parsed.kemu !== 'shard') throw new KemuError('bad-usage', `${path}: not a kemu shard result (run \`kemu explore … --shard i/n\` to make one)`);
    if (!parsed.shape) throw new KemuError('bad-usage', `${path}: a shard result without its run options (made by an older kemu): run the shard again`);
    return { path, ...parsed };
  });
  const first = files[0]!;
  for (const f of files) {
    if (f.target.name !== first.target.name || f.target.variant !== first.target.variant || f.result.strategy !== first.result.strategy ||
      f.shard.count !== first.shard.count || JSON.stringify(f.shape) !== JSON.stringify(first.shape)) {
      throw new KemuError('bad-usage', `${f.path} is a shard of another exploration (${f.target.name} ${f.target.variant} ${f.result.strategy}, ${f.shard.count} shards) than ${first.path}`);
    }
  }
  const missing = Array.from({ length: first.shard.count }, (_, i) => i).filter((i) => !files.some((f) => f.shard.index === i));
  if (missing.length > 0) throw new KemuError('bad-usage', `shards ${missing.map((i) => `${i + 1}/${first.shard.count}`).join(', ')} are missing`);
  const shape = first.shape;
  const target = resolveTarget(catalog, first.target.name, first.target.variant || undefined, 'any', shape);
  const merged = mergeSearches(files.map((f) => f.result));
  return presentResult(out, target, await finishSearch(target.scenario, merged, { lockdep: shape.lockdep, maxSteps: shape.maxSteps }), flags);
}

/** `--validate-device-mutex` and `--device-lock-classes`: what every command that runs a schedule takes. */
function deviceMutexOptions(command: Command): Command {
  return command
    .option('--validate-device-mutex', 'let lockdep validate &dev->mutex, which the kernel does not (a class per device)')
    .addOption(new Option('--device-lock-classes <classes>', 'validate &dev->mutex with a class per device, per driver or per bus')
      .choices(['device', 'driver', 'bus']));
}

function exploreOptions(command: Command): Command {
  return deviceMutexOptions(command)
    .option('-k, --kernel <variant>', 'kernel variant (see `kemu list variants`)')
    .addOption(new Option('-s, --strategy <name>', 'how to explore').choices(['dpor', 'exhaustive', 'bounded', 'random', 'pct']))
    .option('--preemptions <n>', 'bounded: most preemptions per schedule', positiveInt)
    .option('--seed <n>', 'random/pct: seed of the first run', positiveInt)
    .option('--runs <n>', 'random/pct: number of runs', positiveInt)
    .option('--depth <d>', 'pct: bug depth d', positiveInt)
    .option('--max-schedules <n>', 'stop after this many schedules', positiveInt)
    .option('--max-steps <n>', 'steps allowed in one schedule', positiveInt)
    .option('--time-limit <seconds>', 'stop after this long', positiveInt)
    .option('--first', 'stop at the first failure')
    .option('--json', 'print the result as JSON')
    .option('--no-timeline', 'leave out the timeline of each failing schedule')
    .option('--trace <file>', 'write the first failing schedule as a Chrome/Perfetto trace')
    .option('--html <file>', 'write the first failing schedule as a self-contained timeline page')
    .option('--shard <i/n>', 'explore only shard i of n (not dpor) and print it as JSON for `kemu merge`', shardOf)
    .option('--workers <n>', 'explore in n worker threads (not dpor)', positiveInt);
}

export function buildProgram(catalog: Catalog, out: Output, setExit: (code: number) => void): Command {
  const program = new Command('kemu')
    .description('Explore interleavings of emulated Linux driver-core and IOMMU code; find and replay deadlocks and lockups.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program.command('list')
    .description('list boards, scenarios and kernel variants')
    .argument('[what]', 'boards, scenarios or variants (default: all)')
    .option('--json', 'print as JSON')
    .action((what: string | undefined, flags: { json?: boolean }) => {
      const sections = { boards: catalog.boards, scenarios: catalog.scenarios, variants: KERNEL_VARIANTS };
      if (what !== undefined && !(what in sections)) throw new KemuError('unknown-name', `cannot list "${what}": use boards, scenarios or variants`);
      const wanted = what ? [what as keyof typeof sections] : (Object.keys(sections) as (keyof typeof sections)[]);
      if (flags.json) {
        out.print(JSON.stringify(Object.fromEntries(wanted.map((k) => [k, sections[k].map((e) => ({ ...e }))])), null, 2));
        return;
      }
      for (const key of wanted) {
        out.print(out.color.bold(key));
        const rows = key === 'variants'
          ? KERNEL_VARIANTS.map((v) => [v.name, v.summary])
          : sections[key].map((e) => {
            const entry = e as Catalog['boards'][number];
            return [entry.name, entry.summary, entry.variants.length ? entry.variants.join(' ') : '(any)', entry.defaultVariant || '-'];
          });
        out.print(out.table(key === 'variants' ? ['variant', 'what it is'] : ['name', 'what it is', 'variants', 'default'], rows));
        out.print();
      }
    });

  exploreOptions(program.command('run')
    .description('run a named scenario or board with its default exploration')
    .argument('<name>', 'scenario or board (see `kemu list`)'))
    .action(async (name: string, flags: ExploreFlags) => setExit(await exploreTarget(out, catalog, targetOf(catalog, name, flags), flags)));

  exploreOptions(program.command('explore')
    .description('explore the interleavings of a scenario or a board boot with a chosen strategy')
    .argument('<name>', 'scenario or board (see `kemu list`)'))
    .action(async (name: string, flags: ExploreFlags) => setExit(await exploreTarget(out, catalog, targetOf(catalog, name, flags), flags)));

  program.command('merge')
    .description('merge the results of `kemu explore … --shard i/n` into one (e.g. from a CI matrix)')
    .argument('<files...>', 'one JSON file per shard')
    .option('--json', 'print the merged result as JSON')
    .option('--no-timeline', 'leave out the timeline of each failing schedule')
    .option('--trace <file>', 'write the first failing schedule as a Chrome/Perfetto trace')
    .option('--html <file>', 'write the first failing schedule as a self-contained timeline page')
    .action(async (paths: string[], flags: ExploreFlags) => setExit(await mergeShardFiles(out, catalog, paths, flags)));

  deviceMutexOptions(program.command('replay')
    .description('replay one schedule from its token: dmesg, reports and timeline')
    .argument('<name>', 'scenario or board the token belongs to')
    .argument('<token>', 'replay token (k1.…)'))
    .option('-k, --kernel <variant>', 'kernel variant the token was found on')
    .option('--max-steps <n>', 'steps allowed in one schedule, as in the run the token came from', positiveInt)
    .option('--json', 'print the run as JSON')
    .option('--no-timeline', 'leave out the timeline')
    .option('--trace <file>', 'write the run as a Chrome/Perfetto trace')
    .option('--html <file>', 'write the run as a self-contained timeline page')
    .action(async (name: string, token: string, flags: ExploreFlags) => {
      const target = targetOf(catalog, name, flags);
      const run = await replay(target.scenario, token, runShapeOf(flags));
      if (flags.json) out.print(JSON.stringify(run, null, 2));
      else presentRun(out, target, run, { timeline: flags.timeline !== false });
      writeViews(flags, run, target.label, out);
      setExit(run.reports.length > 0 ? EXIT_FAILURE_FOUND : EXIT_OK);
    });

  program.command('boot')
    .description('boot a board once (no preemption) and print its dmesg; on a hang, the hung-task report')
    .argument('<board>', 'board (see `kemu list boards`)')
    .option('-k, --kernel <variant>', 'kernel variant')
    .option('--json', 'print the run as JSON')
    .option('--timeline', 'also print the timeline')
    .option('--trace <file>', 'write the boot as a Chrome/Perfetto trace')
    .option('--html <file>', 'write the boot as a self-contained timeline page')
    .action(async (name: string, flags: ExploreFlags) => {
      const target = resolveTarget(catalog, name, flags.kernel, 'board');
      const run = await runOnce(target.scenario);
      if (flags.json) out.print(JSON.stringify(run, null, 2));
      else presentRun(out, target, run, { timeline: flags.timeline === true });
      writeViews(flags, run, `${target.label} (boot)`, out);
      const failed = run.reports.length > 0;
      if (!flags.json) {
        out.print();
        out.print(failed ? out.color.red(`✗ ${target.label}: ${run.reports.map((r) => r.title).join('; ')}`)
          : out.color.green(`✓ ${target.label} booted (${run.steps} steps); \`kemu explore ${name} --kernel ${target.variant}\` checks every interleaving`));
      }
      setExit(failed ? EXIT_FAILURE_FOUND : EXIT_OK);
    });

  deviceMutexOptions(program.command('bisect')
    .description('explore a board\'s boot on every kernel variant it lists: boots (and how healthy), hangs or warns, and where')
    .argument('<board>', 'board (see `kemu list boards`)'))
    .option('--json', 'print the rows as JSON')
    .action(async (name: string, flags: ExploreFlags) => {
      const board = catalog.boards.find((b) => b.name === name);
      if (!board) throw new KemuError('unknown-name', `unknown board "${name}"; boards: ${catalog.boards.map((b) => b.name).join(', ') || 'none'}`);
      setExit(await runBisect(out, board, flags.json === true, runShapeOf(flags)));
    });

  return program;
}

/** Runs the command; resolves to the exit code. */
export async function main(argv: string[], catalog: Catalog, out: Output = terminalOutput()): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram(catalog, out, (c) => (code = c));
  try {
    if (argv.length === 0) return await runDemo(catalog, out);
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (KemuError.is(error)) {
      out.endProgress();
      process.stderr.write(`kemu: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

