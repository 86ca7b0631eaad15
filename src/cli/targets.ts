/**
 * Resolving what the user named on the command line: a board (to boot) or a
 * scenario of the catalog with its parameters, or a board made from a
 * firmware file (--dtb, --dts, --dmar), and a kernel variant it runs on. Only
 * the entry named is loaded. Unknown names are errors that list what exists.
 */
import { KemuError } from '../kernel/errors.js';
import type { Scenario } from '../explore/run-schedule.js';
import type { StrategySpec } from '../explore/strategy.js';
import type { BoardEntry, Catalog, FirmwareKind } from '../machine/catalog.js';
import { findVariant, runsOn } from '../machine/kernel-variants.js';
import { parameterFlags, parameterValues, type GivenParameters } from '../machine/parameters.js';
import { runShapeFlags, type RunShape } from './run-shape.js';

/** What the command line asks for: plain data, so worker threads and `kemu merge` can resolve it again. */
export interface TargetRequest {
  /** A board or scenario of the catalog; absent when a firmware file describes the board. */
  readonly name?: string;
  readonly kernel?: string;
  /** The firmware file the board is made from, as the user wrote its path. */
  readonly firmware?: { readonly kind: FirmwareKind; readonly path: string };
  /** The `--load` arguments, as the user wrote them (for the replay command). */
  readonly load?: readonly string[];
  /** The options that shape its runs (run-shape.ts), repeated by every command printed for it; absent: the defaults. */
  readonly shape?: RunShape;
  /** The scenario's parameters the user gave (parameters.ts), repeated likewise; absent: the defaults. */
  readonly params?: GivenParameters;
}

export interface Target {
  kind: 'board' | 'scenario';
  name: string;
  variant: string;
  /** `omap4 on iommu-next-2023-08`, `qi-zero-count --counts 1,1,0 on v6.12`, or just the name when the variant does not matter. */
  label: string;
  scenario: Scenario;
  /** How this target is explored when the user does not say. */
  strategy: StrategySpec;
  /** Schedules after which that default exploration stops (a board's maxSchedules). */
  maxSchedules?: number;
  /** Names the story gives the tasks, by comm (see ScenarioEntry.taskNames). */
  taskNames: Readonly<Record<string, string>>;
  /** What resolved it (for worker threads and `kemu merge`). */
  request: TargetRequest;
  /** The command line that runs `verb` (explore, boot) on this target, with the options that shaped the run. */
  command(verb: string): string;
  /** The command that replays a token on this target, with the options that shaped the run. */
  replayCommand(token: string): string;
}

/** The run shape `request` asks for: the defaults (lockdep as the kernel configures it, the default step bound) if it gives none. */
export function requestShape(request: TargetRequest): RunShape {
  return request.shape ?? { lockdep: {} };
}

/** The firmware request of a command's --dtb, --dts and --dmar flags: at most one of them. */
export function firmwareRequest(flags: { dtb?: string; dts?: string; dmar?: string }): TargetRequest['firmware'] {
  const given = (['dtb', 'dts', 'dmar'] as const).filter((kind) => flags[kind] !== undefined);
  if (given.length > 1) throw new KemuError('bad-usage', `--${given.join(' and --')} each describe a whole board: give one`);
  return given.length === 0 ? undefined : { kind: given[0]!, path: flags[given[0]!]! };
}

function known(catalog: Catalog): string {
  return [...catalog.boards.map((b) => `${b.name} (board)`), ...catalog.scenarios.map((s) => s.name)].join(', ');
}

/** The board a firmware file describes, made by the catalog's loader for its kind with every driver of the catalog. */
async function firmwareBoard(catalog: Catalog, firmware: NonNullable<TargetRequest['firmware']>): Promise<BoardEntry> {
  const loader = catalog.firmware.find((l) => l.kind === firmware.kind);
  if (!loader) throw new KemuError('bad-usage', `no loaded plug-in reads --${firmware.kind} files`);
  return loader.board(firmware.path, await Promise.all(catalog.drivers.map((d) => d.load())));
}

