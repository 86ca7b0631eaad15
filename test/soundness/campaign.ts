/**
 * A differential campaign: many generated programs, each compared
 * (compare.ts), until one mismatches; that one is shrunk by fast-check and
 * reported as readable text. Programs whose enumeration exceeds the cap are
 * skipped, never counted as checked: fast-check generates others instead,
 * so `checked` programs really were compared. Used by the test suite and by
 * `npm run soundness`.
 */
import fc from 'fast-check';
import { KemuError } from '../../src/kernel/index.js';
import { compareProgram, type CompareOptions, type Verdict } from './compare.js';
import { programs } from './generate.js';
import { mismatchReport } from './mismatch-report.js';
import { PRIMITIVES, type Primitive, type Program } from './program.js';
import { pseudoCode } from './pseudo-code.js';

export interface CampaignOptions extends CompareOptions {
  /** Programs to check (skipped ones not included). */
  readonly programs: number;
  readonly seed: number;
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
  /** Schedules the enumerator ran for the checked programs. */
  schedules: number;
}

export interface CampaignResult extends CampaignProgress {
  /** Per primitive, and per kind of report a run raised (`report: hung-task`). */
  readonly coverage: Map<string, Coverage>;
  /** The first mismatch, shrunk, with its report; null when every program agreed. */
  readonly mismatch: { readonly program: Program; readonly report: string } | null;
  readonly seed: number;
}

/** What an agreeing program exercised: its primitives and the kinds of report its runs raised. */
function exercised(verdict: Extract<Verdict, { kind: 'agree' }>): string[] {
  const kinds = new Set([...verdict.failures].map((signature) => `report: ${signature.slice(0, signature.indexOf(':'))}`));
  return [...verdict.used, ...[...kinds].sort()];
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const coverage = new Map<string, Coverage>(PRIMITIVES.map((p: Primitive) => [p, { programs: 0, schedules: 0 }]));
  const progress: CampaignProgress = { checked: 0, skipped: 0, schedules: 0 };
  // Once a mismatch is seen, fast-check shrinks it: those reruns are not part of the statistics.
  let shrinking = false;
  const property = fc.asyncProperty(programs, async (program) => {
    const verdict = await compareProgram(program, options);
    if (verdict.kind === 'mismatch') {
      shrinking = true;
      return false;
    }
    if (shrinking) {
      fc.pre(verdict.kind === 'agree');
      return true;
    }
    if (verdict.kind === 'skipped') progress.skipped++;
    else {
      progress.checked++;
      progress.schedules += verdict.schedules;
      for (const what of exercised(verdict)) {
        const c = coverage.get(what) ?? { programs: 0, schedules: 0 };
        c.programs++;
        c.schedules += verdict.schedules;
        coverage.set(what, c);
      }
    }
    options.onProgress?.(progress);
    fc.pre(verdict.kind === 'agree');
    return true;
  });
  const details = await fc.check(property, { numRuns: options.programs, seed: options.seed, maxSkipsPerRun: 1000 });
  const program = details.failed ? details.counterexample?.[0] : undefined;
  if (details.failed && program === undefined) {
    throw new KemuError('bad-usage', `the campaign failed without a counterexample: ${String(details.errorInstance ?? 'no error')}`);
  }
  return { ...progress, coverage, mismatch: program === undefined ? null : { program, report: await explain(program, options) }, seed: options.seed };
}

/** The report on a shrunk counterexample: the mismatch, or the error the harness hit on it. */
async function explain(program: Program, options: CompareOptions): Promise<string> {
  try {
    const verdict = await compareProgram(program, options);
    if (verdict.kind === 'mismatch') return mismatchReport(program, verdict);
    return `The shrunk program no longer mismatches (${verdict.kind}): the comparison is not deterministic.\n\n${pseudoCode(program)}`;
  } catch (error) {
    return `The harness failed on this program: ${(error as Error).stack ?? String(error)}\n\nProgram:\n${pseudoCode(program)}\n\nAs data: ${JSON.stringify(program)}`;
  }
}
