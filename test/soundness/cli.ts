/**
 * `npm run soundness`: the differential checks at full size. It checks DPOR
 * against unreduced enumeration on 50,000 generated programs (by default),
 * showing progress on a terminal, and prints what it checked, what it
 * skipped, the mismatches (the first one shrunk and explained) and how often
 * each primitive was exercised. Then the same check on 20,000 programs of
 * pollers and writers (generate.ts, spinWaitPrograms), that DPOR covers every
 * trace 50,000 random runs of qi-zero-count (v6.12, counts [1,0]) hit, and
 * symmetry reduction against enumeration on 10,000 programs with twins
 * (symmetry.ts). Exit status: 0 no mismatch, 1 a mismatch, 2 bad usage.
 *
 *   npm run soundness -- [--programs N] [--seed S] [--spin-programs N] [--qi-runs N] [--twin-programs N]
 */
import { parseArgs } from 'node:util';
import type { Arbitrary } from 'fast-check';
import { runCampaign, type CampaignProgress, type CampaignResult, type Coverage } from './campaign.js';
import { spinWaitPrograms } from './generate.js';
import type { Program } from './program.js';
import { count, formatNumber } from './text.js';
import { traceCoverage } from './trace-coverage.js';
import { pseudoCode } from './pseudo-code.js';
import { runTwinCampaign } from './symmetry.js';
import { qiZeroCount } from '../../drivers/iommu/intel/scenarios.js';

const USAGE = 'usage: npm run soundness -- [--programs N] [--seed S] [--spin-programs N] [--qi-runs N] [--twin-programs N]';

/** Enumeration cap: programs with more schedules are skipped. */
const CAP = 20_000;
/** Up to this many schedules a program's DPOR schedule count is checked against its number of classes. */
const OPTIMALITY_LIMIT = 2_000;
/** Programs with a wrong verdict printed as data, at most. */
const WRONG_VERDICTS_SHOWN = 10;
/** Larger programs than npm test's: about 300 schedules on average. */
const ESTIMATE_LIMIT = 5_000;

function positiveInteger(name: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`soundness: --${name} ${text} is not an integer of at least ${min}\n${USAGE}\n`);
    process.exit(2);
  }
  return n;
}

