/**
 * The built-in catalog: the boards and scenarios the kemu command knows, like a
 * defconfig selecting what is built in. The core (src/) never imports drivers
 * or boards; this file, outside it, composes them. A user's own catalog is
 * assembled the same way and passed to `main()` from src/cli/main.ts.
 */
import type { Catalog } from '../src/machine/catalog.js';
import type { Scenario } from '../src/explore/run-schedule.js';
import { resolveTarget } from '../src/cli/targets.js';
import { EXAMPLE_DEMO, EXAMPLE_SCENARIOS } from '../src/examples/catalog.js';

export const builtinCatalog: Catalog = {
  boards: [],
  scenarios: [...EXAMPLE_SCENARIOS],
  demo: EXAMPLE_DEMO,
  workerSource: { module: import.meta.url, factory: 'builtinScenario' },
};

/** The scenario of a built-in board or scenario, for worker threads (see Catalog.workerSource). */
export function builtinScenario(name: string, variant: string | undefined): Scenario {
  return resolveTarget(builtinCatalog, name, variant).scenario;
}
