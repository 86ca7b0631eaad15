/**
 * ExploreOptions.signal: checked between runs, it ends a search as
 * 'interrupted' with what was found so far, which finishSearch shrinks and
 * replays as usual; and an interrupted result never claims to be exhaustive.
 */
import { expect, test } from 'vitest';
import { finishSearch, search } from '../../src/explore/index.js';
import { abba } from '../../src/examples/classic-scenarios.js';

test('an aborted signal stops the search after the run in progress, keeping its findings', async () => {
  const controller = new AbortController();
  let runs = 0;
  const strategy = { kind: 'random', seed: 1, runs: 1_000_000 } as const;
  const result = await search(abba, { strategy, signal: controller.signal, onRunEnd: () => void (++runs === 40 && controller.abort()) });
  expect(result.stoppedBy).toBe('interrupted');
  expect(result.schedules + result.pruned).toBe(runs);
  expect(result.found.map((f) => f.signature).length).toBeGreaterThan(0);
  const finished = await finishSearch(abba, result, { strategy });
  expect(finished.exhausted).toBe(false);
  expect(finished.failures.every((f) => f.run.reports.some((r) => r.signature === f.signature))).toBe(true);
});

test('a signal aborted before the search starts stops it at the first check, and says it was interrupted', async () => {
  const controller = new AbortController();
  controller.abort();
  const result = await search(abba, { signal: controller.signal });
  expect(result.stoppedBy).toBe('interrupted');
  expect(result.schedules).toBeLessThanOrEqual(1);
});
