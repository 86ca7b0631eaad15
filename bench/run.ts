/**
 * `npm run bench`: kemu's speed and reduction figures, printed as tables with
 * their targets and written as JSON to bench/results/. Every ratio compares
 * two measurements taken in this same run, so a busy machine shifts both.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import Table from 'cli-table3';
import { benchEngine } from './engine.js';
import { benchReduction } from './reduction.js';

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const machine = `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
  console.log(`kemu benchmarks — ${new Date().toISOString().slice(0, 10)} — ${machine}\n`);

  process.stdout.write('engine: ns per scheduling decision vs a bare coroutine hand-off… ');
  const engine = await benchEngine();
  console.log('done');
  const engineTable = new Table({ head: ['micro scenario', 'bare hand-off', 'kemu engine', 'ratio', 'target', 'kemu schedules/s'] });
  engineTable.push([
    `${engine.tasks} tasks x ${engine.stepsPerTask} steps, random`,
    `${fmt(engine.bareNsPerStep, 1)} ns/step`, `${fmt(engine.engineNsPerStep, 1)} ns/step`,
    `${fmt(engine.ratio, 2)}x`, `<= 3x ${engine.ratio <= 3 ? 'met' : 'MISSED'}`, fmt(engine.engineSchedulesPerSecond),
  ]);
  console.log(engineTable.toString());

  process.stdout.write('\nreduction: DPOR against unreduced exhaustive search… ');
  const reduction = await benchReduction();
  console.log('done');
  const reductionTable = new Table({ head: ['classic case', 'unreduced', 'DPOR', 'DPOR pruned', 'saved', 'same verdicts'] });
  for (const r of reduction) {
    reductionTable.push([r.scenario, fmt(r.unreduced), fmt(r.dpor), fmt(r.dporPruned), `${fmt(r.saved * 100, 1)} %`, r.sameVerdicts ? 'yes' : 'NO']);
  }
  console.log(reductionTable.toString());

  const results = { date: new Date().toISOString(), machine, engine, reduction };
  const dir = new URL('../../bench/results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('latest.json', dir), JSON.stringify(results, null, 2) + '\n');
  console.log(`\nwritten: bench/results/latest.json`);
  if (engine.ratio > 3 || reduction.some((r) => !r.sameVerdicts)) process.exitCode = 1;
}

await main();
