/**
 * The kemu command. It is given the plug-ins to load first (bin/kemu.ts: the
 * built-in catalog, catalog/builtin.ts), then loads kemu.config.* and each
 * `--load` module the same way (plugins.ts), parses the command line, and
 * returns an exit code scripts can rely on (exit-codes.ts).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { KemuError } from '../kernel/errors.js';
import { finishSearch, mergeSearches, replay, runOnce, search, type ExploreOptions, type FoundFailure, type SearchResult } from '../explore/explore.js';
import type { ExploreProgress, ExploreResult } from '../explore/result.js';
import type { Shard, StrategySpec } from '../explore/strategy.js';
import type { Catalog } from '../machine/catalog.js';
import { kernelVariants } from '../machine/kernel-variants.js';
import { flagName, type Parameters } from '../machine/parameters.js';
import { terminalOutput, type Output } from './output.js';
import { explorationJson, presentExploration, presentRun, runJson } from './present.js';
import { requestShape, resolveBoard, resolveTarget, type Target } from './targets.js';
import { DEFAULT_WATCHDOG_SECONDS, resolvedRequest, runWatch, type CommandSupervisor } from './watch.js';
import { firmwareOptions, targetRequest, type TargetFlags } from './target-options.js';
import { commandPlugins, loadCatalog } from './plugins.js';
import { workerSource } from './worker-target.js';
import { ftraceFile } from './ftrace-file.js';
import { EXIT_CODES_HELP, EXIT_FAILURE_FOUND, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, internalErrorMessage } from './exit-codes.js';
import { interruptibly, sigint, unshrunk, type InterruptSource, type Interruptible } from './interrupt.js';
import { addParameterOptions, givenParameters, namedTarget } from './parameter-options.js';
import { checkViews, chosenFailure, writeViews } from './views.js';
import { kemuVersion } from './version.js';
import { grouped } from '../kernel/grouped.js';

/** What the command needs from its surroundings besides its output: where Ctrl-C comes from, and who watches its runs. */
export interface CommandEnv {
  interrupts: InterruptSource;
  /** The main thread, when the command runs in a worker thread under its watchdog (supervisor.ts); absent in the main thread. */
  supervisor?: CommandSupervisor;
}

