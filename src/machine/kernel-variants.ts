/**
 * The kernel variants kemu can boot, in history order. A variant is a name for
 * a set of behaviours; each subsystem maps the name to its own DI bindings
 * (the IOMMU core to a probe-locking scheme, the VT-d driver to a queued
 * invalidation implementation), so no model code asks which variant it is.
 *
 * A plug-in adds a variant as a patch on a built-in one (defineKernelVariant):
 * every subsystem binds what it binds for the base, and the patch's modules,
 * loaded after the whole machine's, rebind what the patch changes.
 */
import type { ContainerModule } from '../inversify.js';
import { KemuError } from '../kernel/errors.js';

export interface KernelVariant {
  readonly name: string;
  /** What the variant is, in one line, with its upstream reference. */
  readonly summary: string;
  /** A plug-in's variant: the variant it patches (built-in, or another plug-in's). */
  readonly base?: string;
  /** A plug-in's variant: modules loaded after the machine's own, rebinding what the patch changes. */
  readonly patch?: readonly ContainerModule[];
}

export const KERNEL_VARIANTS: readonly KernelVariant[] = [
  { name: 'v6.1', summary: 'v6.1: nothing serialises __iommu_probe_device; parallel bus walks free each other\'s dev->iommu (before 01657bc14a39)' },
  { name: 'v6.2', summary: 'v6.2-rc1: "iommu: Avoid races around device probe" (01657bc14a39) adds a static mutex in __iommu_probe_device' },
  { name: 'v6.5', summary: 'v6.5: __iommu_probe_device serialised by a function-local static mutex (01657bc14a39)' },
  { name: 'iommu-next-2023-08', summary: 'iommu/next, Aug 2023: "iommu: Complete the locking for dev->iommu_group" takes device_lock(dev) in __iommu_probe_device' },
  { name: 'fix-try-1', summary: 'reconstructed from the thread, not a posted patch: skip locking when dev is the iommu_device\'s sysfs dev (the wrong object)' },
  { name: 'fix-try-2', summary: 'reconstructed from the thread, not a posted patch: iommu_device::hwdev skipped in probe_iommu_group; of/acpi replay still calls iommu_probe_device' },
  { name: 'locking2-v1', summary: 'iommu_group_locking2 v1 (8 Aug 2023): probe the iommu\'s own device without taking its lock' },
  { name: 'locking2-v2', summary: 'iommu_group_locking2 v2 (9 Aug 2023, applied then dropped): skip the iommu\'s own device' },
  { name: 'v6.6', summary: 'v6.6: the static mutex of v6.2; of_iommu_configure builds the fwspec unlocked, racing a failed probe\'s dev_iommu_free' },
  { name: 'v6.7', summary: 'v6.7-rc3: "iommu: Avoid more races around device probe" (a2e7e59a9426): global iommu_probe_device_lock, also around fwspec parsing' },
  { name: 'v6.11', summary: 'v6.11: VT-d qi_submit_sync before the 0-count fix (owners mark slots QI_DONE)' },
  { name: 'v6.12', summary: 'v6.12-rc1: VT-d "Fix potential lockup if qi_submit_sync called with 0 count" (3cf74230c139)' },
  { name: 'v6.14', summary: 'v6.14: no bus->iommu_ops (17de3f5fdd35), ops from the fwspec; a client can bind before its group has a default domain' },
  { name: 'v6.14+b46064a18810', summary: 'v6.14 with "iommu: Handle race with default domain setup" (b46064a18810, v6.15-rc1 and stable)' },
  { name: 'v6.15', summary: 'v6.15: "iommu: Get DT/ACPI parsing into the proper probe path" (bcb81ac6ae3c): dma_configure from iommu_init_device, lock dropped' },
  { name: 'v6.15+0c8e9c148e29', summary: 'v6.15 with "iommu: Avoid introducing more races" (0c8e9c148e29, v6.16-rc1): a probe another walk finished is skipped' },
  { name: 'v6.15.1', summary: 'v6.15.1: also "iommu: Handle yet another race around registration" (da33e87bd2bf, v6.16-rc1): iommu->ready' },
  { name: 'v6.15.1+ready-check', summary: 'v6.15.1 with the Mar 2026 proposal (not applied) "iommu: Fix bypass of IOMMU readiness check for multi-IOMMU devices"' },
];

const added: KernelVariant[] = [];

/** Every variant: the built-in history, then the variants plug-ins defined, in definition order. */
export function kernelVariants(): readonly KernelVariant[] {
  return added.length === 0 ? KERNEL_VARIANTS : [...KERNEL_VARIANTS, ...added];
}

export function findVariant(name: string): KernelVariant {
  const variant = kernelVariants().find((v) => v.name === name);
  if (!variant) {
    throw new KemuError('unknown-name', `unknown kernel variant "${name}"; known: ${kernelVariants().map((v) => v.name).join(', ')}`);
  }
  return variant;
}

/**
 * Defines a plug-in's kernel variant: `base` plus the bindings of `patch`.
 * It is known from then on (findVariant, `kemu list variants`), so define it
 * before the boards that list it. Defining the same object again is a no-op.
 */
export function defineKernelVariant(variant: KernelVariant & { readonly base: string }): KernelVariant {
  const known = kernelVariants().find((v) => v.name === variant.name);
  if (known === variant) return variant;
  if (known) throw new KemuError('bad-usage', `kernel variant "${variant.name}" is already defined (${known.summary})`);
  findVariant(variant.base);
  added.push(variant);
  return variant;
}

/** The built-in variant whose bindings a variant uses: itself, or the end of its chain of bases. */
export function builtinBase(name: string): string {
  let variant = findVariant(name);
  while (variant.base !== undefined) variant = findVariant(variant.base);
  return variant.name;
}

/** The patch modules of a variant, its bases' first (none for a built-in variant). */
export function variantPatches(name: string): ContainerModule[] {
  const variant = findVariant(name);
  return variant.base === undefined ? [] : [...variantPatches(variant.base), ...(variant.patch ?? [])];
}

/** Whether a board or scenario that runs on `variants` runs on `name` (directly, or as a patch on one of them). */
export function runsOn(variants: readonly string[], name: string): boolean {
  return variants.includes(name) || variants.includes(builtinBase(name));
}

/** `variants` with every plug-in variant patching one of them placed after its base (what bisect walks). */
export function withPatchedVariants(variants: readonly string[]): string[] {
  const withPatches = (name: string): string[] => [name, ...added.filter((v) => v.base === name).flatMap((v) => withPatches(v.name))];
  return variants.flatMap(withPatches);
}

/**
 * A subsystem's binding for a variant from its table of built-in variants
 * (`owner` names the subsystem in the error for a variant it has no entry for).
 */
export function bindingFor<T>(table: Readonly<Record<string, T>>, variant: string, owner: string): T {
  const binding = table[builtinBase(variant)];
  if (binding === undefined) {
    throw new KemuError('unknown-name', `${owner} has no bindings for kernel variant "${variant}"; known: ${Object.keys(table).join(', ')}`);
  }
  return binding;
}

/** Whether variant `a` comes at or after `b` in history (for subsystems whose behaviour changed once). */
export function variantAtLeast(a: string, b: string): boolean {
  return KERNEL_VARIANTS.indexOf(findVariant(builtinBase(a))) >= KERNEL_VARIANTS.indexOf(findVariant(builtinBase(b)));
}
