/**
 * Resolving what the user named on the command line: a board (to boot) or a
 * scenario, and a kernel variant it supports. Unknown names are errors that
 * list what exists.
 */
import { KemuError } from '../kernel/errors.js';
import type { Scenario } from '../explore/run-schedule.js';
import type { StrategySpec } from '../explore/strategy.js';
import type { Catalog } from '../machine/catalog.js';
import { findVariant } from '../machine/kernel-variants.js';
import { runShapeFlags, type RunShape } from './run-shape.js';

export interface Target {
  kind: 'board' | 'scenario';
  name: string;
  variant: string;
  /** `omap4 on iommu-next-2023-08`, or just the name when the variant does not matter. */
  label: string;
  scenario: Scenario;
  /** How this target is explored when the user does not say. */
  strategy: StrategySpec;
  /** Names the story gives the tasks, by comm (see ScenarioEntry.taskNames). */
  taskNames: Readonly<Record<string, string>>;
  /** The command that replays a token on this target, with the options that shaped the run. */
  replayCommand(token: string): string;
}

function known(catalog: Catalog): string {
  return [...catalog.boards.map((b) => `${b.name} (board)`), ...catalog.scenarios.map((s) => s.name)].join(', ');
}

export function resolveTarget(catalog: Catalog, name: string, variant: string | undefined, want: 'board' | 'any' = 'any',
  shape: RunShape = { lockdep: {} }): Target {
  const board = catalog.boards.find((b) => b.name === name);
  const scenario = want === 'any' ? catalog.scenarios.find((s) => s.name === name) : undefined;
  const entry = board ?? scenario;
  if (!entry) {
    const what = want === 'board' ? `board "${name}"; boards: ${catalog.boards.map((b) => b.name).join(', ') || 'none'}` : `board or scenario "${name}"; known: ${known(catalog)}`;
    throw new KemuError('unknown-name', `unknown ${what}`);
  }
  const chosen = variant ?? entry.defaultVariant;
  if (variant !== undefined) findVariant(variant);
  if (entry.variants.length === 0 && variant !== undefined) {
    throw new KemuError('unknown-name', `${name} does not depend on the kernel variant: leave out --kernel`);
  }
  if (entry.variants.length > 0 && !entry.variants.includes(chosen)) {
    throw new KemuError('unknown-name', `${name} does not run on kernel variant "${chosen}"; it runs on: ${entry.variants.join(', ')}`);
  }
  const kind = board ? 'board' : 'scenario';
  return {
    kind, name, variant: chosen, label: chosen ? `${name} on ${chosen}` : name,
    scenario: board ? board.boot(chosen) : scenario!.build(chosen),
    strategy: entry.strategy ?? 'dpor',
    taskNames: scenario?.taskNames ?? {},
    replayCommand: (token) => ['npx kemu replay', name, ...(chosen ? [`--kernel ${chosen}`] : []), ...runShapeFlags(shape), token].join(' '),
  };
}
