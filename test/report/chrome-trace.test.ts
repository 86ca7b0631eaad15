/**
 * The Chrome/Perfetto trace: on the step clock (a run of n steps spans about
 * n µs even when the watchdog moved virtual time on by seconds), with slices
 * for blocked and spinning time, flows from an unlock to the lock it let go
 * and from a hardware write to the CPU that read it; and `--failure N`
 * chooses which failure `kemu run … --trace` writes.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { explore, runOnce, type CapturedRun } from '../../src/explore/index.js';
import { toChromeTrace, type TraceEvent } from '../../src/report/index.js';
import { resolveTarget } from '../../src/cli/targets.js';
import { builtinCatalog } from '../support/builtin-catalog.js';
import { kemu } from '../support/run-kemu.js';

async function fatalRun(name: string, variant?: string): Promise<CapturedRun> {
  return (await explore((await resolveTarget(builtinCatalog, { name, kernel: variant })).scenario)).failures.find((f) => f.report.fatal)!.run;
}

const timed = (events: TraceEvent[]) => events.filter((e) => e.ts !== undefined);

describe('the trace of the VT-d lockup', () => {
  test('spans the steps, not the 24 s the watchdog waited; virtual time is an annotation', async () => {
    const run = await fatalRun('qi-zero-count', 'v6.11');
    expect(run.ns).toBeGreaterThan(20e9);
    const events = toChromeTrace(run).traceEvents;
    const end = Math.max(...timed(events).map((e) => e.ts! + (e.dur ?? 0)));
    expect(Math.min(...timed(events).map((e) => e.ts!))).toBe(0);
    expect(end).toBeLessThanOrEqual(run.trace.length + 1);
    expect(events.find((e) => e.cat === 'report')).toMatchObject({ ts: expect.any(Number), args: { virtualTime: expect.stringMatching(/^2\d\.\d{6} s$/) } });
    expect(events.filter((e) => e.cat === 'step').every((e) => typeof e.args?.virtualTime === 'string')).toBe(true);
  });

  test('has the spin that never ends, and flows from each hardware status write to the CPU that read it', async () => {
    const run = await fatalRun('qi-zero-count', 'v6.11');
    const events = toChromeTrace(run).traceEvents;
    const cpu1 = run.tasks.find((t) => t.comm === 'cpu1')!.pid;
    expect(events.find((e) => e.cat === 'spinning' && e.tid === cpu1 && e.args?.forever)).toMatchObject({ name: expect.stringMatching(/^polls dmar0\.qi->desc_status\[2\] = QI_FREE/) });
    const starts = events.filter((e) => e.ph === 's' && e.cat === 'flow-write');
    expect(starts.length).toBeGreaterThan(0);
    const hw = run.tasks.filter((t) => t.kind === 'hardware').map((t) => t.pid);
    for (const s of starts) {
      const end = events.find((e) => e.ph === 'f' && e.id === s.id)!;
      expect(hw).toContain(s.tid);
      expect(hw).not.toContain(end.tid);
      expect(end.ts!).toBeGreaterThan(s.ts!);
    }
  });
});

test('the ABBA deadlock: both tasks blocked forever; lock slices close', async () => {
  const run = await fatalRun('abba');
  const events = toChromeTrace(run).traceEvents;
  expect(events.filter((e) => e.cat === 'blocked' && e.args?.forever).map((e) => e.name).sort())
    .toEqual(['mutex_lock(lock_a) blocks forever, held by cpu1', 'mutex_lock(lock_b) blocks forever, held by cpu2']);
  const begins = events.filter((e) => e.ph === 'b').map((e) => e.id);
  expect(events.filter((e) => e.ph === 'e').map((e) => e.id).sort()).toEqual(begins.sort());
});

test('a boot: unlocks flow to the task that takes the lock next', async () => {
  const run = await runOnce((await resolveTarget(builtinCatalog, { name: 'omap4', kernel: 'v6.5' })).scenario);
  const events = toChromeTrace(run).traceEvents;
  const flows = events.filter((e) => e.ph === 's' && e.cat === 'flow-unlock');
  expect(flows.length).toBeGreaterThan(0);
  for (const s of flows) expect(events.find((e) => e.ph === 'f' && e.id === s.id)!.tid).not.toBe(s.tid);
});

describe('kemu run abba --trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kemu-trace-'));
  const reportKinds = (path: string) => (JSON.parse(readFileSync(path, 'utf8')).traceEvents as TraceEvent[]).filter((e) => e.cat === 'report').map((e) => e.args!.kind);

  test('writes the deadlock by default, not the lockdep splat found first', async () => {
    const { code, text } = await kemu(['run', 'abba', '--trace', join(dir, 'default.json')]);
    expect(code).toBe(1);
    expect(text).toMatch(/^✗ \[1\] possible circular locking dependency/m);
    expect(text).toMatch(/trace of abba, failure \[2\]: hung task: .* written to /);
    expect(reportKinds(join(dir, 'default.json'))).toContain('hung-task');
  });

  test('--failure 1 writes the lockdep schedule instead', async () => {
    await kemu(['run', 'abba', '--trace', join(dir, 'first.json'), '--failure', '1']);
    expect(reportKinds(join(dir, 'first.json'))).toEqual(['lockdep-circular']);
  });
});
