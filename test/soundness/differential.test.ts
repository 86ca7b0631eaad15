/**
 * The permanent differential check (issue 9): DPOR, as a user runs it, against
 * unreduced enumeration on 2,000 generated programs over every primitive. Any
 * disagreement on failure signatures or final states, or on small programs a
 * schedule count other than the number of equivalence classes, fails the test
 * with the shrunk program and both sides' findings. `npm run soundness` runs
 * the same check on 50,000 programs.
 */
import { expect, test } from 'vitest';
import { runCampaign } from './campaign.js';
import { PRIMITIVES } from './program.js';

const PROGRAMS = 2000;

test(`DPOR agrees with unreduced enumeration on ${PROGRAMS} generated programs`, async () => {
  // Smaller programs than npm run soundness's (about 160 schedules on average), so that 2,000 fit the suite's time.
  const result = await runCampaign({ programs: PROGRAMS, seed: 20261201, cap: 5000, optimalityLimit: 2000, estimateLimit: 2500 });
  if (result.mismatch !== null) {
    const kinds = [...result.byKind].filter(([, n]) => n > 0).map(([kind, n]) => `${kind}: ${n}`).join(', ');
    throw new Error(`${result.mismatches} of ${result.checked} programs mismatch (${kinds}; seed ${result.seed}); ` +
      `the first with ${result.mismatch.kind}, shrunk:\n\n${result.mismatch.report}`);
  }
  expect(result.checked).toBe(PROGRAMS);
  // The generator's weights at work: every primitive is exercised by at least 2% of the programs.
  const rare = PRIMITIVES.filter((p) => result.coverage.get(p)!.programs < PROGRAMS / 50);
  expect(rare).toEqual([]);
}, 300_000);
