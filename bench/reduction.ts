/**
 * What partial-order reduction saves: schedules DPOR explores against
 * unreduced exhaustive search, on the classic cases, with the same verdicts;
 * and the equivalence classes the differential harness's own enumerator
 * counts (test/soundness/enumerate.ts), which DPOR must match one for one.
 */
import { explore, type Scenario } from '../src/explore/index.js';
import { enumerate } from '../test/soundness/enumerate.js';
import { abba, abbaSequenced, counter, independentWriters, peterson, spinWait } from '../src/examples/classic-scenarios.js';

export interface ReductionRow {
  scenario: string;
  unreduced: number;
  dpor: number;
  /** DPOR runs cut short by sleep sets (redundant, not counted as schedules). */
  dporPruned: number;
  /** Mazurkiewicz classes of maximal runs, counted by the independent enumerator (null: too many schedules to enumerate). */
  classes: number | null;
  saved: number;
  sameVerdicts: boolean;
}

const CASES: [string, Scenario][] = [
  ['lost update (no lock)', counter(false)],
  ['counter under a mutex', counter(true)],
  ['ABBA', abba],
  ['ABBA, sequenced', abbaSequenced],
  ['Peterson', peterson(false)],
  ['Peterson without turn', peterson(true)],
  ['spin-wait with setter', spinWait(true)],
  ['3 independent writers x3', independentWriters(3, 3)],
];

/** The enumerator names the class of every schedule it runs: beyond this many, the row says so instead. */
const ENUMERATION_CAP = 50_000;

export async function benchReduction(): Promise<ReductionRow[]> {
  const rows: ReductionRow[] = [];
  for (const [name, scenario] of CASES) {
    const full = await explore(scenario, { strategy: 'exhaustive', shrink: false });
    const reduced = await explore(scenario, { strategy: 'dpor', shrink: false });
    const verdicts = (r: typeof full) => r.failures.map((f) => f.signature).sort().join();
    const classes = await enumerate(scenario, { cap: ENUMERATION_CAP, finalState: () => '' });
    rows.push({
      scenario: name, unreduced: full.schedules, dpor: reduced.schedules, dporPruned: reduced.pruned, classes: classes.exhausted ? classes.classes.size : null,
      saved: 1 - reduced.schedules / full.schedules, sameVerdicts: verdicts(full) === verdicts(reduced),
    });
  }
  return rows;
}
