/**
 * A differential campaign: many generated programs, each compared
 * (compare.ts). Every mismatch is counted by kind; the first program with the
 * worst kind seen is shrunk by fast-check and reported as readable text.
 * Programs whose enumeration exceeds the cap are skipped, never counted as
 * checked: fast-check generates others instead, so `checked` programs really
 * were compared. Used by the test suite and by `npm run soundness`.
 */
import fc from 'fast-check';
import { DIFFERENCE_KINDS, WRONG_VERDICT, compareProgram, type CompareOptions, type Comparison, type DifferenceKind } from './compare.js';
import { programs } from './generate.js';
import { mismatchReport } from './mismatch-report.js';
import { PRIMITIVES, type Primitive, type Program } from './program.js';
import { pseudoCode } from './pseudo-code.js';

export interface CampaignOptions extends CompareOptions {
  /** Programs to check (skipped ones not included). */
  readonly programs: number;
  /** Generate only programs with at most this many interleavings, roughly (interleavingEstimate). */
  readonly estimateLimit: number;
  readonly seed: number;
  /** The programs to draw from (default: programs(estimateLimit), over every primitive). */
  readonly generator?: fc.Arbitrary<Program>;
  /** Called after every program checked or skipped before a mismatch. */
  readonly onProgress?: (progress: CampaignProgress) => void;
}

export interface Coverage {
  /** Programs in which some run exercised it. */
  programs: number;
  /** Schedules those programs have, in all. */
  schedules: number;
}

export interface CampaignProgress {
  checked: number;
  skipped: number;
  /** Checked programs on which the explorer and the enumerator disagree. */
  mismatches: number;
  /** Of those, how many show each kind of difference (a program may show several). */
  readonly byKind: Map<DifferenceKind, number>;
  /** Every checked program on which the explorer's verdict is wrong (WRONG_VERDICT), unshrunk. */
  readonly wrongVerdicts: Program[];
  /** Schedules the enumerator ran for the checked programs. */
  schedules: number;
}

export interface CampaignResult extends CampaignProgress {
  /** Per primitive, and per kind of report a run raised (`report: hung-task`). */
  readonly coverage: Map<string, Coverage>;
  /** The first program with the worst kind of difference seen, shrunk, with its report; null when every program agreed. */
  readonly mismatch: { readonly kind: DifferenceKind; readonly program: Program; readonly report: string } | null;
  readonly seed: number;
}

/** What a checked program exercised: its primitives and the kinds of report its runs raised. */
function exercised(verdict: Comparison): string[] {
  const kinds = new Set([...verdict.reference.failures].map((signature) => `report: ${signature.slice(0, signature.indexOf(':'))}`));
  return [...verdict.used, ...[...kinds].sort()];
}

const generatorOf = (options: CampaignOptions): fc.Arbitrary<Program> => options.generator ?? programs(options.estimateLimit);

export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const coverage = new Map<string, Coverage>(PRIMITIVES.map((p: Primitive) => [p, { programs: 0, schedules: 0 }]));
  const progress: CampaignProgress = {
    checked: 0, skipped: 0, mismatches: 0, byKind: new Map(DIFFERENCE_KINDS.map((k) => [k, 0])), wrongVerdicts: [], schedules: 0,
  };
  // The first program that showed each kind of difference.
  const firstOfKind = new Map<DifferenceKind, Program>();
  // Every program is counted; the property fails on none, so fast-check never stops early.
  await fc.assert(fc.asyncProperty(generatorOf(options), async (program) => {
    const verdict = await compareProgram(program, options);
    if (verdict.kind === 'skipped') progress.skipped++;
    else {
      progress.checked++;
      progress.schedules += verdict.reference.schedules;
      if (verdict.kind === 'mismatch') {
        progress.mismatches++;
        if (verdict.differences.some((d) => WRONG_VERDICT.has(d.kind))) progress.wrongVerdicts.push(program);
        for (const kind of new Set(verdict.differences.map((d) => d.kind))) {
          progress.byKind.set(kind, progress.byKind.get(kind)! + 1);
          if (!firstOfKind.has(kind)) firstOfKind.set(kind, program);
        }
      }
      for (const what of exercised(verdict)) {
        const c = coverage.get(what) ?? { programs: 0, schedules: 0 };
        c.programs++;
        c.schedules += verdict.reference.schedules;
        coverage.set(what, c);
      }
    }
    options.onProgress?.(progress);
    fc.pre(verdict.kind !== 'skipped');
  }), { numRuns: options.programs, seed: options.seed, maxSkipsPerRun: 1000 });
  // Explain the worst kind seen: a wrong verdict before a schedule too many.
  const worst = DIFFERENCE_KINDS.find((kind) => firstOfKind.has(kind));
  const mismatch = worst === undefined ? null : await shrink(firstOfKind.get(worst)!, worst, options);
  return { ...progress, coverage, mismatch, seed: options.seed };
}

/** Shrinks a program with fast-check, down to a smallest one that still shows a difference of `kind`, and explains it. */
async function shrink(program: Program, kind: DifferenceKind, options: CampaignOptions): Promise<NonNullable<CampaignResult['mismatch']>> {
  const shows = async (p: Program): Promise<boolean> => {
    const verdict = await compareProgram(p, options);
    return verdict.kind === 'mismatch' && verdict.differences.some((d) => d.kind === kind);
  };
  const details = await fc.check(fc.asyncProperty(generatorOf(options), async (p) => !(await shows(p))), { numRuns: 1, examples: [[program]] });
  const shrunk = details.counterexample?.[0] ?? program;
  return { kind, program: shrunk, report: await explain(shrunk, options) };
}

/** The report on a mismatching program, or on the error the harness hit on it. */
async function explain(program: Program, options: CompareOptions): Promise<string> {
  try {
    const verdict = await compareProgram(program, options);
    if (verdict.kind === 'mismatch') return mismatchReport(program, verdict);
    return `The program no longer mismatches (${verdict.kind}): the comparison is not deterministic.\n\n${pseudoCode(program)}`;
  } catch (error) {
    return `The harness failed on this program: ${(error as Error).stack ?? String(error)}\n\nProgram:\n${pseudoCode(program)}\n\nAs data: ${JSON.stringify(program)}`;
  }
}
