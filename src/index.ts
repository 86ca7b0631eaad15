/**
 * kemu's main entry point (`import … from 'kemu'`): exploring scenarios,
 * composing and booting machines, defining boards and plug-ins for the kemu
 * command, and rendering what a run found. Model code imports the layer it
 * models from: `kemu/kernel`, `kemu/base`, `kemu/iommu`, `kemu/of`,
 * `kemu/platform`; tests import `kemu/kunit`.
 */
export * from './explore/index.js';
export * from './report/index.js';
export { KemuError, type KemuErrorKind } from './kernel/errors.js';
// The inversify kemu composes machines with: one copy, so a user's modules load into kemu's containers.
export { ContainerModule, inject, injectable } from './inversify.js';
export { defineBoard, type Board, type BoardSpec } from './machine/board.js';
export { bootScenario, composeMachine, kernel_init, kernelModules } from './machine/machine.js';
export { initcall, INITCALL_LEVELS, type Initcall, type InitcallLevel } from './machine/initcall.js';
export { INITCALL, KERNEL_VARIANT, SUBSYSTEM, type Subsystem } from './machine/tokens.js';
export { kernelCommandLine } from './machine/cmdline.js';
export { KERNEL_VARIANTS, defineKernelVariant, findVariant, kernelVariants, type KernelVariant } from './machine/kernel-variants.js';
export { definePlugin } from './machine/plugin.js';
export { bisectBoard, type BisectOutcome, type BisectRow } from './machine/bisect.js';
export type { BoardEntry, Catalog, DemoStory, DriverEntry, FirmwareKind, FirmwareLoader, KemuPlugin, ScenarioEntry } from './machine/catalog.js';
