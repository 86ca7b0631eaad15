/**
 * Start-up, measured on the built command as a person runs it: the wall time
 * of `kemu run qi-zero-count --kernel K --counts C --queue-length Q`, node's
 * own start included, for each 2- and 3-CPU configuration of the patch's
 * claims (docs/vtd-queued-invalidation.md), against issue 10's 1 s; and
 * inversify's share: the modules one run loads, and the CPU time importing
 * inversify costs as its package and as the bundle the build makes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'dist', 'bin', 'kemu.js');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** The configurations of the patch's claims: kernel, counts per CPU, queue length. */
export const CLAIM_CONFIGS: readonly [string, readonly number[], number][] = [
  ['v6.11', [1, 0], 8], ['v6.12', [1, 0], 8], ['v6.11', [1, 1], 8], ['v6.11', [2, 1], 8], ['v6.11', [1, 2], 8], ['v6.11', [2, 1], 4],
  ['v6.11', [0, 1], 8], ['v6.11', [0, 0], 8], ['v6.11', [2, 0], 8], ['v6.12', [0, 1], 8], ['v6.12', [0, 0], 8], ['v6.12', [2, 0], 8],
  ['v6.12', [2, 1], 4], ['v6.12', [2, 0], 4],
  ['v6.11', [1, 1, 1], 6], ['v6.11', [1, 1, 0], 8], ['v6.11', [1, 0, 0], 8], ['v6.12', [1, 0, 0], 4], ['v6.12', [2, 1, 0], 4], ['v6.12', [1, 1, 0], 4],
];

export interface StartupRow {
  command: string;
  /** Median wall time of the whole process, in ms. */
  wallMs: number;
  /** Median CPU time (user + system) of the whole process, in ms: what a free core would take. */
  cpuMs: number;
  /** What the search inside took (its own figure), median, in ms. */
  searchMs: number;
  /** The command's exit code (1: the lockup was found). */
  code: number;
}

export interface StartupFigures {
  rows: StartupRow[];
  runs: number;
  /** The 1-minute load average before and after: other work on the machine stretches wall time. */
  load: [number, number];
  /** Modules `kemu run qi-zero-count` loads, and how many of them are inversify's (1 when bundled). */
  modules: number;
  inversifyModules: number;
  /** CPU time to import inversify, median, in ms: as its package (246 modules) and as the bundle in dist/. */
  inversifyPackageMs: number;
  inversifyBundleMs: number;
}

/** Preloaded into each measured process: it prints the process's CPU time (getrusage) to stderr as it exits. */
const REPORT_CPU = 'data:text/javascript,process.on("exit",()=>{const u=process.resourceUsage();process.stderr.write(`\\nkemu-cpu-ms ${(u.userCPUTime+u.systemCPUTime)/1000}\\n`)})';

/** The CPU time (user + system) of importing `specifier` in a fresh node, in ms. */
function importCpuMs(specifier: string): number {
  const script = `const t = process.cpuUsage(); await import(${JSON.stringify(specifier)}); const d = process.cpuUsage(t); console.log((d.user + d.system) / 1000);`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`importing ${specifier} failed: ${run.stderr}`);
  return Number(run.stdout.trim());
}

/** The modules one `kemu run qi-zero-count` loads (test/support/module-log.mjs records them). */
function loadedModules(): string[] {
  const log = join(mkdtempSync(join(tmpdir(), 'kemu-bench-')), 'modules.log');
  spawnSync(process.execPath, ['--import', join(root, 'test', 'support', 'module-log.mjs'), bin, 'run', 'qi-zero-count'],
    { encoding: 'utf8', env: { ...process.env, KEMU_MODULE_LOG: log } });
  return readFileSync(log, 'utf8').trim().split('\n').filter((url) => url.startsWith('file:'));
}

export function benchStartup(runs = 5): StartupFigures {
  const load0 = loadavg()[0]!;
  const rows = CLAIM_CONFIGS.map(([kernel, counts, queueLength]) => {
    const argv = ['run', 'qi-zero-count', '--kernel', kernel, '--counts', counts.join(','), '--queue-length', String(queueLength), '--no-timeline'];
    const walls: number[] = [];
    const cpus: number[] = [];
    const searches: number[] = [];
    let code = 0;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const run = spawnSync(process.execPath, ['--import', REPORT_CPU, bin, ...argv], { encoding: 'utf8' });
      walls.push(performance.now() - t0);
      code = run.status ?? -1;
      if (code !== 0 && code !== 1) throw new Error(`kemu ${argv.join(' ')} exited ${code}: ${run.stderr}`);
      cpus.push(Number(/kemu-cpu-ms ([\d.]+)/.exec(run.stderr)?.[1] ?? NaN));
      searches.push(Number(/\(([\d.]+) s\)\s*$/.exec(run.stdout.trim())?.[1] ?? NaN) * 1000);
    }
    return { command: `kemu ${argv.slice(0, -1).join(' ')}`, wallMs: median(walls), cpuMs: median(cpus), searchMs: median(searches), code };
  });
  const modules = loadedModules();
  return {
    rows, runs, load: [load0, loadavg()[0]!], modules: modules.length, inversifyModules: modules.filter((u) => /inversify/.test(u)).length,
    inversifyPackageMs: median(Array.from({ length: runs }, () => importCpuMs('inversify'))),
    inversifyBundleMs: median(Array.from({ length: runs }, () => importCpuMs(new URL('dist/src/inversify.js', `file://${root}`).href))),
  };
}
