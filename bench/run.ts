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
import { PARALLEL_CASES, benchMemory, benchParallel, benchTwoThreads } from './scale.js';
import { STEP_TARGET_NS, benchQiTargets, benchStepCost } from './qi-targets.js';
import { benchBoards } from './boards.js';
import { benchPeer, benchQiCurves, benchQiHeadline } from './qi.js';
import { PEER_OMITS } from './peer-fast-check-qi.js';
import { benchStartup } from './startup.js';

/** Tables are plain when the output is not a terminal (a file, CI's log). */
const tableStyle = process.stdout.isTTY ? {} : { style: { head: [], border: [] } };
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const machine = `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
  console.log(`kemu benchmarks — ${new Date().toISOString().slice(0, 10)} — ${machine}\n`);

  process.stdout.write('engine: ns per scheduling decision vs a bare coroutine hand-off… ');
  const engine = await benchEngine();
  console.log('done');
  const engineTable = new Table({ ...tableStyle, head: ['micro scenario', 'bare hand-off', 'kemu engine', 'ratio', 'target', 'kemu schedules/s'] });
  engineTable.push([
    `${engine.tasks} tasks x ${engine.stepsPerTask} steps, random`,
    `${fmt(engine.bareNsPerStep, 1)} ns/step`, `${fmt(engine.engineNsPerStep, 1)} ns/step`,
    `${fmt(engine.ratio, 2)}x`, `<= 3x ${engine.ratio <= 3 ? 'met' : 'MISSED'}`, fmt(engine.engineSchedulesPerSecond),
  ]);
  console.log(engineTable.toString());
  console.log(`The same hand-off between generators, with no promise: ${fmt(engine.generatorNsPerStep, 1)} ns/step, ` +
    `${fmt(engine.bareNsPerStep - engine.generatorNsPerStep, 1)} ns less a step than between async tasks.`);

  process.stdout.write('\nreduction: DPOR against unreduced exhaustive search… ');
  const reduction = await benchReduction();
  console.log('done');
  const reductionTable = new Table({ ...tableStyle, head: ['classic case', 'unreduced', 'DPOR', 'DPOR cut', 'classes', 'DPOR per class', 'saved', 'same verdicts'] });
  for (const r of reduction) {
    reductionTable.push([r.scenario, fmt(r.unreduced), fmt(r.dpor), fmt(r.dporPruned), r.classes === null ? 'not enumerated' : fmt(r.classes),
      r.classes === null ? '' : fmt(r.dpor / r.classes, 2), `${fmt(r.saved * 100, 1)} %`, r.sameVerdicts ? 'yes' : 'NO']);
  }
  console.log(reductionTable.toString());

  process.stdout.write('\nVT-d qi_submit_sync 0-count race: first failure on v6.11, exhaustion on v6.12… ');
  const qi = await benchQiHeadline();
  console.log('done');
  const qiTable = new Table({ ...tableStyle, head: ['counts per CPU', 'variant', 'what', 'schedules', 'time', 'target'] });
  for (const r of qi.rows) {
    const threeCpuExhaust = r.variant === 'v6.12' && r.counts.length === 3;
    qiTable.push([JSON.stringify(r.counts), r.variant,
      r.variant === 'v6.11' ? (r.found.length ? `first failure: ${r.found.join(', ')}` : 'NO FAILURE FOUND') : r.exhausted ? `exhausted, ${r.found.length ? `failures: ${r.found.join(', ')}` : 'no failure'}` : 'NOT exhausted',
      fmt(r.schedules), `${fmt(r.ms, 1)} ms`, threeCpuExhaust ? `< 10 s ${r.exhausted && r.ms < 10_000 ? 'met' : 'MISSED'}` : '']);
  }
  for (const u of qi.unreduced) {
    const reduced = qi.rows.find((r) => r.variant === 'v6.12' && JSON.stringify(r.counts) === JSON.stringify(u.counts))!;
    qiTable.push([JSON.stringify(u.counts), u.variant, `unreduced search${u.exhausted ? '' : ' (stopped at its cap)'}: DPOR saves ${u.exhausted ? '' : 'at least '}${fmt((1 - reduced.schedules / u.schedules) * 100, 1)} %`,
      `${u.exhausted ? '' : '>= '}${fmt(u.schedules)}`, `${fmt(u.ms, 1)} ms`, '']);
  }
  console.log(qiTable.toString());

  process.stdout.write('\nVT-d targets: DPOR, CPU time of the search, each configuration in a worker thread of its own (medians of 5; the 5-CPU row once, to exhaustion)… ');
  const targets = await benchQiTargets();
  console.log('done');
  const targetTable = new Table({ ...tableStyle, head: ['configuration', 'schedules (+cut)', 'outcome', 'CPU', 'ns per step', 'target'] });
  for (const t of targets) {
    targetTable.push([t.what, `${fmt(t.schedules)} (+${fmt(t.pruned)})`,
      `${t.exhausted ? 'exhausted' : 'NOT exhausted'}${t.failures.length ? `, ${[...new Set(t.failures)].join(', ')}` : ''}`,
      `${fmt(t.cpuMs)} ms`, fmt(t.nsPerStep), `${t.target}: ${t.met ? 'met' : 'MISSED'}`]);
  }
  console.log(targetTable.toString());

  process.stdout.write(`\na visible step, [1,1,0] v6.12: one thread's searches one after another… `);
  const step = await benchStepCost();
  console.log('done');
  const stepTable = new Table({ ...tableStyle, head: ['CPU per visible step (set-up and cut runs included)', 'first search', `warm (median of searches ${step.searches - step.warm + 1}-${step.searches})`,
    'the same runs without the explorer (floor)', 'the explorer\'s share', 'target'] });
  stepTable.push([`${fmt(step.steps)} steps a search`, `${fmt(step.firstNs)} ns`, `${fmt(step.warmNs)} ns`, `${fmt(step.floorNs)} ns`,
    `${fmt(step.warmNs - step.floorNs)} ns (${fmt(((step.warmNs - step.floorNs) / step.warmNs) * 100)} %)`,
    `warm <= ${STEP_TARGET_NS} ns: ${step.warmNs <= STEP_TARGET_NS ? 'met' : 'MISSED'}${step.floorNs > STEP_TARGET_NS ? ' (the floor alone is over it)' : ''}`]);
  console.log(stepTable.toString());

  process.stdout.write('\ncost curves (v6.12, DPOR to exhaustion), with the growth factor per step… ');
  const curves = await benchQiCurves();
  console.log('done');
  const curveTable = new Table({ ...tableStyle, head: ['curve', 'counts per CPU', 'ring', 'schedules', 'growth', 'time', 'exhausted'] });
  for (const c of curves) {
    c.rows.forEach((r, i) => curveTable.push([c.name, JSON.stringify(r.counts), r.queueLength, `${r.exhausted ? '' : '>= '}${fmt(r.schedules)}`,
      r.growth !== null ? `x${fmt(r.growth, 2)}` : i > 0 ? 'n/a (not both exhausted)' : '', `${fmt(r.ms, 1)} ms`, r.exhausted ? 'yes' : 'NO']));
  }
  console.log(curveTable.toString());

  process.stdout.write('\nthe peer: the same race against fast-check\'s fc.scheduler(), 100 seeds… ');
  const peer = await benchPeer();
  console.log('done');
  const peerTable = new Table({ ...tableStyle, head: ['tool', 'v6.11: time to first failure', 'v6.12: what it can say', 'target'] });
  peerTable.push(['fast-check 4 fc.scheduler (kemu\'s visible steps)', `median ${fmt(peer.fastCheckMedianMs, 2)} ms, worst ${fmt(peer.fastCheckWorstMs, 1)} ms (median ${peer.fastCheckMedianRuns} runs; missed in ${peer.fastCheckMissed} of ${peer.seeds} seeds)`,
    `"${fmt(peer.fastCheckFixedRuns)} runs passed" (${fmt(peer.fastCheckFixedMs)} ms)`, '']);
  peerTable.push(['kemu DPOR (full model)', `median ${fmt(peer.kemuDporMedianMs, 2)} ms, worst ${fmt(peer.kemuDporWorstMs, 1)} ms (always ${peer.kemuDporSchedules} schedules: deterministic)`,
    `${peer.kemuFixedExhausted ? '"space exhausted"' : 'NOT exhausted'}: ${fmt(peer.kemuFixedSchedules)} schedules (${fmt(peer.kemuFixedMs)} ms)`,
    `faster than fast-check's median: ${peer.kemuDporMedianMs < peer.fastCheckMedianMs ? 'met' : 'MISSED'}`]);
  peerTable.push(['kemu random (full model)', `median ${fmt(peer.kemuRandomMedianMs, 2)} ms, worst ${fmt(peer.kemuRandomWorstMs, 1)} ms`, '', '']);
  console.log(peerTable.toString());
  console.log(`the peer leaves out: ${PEER_OMITS}`);

  process.stdout.write('\nstart-up: the built command, node included, per configuration of the patch\'s claims… ');
  const startup = benchStartup();
  console.log('done');
  const startupTable = new Table({ ...tableStyle, head: ['command', `wall (median of ${startup.runs})`, 'CPU', 'of the wall, the search', 'target'] });
  for (const r of startup.rows) {
    startupTable.push([r.command, `${fmt(r.wallMs)} ms`, `${fmt(r.cpuMs)} ms`, `${fmt(r.searchMs)} ms`, `<= 1 s wall ${r.wallMs <= 1000 ? 'met' : 'MISSED'}`]);
  }
  console.log(startupTable.toString());
  console.log(`load average ${fmt(startup.load[0], 2)} before, ${fmt(startup.load[1], 2)} after (other work stretches wall time); ` +
    `one run loads ${startup.modules} modules, ${startup.inversifyModules} of them inversify's; importing inversify costs ` +
    `${fmt(startup.inversifyPackageMs)} ms of CPU as its package, ${fmt(startup.inversifyBundleMs)} ms as the bundle dist/ has`);

  process.stdout.write('\nboards: exploring each boot with DPOR, per kernel variant… ');
  const boards = await benchBoards();
  console.log('done');
  const boardsTable = new Table({ ...tableStyle, head: ['board', 'variant', 'schedules', 'pruned', 'exhausted', 'failures', 'time'] });
  for (const r of boards) boardsTable.push([r.board, r.variant, fmt(r.schedules), fmt(r.pruned), r.exhausted ? 'yes' : 'no', fmt(r.failures), `${fmt(r.ms, 1)} ms`]);
  console.log(boardsTable.toString());

  process.stdout.write('\nparallel: worker threads against one thread, same exploration (medians of 3; 5 CPUs once)… ');
  const twoThreads = await benchTwoThreads();
  const parallel = [];
  for (const { request, options, repeats, independentCopies } of PARALLEL_CASES) parallel.push(await benchParallel(request, options, repeats, independentCopies));
  const twoThreadsAfter = await benchTwoThreads();
  console.log('done');
  // What the machine let a search gain from a second thread, measured with the search itself where the case allows.
  const ceilings = parallel.map((p) => p.independentCopies).filter((c): c is number => c !== null);
  const parallelTable = new Table({ ...tableStyle, head: ['exploration', 'schedules', '1 thread: wall, CPU', 'workers: wall, CPU', 'speedup', 'independent copies at once', 'target', 'merged = single'] });
  for (const p of parallel) {
    const ceiling = p.independentCopies ?? (ceilings.length > 0 ? Math.min(...ceilings) : Math.min(twoThreads, twoThreadsAfter));
    parallelTable.push([`${p.scenario}, ${p.strategy}`, fmt(p.schedules), `${fmt(p.oneThreadMs)} ms, ${fmt(p.oneThreadCpuMs)} ms`,
      `${p.workers}: ${fmt(p.workersMs)} ms, ${fmt(p.workersCpuMs)} ms`, `${fmt(p.speedup, 2)}x`,
      p.independentCopies === null ? 'not run' : `${fmt(p.independentCopies, 2)}x`,
      p.speedup >= 1.7 || ceiling >= 1.7 ? `>= 1.7x ${p.speedup >= 1.7 ? 'met' : 'MISSED'}` : `>= 1.7x: not measurable here (${fmt(ceiling, 2)}x for independent copies)`,
      p.sameResult ? 'yes' : 'NO']);
  }
  console.log(parallelTable.toString());
  console.log('  independent copies at once: as many one-thread searches as workers, run together, against one after the other; ' +
    'no split of one search can beat it.');
  console.log(`  a busy loop gets ${fmt(twoThreads, 2)}x one thread's CPU on two threads before, ${fmt(twoThreadsAfter, 2)}x after (2x: two free cores; ` +
    `${os.availableParallelism()} CPUs, load average ${os.loadavg()[0]!.toFixed(1)}); CPU is every thread's.`);

  process.stdout.write('\nmemory: a million schedules… ');
  const memory = await benchMemory();
  console.log('done');
  const memoryTable = new Table({ ...tableStyle, head: ['schedules', 'RSS at 100k', 'peak RSS', 'live heap at 100k', 'live heap at 1M', 'live heap growth'] });
  memoryTable.push([fmt(memory.schedules), `${fmt(memory.rssAt100kMb)} MB`, `${fmt(memory.peakRssMb)} MB`, `${fmt(memory.heapAt100kMb, 1)} MB`,
    `${fmt(memory.heapAtEndMb, 1)} MB`, `${fmt(memory.growth, 2)}x`]);
  console.log(memoryTable.toString());

  const results = { date: new Date().toISOString(), machine, engine, reduction, qi, targets, step, curves, peer, startup, boards, parallel, twoThreads: [twoThreads, twoThreadsAfter], memory };
  const dir = new URL('../../bench/results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('latest.json', dir), JSON.stringify(results, null, 2) + '\n');
  console.log(`\nwritten: bench/results/latest.json`);
  if (engine.ratio > 3 || reduction.some((r) => !r.sameVerdicts || (r.classes !== null && r.dpor !== r.classes)) || parallel.some((p) => !p.sameResult)) process.exitCode = 1;
}

await main();