interface ExploreFlags extends TargetFlags {
  strategy?: string;
  preemptions?: number;
  seed?: number;
  runs?: number;
  depth?: number;
  maxSchedules?: number;
  timeLimit?: number;
  first?: boolean;
  json?: boolean;
  timeline?: boolean;
  detail?: 'story' | 'ops';
  trace?: string;
  html?: string;
  failure?: number;
  shard?: Shard;
  claims?: string;
  workers?: number;
  ftrace?: string;
  symmetry?: boolean;
  watchdog: number;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

/** A count that must be at least 1: a PCT depth, a step bound, a schedule or worker count. */
function atLeastOne(value: string): number {
  const n = positiveInt(value);
  if (n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

function shardOf(value: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(value);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new InvalidArgumentError('expected i/n with 1 <= i <= n, e.g. 2/4');
  return { index: Number(m[1]) - 1, count: Number(m[2]) };
}

function strategyOf(flags: ExploreFlags, fallback: StrategySpec): StrategySpec {
  switch (flags.strategy) {
    case undefined: return fallback;
    case 'default': return 'default';
    case 'dpor': return 'dpor';
    case 'exhaustive': return 'exhaustive';
    case 'bounded': return { kind: 'bounded', preemptions: flags.preemptions ?? 2 };
    case 'random': return { kind: 'random', seed: flags.seed ?? 1, runs: flags.runs ?? 1000 };
    case 'pct': return { kind: 'pct', depth: flags.depth ?? 3, seed: flags.seed ?? 1, runs: flags.runs ?? 1000 };
    default: throw new KemuError('unknown-name', `unknown strategy "${flags.strategy}": use default, dpor, exhaustive, bounded, random or pct`);
  }
}

/**
 * The strategy a split exploration (--shard, --workers) uses: the default
 * search's stages are budgeted over the whole search, so split it is DPOR over
 * everything, its last stage.
 */
function splitStrategy(spec: StrategySpec, split: boolean): StrategySpec {
  const kind = typeof spec === 'string' ? spec : spec.kind;
  return split && kind === 'default' ? 'dpor' : spec;
}

async function exploreTarget(out: Output, catalog: Catalog, target: Target, flags: ExploreFlags, env: CommandEnv, { signal, lastWords }: Interruptible): Promise<number> {
  checkViews(flags);
  const shape = requestShape(target.request);
  const resolved = resolvedRequest(target);
  const watch = runWatch(env.supervisor, flags.watchdog, catalog);
  watch.runs(resolved);
  const split = flags.shard !== undefined || (flags.workers !== undefined && flags.workers > 1);
  const options: ExploreOptions = {
    strategy: splitStrategy(strategyOf(flags, target.strategy), split),
    maxSchedules: flags.maxSchedules ?? (flags.strategy === undefined ? target.maxSchedules : undefined),
    maxSteps: shape.maxSteps,
    timeLimitMs: flags.timeLimit !== undefined ? flags.timeLimit * 1000 : undefined,
    stopOnFirstFailure: flags.first,
    lockdep: shape.lockdep,
    symmetry: flags.symmetry,
  };
  const onFailure = (f: FoundFailure) => watch.found(f.signature, target.replayCommand(f.token));
  // `where` the search runs (its threads, its shard) comes after the counts, which a narrow terminal must not cut off.
  const progressIn = (where: string) => (p: ExploreProgress) => out.progress(`${target.label}: ${grouped(p.schedules)} schedules ` +
    `(${grouped(Math.round(p.schedules / (p.elapsedMs / 1000)))}/s)${where}, ${p.failures} failure${p.failures === 1 ? '' : 's'} so far`);
  const progress = progressIn('');
  if (flags.claims !== undefined && !flags.shard) throw new KemuError('bad-usage', '--claims shares the leaves of a sharded exploration: give --shard i/n with it');
  if (flags.shard && flags.workers !== undefined && flags.workers > 1) {
    throw new KemuError('bad-usage', '--shard and --workers do not combine: run one shard per core instead (more shards than machines), ' +
      'with --claims on a directory they all share so that they balance as worker threads do');
  }
  if (flags.shard) {
    const { shardFileOf } = await import('./shard-file.js');
    const shard: Shard = flags.claims === undefined ? flags.shard
      : { ...flags.shard, claimDirectory: { directory: flags.claims, exploration: explorationName(target, options.strategy!, flags.shard.count) } };
    let result: SearchResult;
    try {
      // The shard's JSON goes to stdout, usually a file; its progress to a terminal's stderr, as any search's.
      result = await search(target.scenario, { ...options, shard, onFailure, signal, onProgress: progressIn(` in shard ${shard.index + 1}/${shard.count}`) });
    } finally {
      out.endProgress();
    }
    out.print(JSON.stringify(shardFileOf(target, shard, result)));
    return result.stoppedBy === 'interrupted' ? EXIT_INTERRUPTED : result.found.length > 0 ? EXIT_FAILURE_FOUND : EXIT_OK;
  }
  let found: SearchResult;
  if (flags.workers !== undefined && flags.workers > 1) {
    out.progress(`exploring ${target.label} in ${flags.workers} worker threads…`);
    const { searchInWorkers } = await import('../explore/parallel.js');
    try {
      found = await searchInWorkers(workerSource(catalog.sources, resolved), options, flags.workers,
        { signal, onFailure, onProgress: progressIn(` on ${flags.workers} threads`), heartbeat: () => watch.heartbeat(resolved) });
    } finally {
      out.endProgress();
    }
  } else {
    try {
      found = await search(target.scenario, { ...options, onProgress: progress, onFailure, signal });
    } finally {
      out.endProgress();
    }
  }
  // A second Ctrl-C while the findings are shrunk and replayed quits, but not before printing their tokens.
  lastWords(() => {
    for (const f of found.found) out.error(unshrunk(f.signature, target.replayCommand(f.token)));
  });
  return presentResult(out, target, await finishSearch(target.scenario, found, options), flags);
}

/** What names one exploration in a claims directory: the same in all its shards, different for any other. */
function explorationName(target: Target, strategy: StrategySpec, shards: number): string {
  return JSON.stringify({ target: target.name, variant: target.variant, request: target.request, strategy, shards });
}

function presentResult(out: Output, target: Target, result: ExploreResult, flags: ExploreFlags): number {
  const drawn = chosenFailure(result.failures, flags.failure);
  if (flags.json) out.print(JSON.stringify(explorationJson(target, result), null, 2));
  else presentExploration(out, target, result, { timeline: flags.timeline !== false, width: out.width, detail: flags.detail });
  writeViews(out, flags, target, drawn?.failure.run ?? null, drawn ? `${target.label}, failure [${drawn.number}]: ${drawn.failure.title}` : target.label);
  if (result.stoppedBy === 'interrupted') return EXIT_INTERRUPTED;
  return result.failures.length > 0 ? EXIT_FAILURE_FOUND : EXIT_OK;
}

/** `kemu merge`: the shards of one exploration, merged, shrunk and replayed as one result. */
async function mergeShardFiles(out: Output, catalog: Catalog, paths: string[], flags: ExploreFlags, env: CommandEnv): Promise<number> {
  checkViews(flags);
  const { readShardFile, unfinishedShardNotes } = await import('./shard-file.js');
  const files = paths.map((path) => ({ path, ...readShardFile(path) }));
  const first = files[0]!;
  for (const f of files) {
    if (f.target.name !== first.target.name || f.target.variant !== first.target.variant || f.result.strategy !== first.result.strategy ||
      f.shard.count !== first.shard.count || JSON.stringify(f.target.request) !== JSON.stringify(first.target.request)) {
      throw new KemuError('bad-usage', `${f.path} is a shard of another exploration (${f.target.name} ${f.target.variant} ${f.result.strategy}, ${f.shard.count} shards) than ${first.path}`);
    }
  }
  for (const f of files) {
    const twice = files.find((g) => g !== f && g.shard.index === f.shard.index);
    if (twice) throw new KemuError('bad-usage', `shard ${f.shard.index + 1}/${f.shard.count} is given twice: ${f.path} and ${twice.path}`);
    if ((f.shard.claims === undefined) !== (first.shard.claims === undefined)) {
      throw new KemuError('bad-usage', `${f.path} and ${first.path} split the exploration differently: one claimed its leaves (--claims), the other did not`);
    }
  }
  const missing = Array.from({ length: first.shard.count }, (_, i) => i).filter((i) => !files.some((f) => f.shard.index === i));
  if (missing.length > 0) throw new KemuError('bad-usage', `shards ${missing.map((i) => `${i + 1}/${first.shard.count}`).join(', ')} are missing`);
  const target = await resolveTarget(catalog, first.target.request);
  const shape = requestShape(target.request);
  runWatch(env.supervisor, flags.watchdog, catalog).runs(resolvedRequest(target));
  const merged = mergeSearches(files.map((f) => f.result));
  for (const note of unfinishedShardNotes(files)) out.error(out.color.yellow(note));
  const code = presentResult(out, target, await finishSearch(target.scenario, merged, { lockdep: shape.lockdep, maxSteps: shape.maxSteps }), flags);
  // A shard that was interrupted is an incomplete merge, not an interrupted one: 130 would say Ctrl-C stopped kemu merge.
  return code === EXIT_INTERRUPTED ? (merged.found.length > 0 ? EXIT_FAILURE_FOUND : EXIT_OK) : code;
}

/** `--validate-device-mutex` and `--device-lock-classes`: what every command that runs a schedule takes. */
function deviceMutexOptions(command: Command): Command {
  return command
    .option('--validate-device-mutex', 'let lockdep validate &dev->mutex, which the kernel does not (a class per device)')
    .addOption(new Option('--device-lock-classes <classes>', 'validate &dev->mutex with a class per device, per driver or per bus')
      .choices(['device', 'driver', 'bus']));
}

const detailOption = () => new Option('--detail <level>', 'timeline rows: the story (notes, locks, polls) or every step').choices(['story', 'ops']);

const watchdogOption = () => new Option('--watchdog <seconds>', 'stop a task that runs this long without a scheduling point (an endless loop); 0: never')
  .argParser(positiveInt).default(DEFAULT_WATCHDOG_SECONDS);

const ftraceOption = (what: string) => new Option('--ftrace <file>', `write ${what} steps, locks, printk lines and probes as an ftrace-style text trace`);

function exploreOptions(command: Command): Command {
  return deviceMutexOptions(firmwareOptions(command))
    .option('-k, --kernel <variant>', 'kernel variant (see `kemu list variants`)')
    .addOption(new Option('-s, --strategy <name>', 'how to explore').choices(['default', 'dpor', 'exhaustive', 'bounded', 'random', 'pct']))
    .option('--preemptions <n>', 'bounded: most preemptions per schedule', positiveInt)
    .option('--seed <n>', 'random/pct: seed of the first run', positiveInt)
    .option('--runs <n>', 'random/pct: number of runs', atLeastOne)
    .option('--depth <d>', 'pct: bug depth d', atLeastOne)
    .option('--max-schedules <n>', 'stop after this many schedules (default: no limit)', atLeastOne)
    .option('--max-steps <n>', 'steps allowed in one schedule', atLeastOne)
    .option('--time-limit <seconds>', 'stop after this long', positiveInt)
    .option('--first', 'stop at the first failure')
    .option('--no-symmetry', 'dpor: explore apart schedules that differ only by swapping twin tasks')
    .option('--json', 'print the result as JSON')
    .option('--no-timeline', 'leave out the timeline of each failing schedule')
    .addOption(detailOption())
    .option('--trace <file>', 'write a failing schedule as a Chrome/Perfetto trace (see --failure)')
    .option('--html <file>', 'write a failing schedule as a self-contained timeline page (see --failure)')
    .option('--failure <n>', 'which failure --trace and --html draw, as numbered [n] (default: the first that kills a task)', positiveInt)
    .option('--shard <i/n>', 'explore only shard i of n and print it as JSON for `kemu merge` (the default search: as dpor)', shardOf)
    .option('--claims <dir>', 'with --shard: a shard explores the leaves it claims first in this directory, which every shard shares (a new one for each exploration)')
    .option('--workers <n>', 'explore in n worker threads (the default search: as dpor)', atLeastOne)
    .addOption(watchdogOption());
}

/** The command, loading `plugins` (module URLs) and then the user's before any subcommand runs. */
export function buildProgram(plugins: readonly string[], out: Output, setExit: (code: number) => void, env: CommandEnv = { interrupts: sigint }): Command {
  const program = new Command('kemu')
    .description('Explore interleavings of emulated Linux driver-core and IOMMU code; find and replay deadlocks and lockups.')
    .version(`kemu ${kemuVersion()}`, '-V, --version', 'print the version')
    .option('--load <module>', 'load a plug-in: boards, drivers, scenarios, kernel variants (repeatable)', (spec: string, all: string[] = []) => [...all, spec])
    .addHelpText('after', `\n${EXIT_CODES_HELP}`)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (text) => out.print(text.trimEnd()), writeErr: (text) => out.error(text.trimEnd()) })
    .exitOverride();
  const load = (): string[] => program.opts<{ load?: string[] }>().load ?? [];
  let catalog!: Catalog;
  /** The parameters of the scenario the command names, added to the command as options. */
  let parameters: Parameters | undefined;
  program.hook('preSubcommand', async (_program, command) => {
    catalog = await loadCatalog(commandPlugins(plugins, load(), process.cwd()));
    if (!TARGET_COMMANDS.includes(command.name())) return;
    // program.args: the command's name, then its arguments.
    const name = namedTarget(catalog, command, program.args.slice(1));
    parameters = (await catalog.scenarios.find((s) => s.name === name)?.load())?.parameters;
    if (parameters) addParameterOptions(command, name!, parameters);
  });
  const request = (name: string | undefined, flags: ExploreFlags) =>
    targetRequest(name, flags, load(), givenParameters(parameters, flags));

  program.command('list')
    .description('list boards, scenarios and kernel variants')
    .argument('[what]', 'boards, scenarios or variants (default: all)')
    .option('--json', 'print as JSON')
    .action(async (what: string | undefined, flags: { json?: boolean }) => {
      const variants = kernelVariants().map((v) => ({ name: v.name, summary: v.summary, ...(v.base ? { base: v.base } : {}) }));
      const kinds = ['boards', 'scenarios', 'variants'] as const;
      if (what !== undefined && !(kinds as readonly string[]).includes(what)) throw new KemuError('unknown-name', `cannot list "${what}": use boards, scenarios or variants`);
      const wanted = what ? [what as (typeof kinds)[number]] : kinds;
      // Listing needs what each entry says of itself: every board and scenario is loaded.
      const boards = wanted.includes('boards') ? await Promise.all(catalog.boards.map((e) => e.load())) : [];
      const scenarios = wanted.includes('scenarios') ? await Promise.all(catalog.scenarios.map((e) => e.load())) : [];
      if (flags.json) {
        const sections = { boards, scenarios: scenarios.map((e) => ({ ...e, parameters: parameterList(e.parameters) })), variants };
        out.print(JSON.stringify(Object.fromEntries(wanted.map((k) => [k, sections[k].map((e) => ({ ...e }))])), null, 2));
        return;
      }
      for (const key of wanted) {
        out.print(out.color.bold(key));
        const rows = key === 'variants'
          ? variants.map((v) => [v.name, v.base ? `${v.summary} (patches ${v.base})` : v.summary])
          : (key === 'boards' ? boards : scenarios).map((entry) =>
            [entry.name, entry.summary, entry.variants.length ? entry.variants.join(' ') : '(any)', entry.defaultVariant || '-']);
        out.print(out.table(key === 'variants' ? ['variant', 'what it is'] : ['name', 'what it is', 'variants', 'default'], rows));
        const parameterRows = key === 'scenarios' ? scenarios.flatMap((e) => parameterList(e.parameters).map((p) =>
          [e.name, p.operand ? `${p.flag} ${p.operand}` : p.flag, typeof p.default === 'boolean' ? '-' : String(p.default), p.help])) : [];
        if (parameterRows.length > 0) {
          out.print();
          out.print(out.color.bold('scenario parameters'));
          out.print(out.table(['scenario', 'option', 'default', 'what it sets'], parameterRows));
        }
        out.print();
      }
    });

  exploreOptions(program.command('run')
    .description('run a named scenario or board with its default exploration')
    .argument('[name]', 'scenario or board (see `kemu list`); leave out with --dtb, --dts or --dmar'))
    .action(async (name: string | undefined, flags: ExploreFlags) => setExit(await interruptibly(env.interrupts, out,
      async (session) => exploreTarget(out, catalog, await resolveTarget(catalog, request(name, flags)), flags, env, session))));

  exploreOptions(program.command('explore')
    .description('explore the interleavings of a scenario or a board boot with a chosen strategy')
    .argument('[name]', 'scenario or board (see `kemu list`); leave out with --dtb, --dts or --dmar'))
    .action(async (name: string | undefined, flags: ExploreFlags) => setExit(await interruptibly(env.interrupts, out,
      async (session) => exploreTarget(out, catalog, await resolveTarget(catalog, request(name, flags)), flags, env, session))));

  program.command('merge')
    .description('merge the results of `kemu explore … --shard i/n` into one (e.g. from a CI matrix)')
    .argument('<files...>', 'one JSON file per shard')
    .option('--json', 'print the merged result as JSON')
    .option('--no-timeline', 'leave out the timeline of each failing schedule')
    .option('--trace <file>', 'write a failing schedule as a Chrome/Perfetto trace (see --failure)')
    .option('--html <file>', 'write a failing schedule as a self-contained timeline page (see --failure)')
    .option('--failure <n>', 'which failure --trace and --html draw, as numbered [n]', positiveInt)
    .addOption(watchdogOption())
    .action(async (paths: string[], flags: ExploreFlags) => setExit(await mergeShardFiles(out, catalog, paths, flags, env)));

  deviceMutexOptions(firmwareOptions(program.command('replay')
    .description('replay one schedule from its token: dmesg, reports and timeline')
    .argument('<name>', 'scenario or board the token belongs to (leave out with --dtb, --dts or --dmar)')
    .argument('[token]', 'replay token (k1.…)')))
    .option('-k, --kernel <variant>', 'kernel variant the token was found on')
    .option('--max-steps <n>', 'steps allowed in one schedule, as in the run the token came from', atLeastOne)
    .option('--json', 'print the run as JSON')
    .option('--no-timeline', 'leave out the timeline')
    .addOption(detailOption())
    .option('--trace <file>', 'write the run as a Chrome/Perfetto trace')
    .option('--html <file>', 'write the run as a self-contained timeline page')
    .addOption(ftraceOption('the run\'s'))
    .addOption(watchdogOption())
    .action(async (first: string, second: string | undefined, flags: ExploreFlags) => {
      const [name, token] = second === undefined ? [undefined, first] : [first, second];
      const target = await resolveTarget(catalog, request(name, flags));
      checkViews(flags);
      runWatch(env.supervisor, flags.watchdog, catalog).runs(resolvedRequest(target));
      const ftrace = ftraceFile(flags.ftrace);
      const run = await replay(ftrace.scenario(target.scenario), token, requestShape(target.request));
      if (flags.json) out.print(JSON.stringify(runJson(target, run, token), null, 2));
      else presentRun(out, target, run, { timeline: flags.timeline !== false, width: out.width, detail: flags.detail });
      writeViews(out, flags, target, run, `${target.label}, replay of ${token}`);
      ftrace.write(out);
      setExit(run.reports.length > 0 ? EXIT_FAILURE_FOUND : EXIT_OK);
    });

  firmwareOptions(program.command('boot')
    .description('boot a board once (no preemption) and print its dmesg; on a hang, the hung-task report')
    .argument('[board]', 'board (see `kemu list boards`); leave out with --dtb, --dts or --dmar'))
    .option('-k, --kernel <variant>', 'kernel variant')
    .option('--json', 'print the run as JSON')
    .option('--timeline', 'also print the timeline')
    .addOption(detailOption())
    .option('--trace <file>', 'write the boot as a Chrome/Perfetto trace')
    .option('--html <file>', 'write the boot as a self-contained timeline page')
    .addOption(ftraceOption('the boot\'s'))
    .addOption(watchdogOption())
    .action(async (name: string | undefined, flags: ExploreFlags) => {
      const target = await resolveTarget(catalog, request(name, flags), 'board');
      checkViews(flags);
      runWatch(env.supervisor, flags.watchdog, catalog).runs(resolvedRequest(target));
      const ftrace = ftraceFile(flags.ftrace);
      const run = await runOnce(ftrace.scenario(target.scenario));
      if (flags.json) out.print(JSON.stringify(runJson(target, run, run.token), null, 2));
      else presentRun(out, target, run, { timeline: flags.timeline === true, width: out.width, detail: flags.detail });
      writeViews(out, flags, target, run, `${target.label} (boot)`);
      ftrace.write(out);
      const failed = run.reports.length > 0;
      if (!flags.json) {
        out.print();
        out.print(failed ? out.color.red(`✗ ${target.label}: ${run.reports.map((r) => r.title).join('; ')}`)
          : out.color.green(`✓ ${target.label} booted (${run.steps} steps); \`${target.command('explore')}\` checks every interleaving`));
      }
      setExit(failed ? EXIT_FAILURE_FOUND : EXIT_OK);
    });

  deviceMutexOptions(firmwareOptions(program.command('bisect')
    .description('explore a board\'s boot on every kernel variant it lists: boots (and how healthy), hangs or warns, and where')
    .argument('[board]', 'board (see `kemu list boards`); leave out with --dtb, --dts or --dmar')))
    .option('--json', 'print the rows as JSON')
    .addOption(watchdogOption())
    .action(async (name: string | undefined, flags: ExploreFlags) => {
      const asked = request(name, flags);
      const board = await resolveBoard(catalog, asked);
      const { runBisect } = await import('./bisect.js');
      setExit(await interruptibly(env.interrupts, out, ({ signal }) => runBisect(out, board, asked, flags.json === true, runWatch(env.supervisor, flags.watchdog, catalog), signal)));
    });

  return program;
}

/** A scenario's parameters as `kemu list` shows them. */
function parameterList(parameters: Parameters | undefined): { flag: string; operand: string | null; default: unknown; help: string }[] {
  return Object.entries(parameters ?? {}).map(([name, p]) => ({ flag: flagName(name), operand: p.operand, default: p.default, help: p.help }));
}

/** The commands that name a board or scenario to run, and take a scenario's parameters. */
const TARGET_COMMANDS = ['run', 'explore', 'replay'];

/** Runs the command with `plugins` (module URLs) loaded before the user's; resolves to the exit code. */
export async function main(argv: string[], plugins: readonly string[], out: Output = terminalOutput(), env: CommandEnv = { interrupts: sigint }): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram(plugins, out, (c) => (code = c), env);
  try {
    if (argv.length === 0) {
      const { runDemo } = await import('./demo.js');
      const catalog = await loadCatalog(commandPlugins(plugins, [], process.cwd()));
      return await runDemo(catalog, out, runWatch(env.supervisor, DEFAULT_WATCHDOG_SECONDS, catalog));
    }
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    out.endProgress();
    if (KemuError.is(error)) {
      out.error(`kemu: ${error.message}`);
      return EXIT_USAGE;
    }
    out.error(internalErrorMessage(error));
    return EXIT_INTERNAL;
  }
}