function options(): { programs: number; seed: number; spinPrograms: number; qiRuns: number; twinPrograms: number } {
  try {
    const { values } = parseArgs({
      options: {
        programs: { type: 'string' }, seed: { type: 'string' }, 'spin-programs': { type: 'string' }, 'qi-runs': { type: 'string' }, 'twin-programs': { type: 'string' },
      },
      strict: true,
    });
    return {
      programs: positiveInteger('programs', values.programs ?? '50000', 1),
      seed: positiveInteger('seed', values.seed ?? '1', 0),
      spinPrograms: positiveInteger('spin-programs', values['spin-programs'] ?? '20000', 0),
      qiRuns: positiveInteger('qi-runs', values['qi-runs'] ?? '50000', 0),
      twinPrograms: positiveInteger('twin-programs', values['twin-programs'] ?? '10000', 0),
    };
  } catch (error) {
    process.stderr.write(`soundness: ${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}

const elapsed = (since: number): string => {
  const s = Math.round((performance.now() - since) / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
};

/** A progress line redrawn in place on a terminal, at most a few times a second. */
function progressLine(total: number, started: number): (p: Pick<CampaignProgress, 'checked' | 'mismatches' | 'skipped'>) => void {
  if (!process.stderr.isTTY) return () => {};
  let last = 0;
  return (p) => {
    const now = performance.now();
    if (now - last < 250) return;
    last = now;
    process.stderr.write(`\r  ${formatNumber(p.checked)} / ${formatNumber(total)} programs, ` +
      `${count(p.mismatches, 'mismatch', 'mismatches')}, ${formatNumber(p.skipped)} skipped, ${elapsed(started)}\x1b[K`);
  };
}

/** A coverage table: each row's programs and their schedules, in aligned columns. */
function table(title: string, rows: [string, Coverage][]): string[] {
  const width = Math.max(title.length, ...rows.map(([what]) => what.length + 2));
  return [
    `${title.padEnd(width)}   programs   schedules`,
    ...rows.map(([what, c]) => `  ${what.padEnd(width - 2)}  ${formatNumber(c.programs).padStart(9)}  ${formatNumber(c.schedules).padStart(10)}`),
  ];
}

/** What a campaign checked and how many programs mismatched, by kind. */
function verdicts(result: CampaignResult, started: number): string[] {
  return [
    `checked     ${count(result.checked, 'program')} (${count(result.schedules, 'schedule')} enumerated) in ${elapsed(started)}`,
    `skipped     ${count(result.skipped, 'program')} (enumeration above ${formatNumber(CAP)} schedules)`,
    `mismatches  ${formatNumber(result.mismatches)}`,
    ...[...result.byKind].filter(([, n]) => n > 0).map(([kind, n]) => `  ${kind.padEnd(22)}${formatNumber(n).padStart(9)}`),
  ];
}

function summary(result: CampaignResult, started: number): string {
  const rows = [...result.coverage];
  const reports = rows.filter(([what]) => what.startsWith('report: ')).map(([what, c]): [string, Coverage] => [what.slice('report: '.length), c]);
  return [
    ...verdicts(result, started),
    '',
    ...table('primitives exercised', rows.filter(([what]) => !what.startsWith('report: '))),
    '',
    ...table('reports raised', reports.sort(([a], [b]) => (a < b ? -1 : 1))),
  ].join('\n');
}

/** Trace coverage on qi-zero-count; true when DPOR ran every trace the random runs hit. */
async function qiCoverage(runs: number, seed: number): Promise<boolean> {
  const c = await traceCoverage(qiZeroCount({ counts: [1, 0], variant: 'v6.12' }), { runs, seed });
  process.stdout.write(`\nqi-zero-count (v6.12, counts [1,0]): ${count(c.randomRuns, 'random run')} hit ${count(c.randomTraces, 'trace')}; ` +
    `DPOR ran ${count(c.explorerSchedules, 'schedule')} (${count(c.explorerTraces, 'trace')}); traces DPOR missed: ${formatNumber(c.missed.size)}\n` +
    '(traces with the QI engine\'s steps that influence no CPU trimmed)\n');
  const shown = [...c.missed.values()].slice(0, 5);
  if (shown.length > 0) process.stdout.write(`a random schedule in each of ${shown.length === c.missed.size ? 'them' : `the first ${shown.length}`}:\n${shown.map((s) => `  ${s}`).join('\n')}\n`);
  return c.missed.size === 0;
}

/** Symmetry reduction against enumeration on programs with twins; true when every one agreed. */
async function twins(programs: number, seed: number): Promise<boolean> {
  process.stdout.write(`\nsymmetry reduction against unreduced enumeration on ${count(programs, 'generated program')} with twins, seed ${seed}\n`);
  const started = performance.now();
  const redraw = progressLine(programs, started);
  const r = await runTwinCampaign({
    programs, seed, cap: CAP, estimateLimit: ESTIMATE_LIMIT,
    onProgress: (checked, mismatches, skipped) => redraw({ checked, mismatches, skipped }),
  });
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  process.stdout.write([
    `checked     ${count(r.checked, 'program')} (${count(r.enumerated, 'schedule')} enumerated) in ${elapsed(started)}`,
    `skipped     ${count(r.skipped, 'program')} (enumeration above ${formatNumber(CAP)} schedules)`,
    `mismatches  ${formatNumber(r.mismatches)}`,
    `schedules   DPOR ${formatNumber(r.unreduced)}, with the reduction ${formatNumber(r.reduced)} (${(r.unreduced / Math.max(1, r.reduced)).toFixed(2)}x fewer); ` +
      `classes up to swapping twins ${formatNumber(r.orbits)}`,
  ].join('\n') + '\n');
  if (r.mismatch !== null) {
    process.stdout.write(`\nThe first program with twins that mismatches, shrunk:\n${r.mismatch.differences.join('\n')}\n\n` +
      `${pseudoCode(r.mismatch.program)}\n\nAs data: ${JSON.stringify(r.mismatch.program)}\n`);
  }
  return r.mismatch === null;
}

/** Runs one campaign and prints what it found: `describe` its summary; true when every program agreed. */
async function campaign(programs: number, seed: number, generator: Arbitrary<Program> | undefined, describe: (r: CampaignResult, started: number) => string): Promise<boolean> {
  const started = performance.now();
  const result = await runCampaign({
    programs, seed, cap: CAP, optimalityLimit: OPTIMALITY_LIMIT, estimateLimit: ESTIMATE_LIMIT, generator, onProgress: progressLine(programs, started),
  });
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  process.stdout.write(`${describe(result, started)}\n`);
  if (result.mismatch !== null) {
    process.stdout.write(`\nThe first program with ${result.mismatch.kind} (seed ${seed}), shrunk:\n\n${result.mismatch.report}\n`);
  }
  if (result.wrongVerdicts.length > 0) {
    const shown = result.wrongVerdicts.slice(0, WRONG_VERDICTS_SHOWN);
    process.stdout.write(`\n${count(result.wrongVerdicts.length, 'program')} with a wrong verdict` +
      `${shown.length < result.wrongVerdicts.length ? `, the first ${shown.length}` : ''} (as data, unshrunk: compareProgram reruns one):\n` +
      `${shown.map((p) => `  ${JSON.stringify(p)}`).join('\n')}\n`);
  }
  return result.mismatch === null;
}

async function main(): Promise<void> {
  const { programs, seed, spinPrograms, qiRuns, twinPrograms } = options();
  process.stdout.write(`kemu soundness: DPOR against unreduced enumeration on ${count(programs, 'generated program')}, seed ${seed}\n`);
  if (!(await campaign(programs, seed, undefined, summary))) process.exitCode = 1;
  if (spinPrograms > 0) {
    process.stdout.write(`\nthe same on ${count(spinPrograms, 'program')} of pollers and writers, seed ${seed}\n`);
    if (!(await campaign(spinPrograms, seed, spinWaitPrograms(ESTIMATE_LIMIT), (r, started) => verdicts(r, started).join('\n')))) process.exitCode = 1;
  }
  if (qiRuns > 0 && !(await qiCoverage(qiRuns, seed))) process.exitCode = 1;
  if (twinPrograms > 0 && !(await twins(twinPrograms, seed))) process.exitCode = 1;
}

await main();