/** The board a request names: one of the catalog's, or the one its firmware file describes. */
export async function resolveBoard(catalog: Catalog, request: TargetRequest): Promise<BoardEntry> {
  if (request.firmware) {
    if (request.name !== undefined) throw new KemuError('bad-usage', `--${request.firmware.kind} ${request.firmware.path} describes the board: leave out "${request.name}"`);
    return firmwareBoard(catalog, request.firmware);
  }
  if (request.name === undefined) throw new KemuError('bad-usage', 'name a board, or give its firmware with --dtb, --dts or --dmar');
  const board = catalog.boards.find((b) => b.name === request.name);
  if (!board) throw new KemuError('unknown-name', `unknown board "${request.name}"; boards: ${catalog.boards.map((b) => b.name).join(', ') || 'none'}`);
  return board.load();
}

/**
 * The command line that runs `verb` on what `request` asks for (`name` is the
 * board or scenario it resolved to) on kernel `variant`: `npx kemu <verb>`,
 * its `--load` modules, the name or the firmware flag, the kernel, the
 * scenario's parameters and the run-shape flags, so that a printed replay
 * finds the same target and shapes its run the same way.
 */
export function targetCommand(verb: string, request: TargetRequest, name: string, variant: string): string {
  return [
    'npx kemu', verb,
    ...(request.load ?? []).map((spec) => `--load ${spec}`),
    request.firmware ? `--${request.firmware.kind} ${request.firmware.path}` : name,
    ...(variant ? [`--kernel ${variant}`] : []),
    ...parameterFlags(request.params ?? {}),
    ...runShapeFlags(requestShape(request)),
  ].join(' ');
}

export async function resolveTarget(catalog: Catalog, request: TargetRequest, want: 'board' | 'any' = 'any'): Promise<Target> {
  const name = request.name;
  const listed = want === 'any' && !request.firmware ? catalog.scenarios.find((s) => s.name === name) : undefined;
  const board = listed ? undefined : request.firmware || want === 'board' || catalog.boards.some((b) => b.name === name)
    ? await resolveBoard(catalog, request) : undefined;
  const scenario = await listed?.load();
  const entry = board ?? scenario;
  if (!entry) {
    if (name === undefined) throw new KemuError('bad-usage', 'name a board or scenario, or give a board\'s firmware with --dtb, --dts or --dmar');
    throw new KemuError('unknown-name', `unknown board or scenario "${name}"; known: ${known(catalog)}`);
  }
  const variant = request.kernel;
  const chosen = variant ?? entry.defaultVariant;
  if (variant !== undefined) findVariant(variant);
  if (entry.variants.length === 0 && variant !== undefined) {
    throw new KemuError('unknown-name', `${entry.name} does not depend on the kernel variant: leave out --kernel`);
  }
  if (entry.variants.length > 0 && !runsOn(entry.variants, chosen)) {
    throw new KemuError('unknown-name', `${entry.name} does not run on kernel variant "${chosen}"; it runs on: ${entry.variants.join(', ')}`);
  }
  const params = parameterValues(entry.name, scenario?.parameters ?? {}, request.params);
  const command = (verb: string): string => targetCommand(verb, request, entry.name, chosen);
  const named = [entry.name, ...parameterFlags(request.params ?? {})].join(' ');
  return {
    kind: board ? 'board' : 'scenario', name: entry.name, variant: chosen, label: chosen ? `${named} on ${chosen}` : named,
    scenario: board ? board.boot(chosen) : scenario!.build(chosen, params),
    strategy: entry.strategy ?? 'default',
    ...(board?.maxSchedules !== undefined ? { maxSchedules: board.maxSchedules } : {}),
    taskNames: scenario?.taskNames ?? {},
    request,
    command,
    replayCommand: (token) => `${command('replay')} ${token}`,
  };
}
