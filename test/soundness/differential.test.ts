/**
 * The permanent differential check (issue 9): DPOR, as a user runs it, against
 * unreduced enumeration on 2,000 generated programs over every primitive. Any
 * disagreement on failure signatures or final states, or on small programs a
 * schedule count other than the number of equivalence classes, fails the test
 * with the shrunk program and both sides' findings; the same on programs of
 * pollers and writers (spinWaitPrograms). `npm run soundness` runs the same
 * checks on 50,000 and 20,000 programs.
 */
import { expect, test } from 'vitest';
import { runCampaign, type CampaignResult } from './campaign.js';
import { spinWaitPrograms } from './generate.js';
import { PRIMITIVES } from './program.js';

const PROGRAMS = 2000;
const SPIN_WAIT_PROGRAMS = 300;

function failOnMismatch(result: CampaignResult): void {
  if (result.mismatch === null) return;
  const kinds = [...result.byKind].filter(([, n]) => n > 0).map(([kind, n]) => `${kind}: ${n}`).join(', ');
  throw new Error(`${result.mismatches} of ${result.checked} programs mismatch (${kinds}; seed ${result.seed}); ` +
    `the first with ${result.mismatch.kind}, shrunk:\n\n${result.mismatch.report}`);
}

test(`DPOR agrees with unreduced enumeration on ${PROGRAMS} generated programs`, async () => {
  // Smaller programs than npm run soundness's (about 160 schedules on average), so that 2,000 fit the suite's time.
  const result = await runCampaign({ programs: PROGRAMS, seed: 20261201, cap: 5000, optimalityLimit: 2000, estimateLimit: 2500 });
  failOnMismatch(result);
  expect(result.checked).toBe(PROGRAMS);
  // The generator's weights at work: every primitive is exercised by at least 2% of the programs.
  const rare = PRIMITIVES.filter((p) => result.coverage.get(p)!.programs < PROGRAMS / 50);
  expect(rare).toEqual([]);
}, 300_000);

test(`DPOR agrees with unreduced enumeration on ${SPIN_WAIT_PROGRAMS} programs of pollers and writers`, async () => {
  const result = await runCampaign({
    programs: SPIN_WAIT_PROGRAMS, seed: 20261201, cap: 5000, optimalityLimit: 2000, estimateLimit: 1000, generator: spinWaitPrograms(1000),
  });
  failOnMismatch(result);
  expect(result.checked).toBe(SPIN_WAIT_PROGRAMS);
  expect(result.coverage.get('spin-wait')!.programs).toBeGreaterThan(SPIN_WAIT_PROGRAMS / 2);
}, 300_000);
