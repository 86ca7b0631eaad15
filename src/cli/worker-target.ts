/**
 * What a worker thread of `kemu explore --workers n` explores: it loads the
 * command's plug-ins again (a thread shares no modules with the main one) and
 * resolves the same request, so a user's boards and firmware files explore in
 * parallel exactly as they do in one thread.
 */
import type { Scenario } from '../explore/run-schedule.js';
import type { ScenarioSource } from '../explore/scenario-source.js';
import { loadCatalog } from './plugins.js';
import { resolveTarget, type TargetRequest } from './targets.js';

/** The scenario of `request` in the catalog of `sources` (see Catalog.sources). */
export async function workerScenario(sources: readonly string[], request: TargetRequest): Promise<Scenario> {
  return (await resolveTarget(await loadCatalog(sources), request)).scenario;
}

/** Where worker threads find the scenario of `request`. */
export function workerSource(sources: readonly string[], request: TargetRequest): ScenarioSource {
  return { module: import.meta.url, factory: 'workerScenario', args: [sources, request] };
}
