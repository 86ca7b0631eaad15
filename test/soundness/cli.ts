/**
 * `npm run soundness`: the differential campaign at full size. It checks
 * DPOR against unreduced enumeration on 50,000 generated programs (by
 * default), shows progress on a terminal, and prints what it checked, what
 * it skipped, the mismatches (the first one shrunk and explained) and how
 * often each primitive was exercised. Exit status: 0 no mismatch, 1 a
 * mismatch, 2 bad usage.
 *
 *   npm run soundness -- [--programs N] [--seed S]
 */
import { parseArgs } from 'node:util';
import { runCampaign, type CampaignProgress, type CampaignResult } from './campaign.js';
import { count, formatNumber } from './text.js';

const USAGE = 'usage: npm run soundness -- [--programs N] [--seed S]';

/** Enumeration cap: programs with more schedules are skipped. */
const CAP = 20_000;
/** Up to this many schedules a program's DPOR schedule count is checked against its number of classes. */
const OPTIMALITY_LIMIT = 2_000;

function positiveInteger(name: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`soundness: --${name} ${text} is not an integer of at least ${min}\n${USAGE}\n`);
    process.exit(2);
  }
  return n;
}

function options(): { programs: number; seed: number } {
  try {
    const { values } = parseArgs({ options: { programs: { type: 'string' }, seed: { type: 'string' } }, strict: true });
    return {
      programs: positiveInteger('programs', values.programs ?? '50000', 1),
      seed: positiveInteger('seed', values.seed ?? '1', 0),
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
function progressLine(total: number, started: number): (p: CampaignProgress) => void {
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

function summary(result: CampaignResult, started: number): string {
  const rows = [...result.coverage].map(([what, c]) => [what, formatNumber(c.programs), formatNumber(c.schedules)]);
  const width = Math.max(...rows.map((r) => r[0]!.length), 'coverage'.length);
  return [
    `checked     ${count(result.checked, 'program')} (${count(result.schedules, 'schedule')} enumerated) in ${elapsed(started)}`,
    `skipped     ${count(result.skipped, 'program')} (enumeration above ${formatNumber(CAP)} schedules)`,
    `mismatches  ${formatNumber(result.mismatches)}`,
    '',
    `${'coverage'.padEnd(width)}   programs   schedules`,
    ...rows.map(([what, programs, schedules]) => `${what!.padEnd(width)}  ${programs!.padStart(9)}  ${schedules!.padStart(10)}`),
  ].join('\n');
}

async function main(): Promise<void> {
  const { programs, seed } = options();
  process.stdout.write(`kemu soundness: DPOR against unreduced enumeration on ${count(programs, 'generated program')}, seed ${seed}\n`);
  const started = performance.now();
  const result = await runCampaign({ programs, seed, cap: CAP, optimalityLimit: OPTIMALITY_LIMIT, onProgress: progressLine(programs, started) });
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  process.stdout.write(`${summary(result, started)}\n`);
  if (result.mismatch !== null) {
    process.stdout.write(`\nThe first mismatch (seed ${seed}), shrunk:\n\n${result.mismatch.report}\n`);
    process.exitCode = 1;
  }
}

await main();
