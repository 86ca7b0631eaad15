/**
 * Composing and booting a machine. A machine is a list of inversify container
 * modules: the kernel's own (driver core, IOMMU core and the variant's
 * bindings, from kernelModules) plus the board's (firmware, buses, drivers,
 * each mapping the variant to its own bindings). Booting builds the container
 * inside the run, constructs the subsystems, and runs the initcalls in kernel
 * order in swapper/0; inversify constructs, the model decides probe order.
 */
import { Container, ContainerModule } from '../inversify.js';
import { deferred_probe_check_boot_end, deferred_probe_initcall, wait_for_device_probe } from '../base/dd.js';
import { IommuCore, iommu_subsys_init } from '../iommu/iommu.js';
import { iommuCoreModule, iommuVariantModule } from '../iommu/variants.js';
import type { Scenario } from '../explore/run-schedule.js';
import { run_timers_while_idle } from '../kernel/time/timer.js';
import { parse_setup_params } from './cmdline.js';
import { do_initcalls, initcall, type Initcall } from './initcall.js';
import { builtinBase, variantPatches } from './kernel-variants.js';
import { INITCALL, KERNEL_CMDLINE, KERNEL_VARIANT, SUBSYSTEM, type Subsystem } from './tokens.js';

/** The driver core's bindings: deferred_probe_initcall at late_initcall. */
export const driverCoreModule = new ContainerModule(({ bind }) => {
  bind<Initcall>(INITCALL).toConstantValue(initcall('late', 'deferred_probe_initcall', deferred_probe_initcall));
});

/** The IOMMU core's bindings: the core (a subsystem) and iommu_subsys_init at subsys_initcall. */
export const iommuSubsystemModule = new ContainerModule(({ bind }) => {
  bind<Subsystem>(SUBSYSTEM).toDynamicValue((ctx) => ({ subsystem: `iommu (${ctx.get(IommuCore).locking.scheme})` }));
  bind<Initcall>(INITCALL).toConstantValue(initcall('subsys', 'iommu_subsys_init', iommu_subsys_init));
});

/**
 * The kernel's own modules for a variant: driver core, IOMMU core and the
 * IOMMU core's variant bindings (a plug-in variant's base's; its patch is
 * loaded last, by composeMachine).
 */
export function kernelModules(variant: string): ContainerModule[] {
  const base = builtinBase(variant);
  return [
    new ContainerModule(({ bind }) => {
      bind<string>(KERNEL_VARIANT).toConstantValue(variant);
    }),
    driverCoreModule,
    iommuCoreModule,
    iommuVariantModule(base),
    iommuSubsystemModule,
  ];
}

/**
 * Builds the container of a machine (call inside the run: resolution creates
 * the run's shared objects). A plug-in variant's patch loads after every
 * other module, so it can rebind the core's bindings and the drivers' alike.
 */
export function composeMachine(modules: readonly ContainerModule[]): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  container.load(...modules);
  if (container.isBound(KERNEL_VARIANT)) container.load(...variantPatches(container.get<string>(KERNEL_VARIANT)));
  return container;
}

/**
 * Models kernel_init_freeable() as far as devices go (init/main.c, v6.6): the
 * command line's __setup() parameters, construct the subsystems,
 * do_initcalls(), then wait_for_device_probe().
 */
export async function kernel_init(container: Container): Promise<void> {
  if (container.isBound(KERNEL_CMDLINE)) for (const cmdline of container.getAll<string>(KERNEL_CMDLINE)) parse_setup_params(cmdline);
  if (container.isBound(SUBSYSTEM)) container.getAll<Subsystem>(SUBSYSTEM);
  const calls = container.isBound(INITCALL) ? container.getAll<Initcall>(INITCALL) : [];
  await do_initcalls(calls);
  await wait_for_device_probe();
}

/**
 * A boot scenario: compose the machine from `modules()`, boot it, then let the
 * rest of the boot's time pass, so the timers boot armed fire (the
 * deferred-probe timeout, 10 s after late_initcall); on a boot that never
 * enabled deferred probing, report what is still deferred (kemu's check, in
 * place of the timeout's report). The container is composed
 * in the first run; every later run restores it to its state before anything
 * was resolved (inversify's snapshot), so each run constructs its own
 * subsystems without loading the modules again.
 */
export function bootScenario(modules: () => readonly ContainerModule[]): Scenario {
  let machine: Container | null = null;
  return async () => {
    if (machine) machine.restore();
    else machine = composeMachine(modules());
    machine.snapshot();
    await kernel_init(machine);
    await run_timers_while_idle();
    deferred_probe_check_boot_end();
  };
}
