/**
 * A task that loops in plain JavaScript, with no scheduling point, never
 * hangs the kemu command: the watchdog stops it after --watchdog seconds and
 * says which task loops, after which operation and from where, prints what
 * was found before it with its replay commands, and exits 4. Checked on the
 * compiled command, in every phase that runs schedules (the search, the
 * replays that draw reports, boot, bisect, merge, worker threads), and with
 * the watchdog off, where Ctrl-C still quits.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { EXIT_FAILURE_FOUND, EXIT_INTERRUPTED, EXIT_WATCHDOG } from '../../src/cli/exit-codes.js';
import { buildKemu } from '../support/built-kemu.js';

const bin = buildKemu('watchdog');
const LOAD = ['--load', resolve(bin, '..', '..', 'test', 'cli', 'fixtures', 'looping-plugin.js')];

interface Ended {
  code: number | null;
  stdout: string;
  stderr: string;
  /** From the start of the process to its exit. */
  ms: number;
}

/** Runs the compiled command; `interrupts` are the times (ms after the start) at which it gets a SIGINT. */
function kemu(args: string[], interrupts: number[] = []): Promise<Ended> {
  const started = performance.now();
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  // A command the watchdog failed to stop must not outlive its test.
  const timers = [...interrupts.map((ms) => setTimeout(() => child.kill('SIGINT'), ms)), setTimeout(() => child.kill('SIGKILL'), 50_000)];
  return new Promise((done) => child.on('close', (code) => {
    timers.forEach(clearTimeout);
    done({ code, stdout, stderr, ms: performance.now() - started });
  }));
}

/** The replay command a "Found before it" line gives for `signature`, as arguments. */
function foundReplay(stderr: string, signature: string): string[] {
  const m = new RegExp(`^ {2}${signature}: npx kemu (replay .*) \\(not shrunk\\)$`, 'm').exec(stderr);
  expect(m, stderr).not.toBeNull();
  return m![1]!.split(' ');
}

/** Started within a second, stopped one watchdog second later: well within this even on a busy machine. */
const PROMPTLY_MS = 20_000;

describe('the watchdog stops a task that loops with no scheduling point', () => {
  test('in the search: the task, its step and operation, its call trace, and the findings before it; exit 4', async () => {
    const { code, stderr, ms } = await kemu(['explore', 'loop-on-a-flag', ...LOAD, '--watchdog', '1']);
    expect(code).toBe(EXIT_WATCHDOG);
    expect(ms).toBeGreaterThan(1000);
    expect(ms).toBeLessThan(PROMPTLY_MS);
    expect(stderr).toMatch(/^kemu: watchdog: task cpu1:2 ran 1 s without a scheduling point, after its step 5 \(READ_ONCE\(flag\)\)\n/);
    expect(stderr).toMatch(/\nIts last scheduling point:\n {2}READ_ONCE \(src\/kernel\/memory\/once\.ts:\d+\)\n {2}poll_flag \(test\/cli\/fixtures\/looping-plugin\.ts:\d+\)\n/);
    expect(stderr).toMatch(/\nkemu cannot preempt plain JavaScript: each pass of a loop in model code\nmust reach a scheduling point \(cpu_relax\(\), a lock, READ_ONCE\(\), \.\.\.\)\.\n--watchdog <seconds> sets how long a step may run \(0: no limit\)\.\nFound before it:\n/);
    // docs/explorer.md shows this report as it is (with the fixture where `npm run build` puts it).
    const docs = readFileSync(resolve(import.meta.dirname, '..', '..', 'docs', 'explorer.md'), 'utf8');
    const shown = /\n```text\n(kemu: watchdog: [\s\S]*?)\n```/.exec(docs)![1]!;
    expect(stderr.trimEnd().replaceAll(LOAD[1]!, 'dist/test/cli/fixtures/looping-plugin.js')).toBe(shown);
    // The WARN found before the loop replays as it was found.
    const replayed = await kemu(foundReplay(stderr, 'warn:poll_flag:WARN_ON'));
    expect(replayed.code).toBe(EXIT_FAILURE_FOUND);
    expect(replayed.stdout).toMatch(/WARNING: CPU: 1 PID: 2 at test\/cli\/fixtures\/looping-plugin\.ts:\d+ poll_flag\n/);
  }, 60_000);

  test('in the replay that draws a failure, and in `kemu replay`: with what the run reported before the loop', async () => {
    const run = await kemu(['run', 'loop-when-replayed', ...LOAD, '--watchdog', '1']);
    expect(run.code).toBe(EXIT_WATCHDOG);
    const loops = /^kemu: watchdog: task cpu1:2 ran 1 s without a scheduling point, after its step 3 \(WRITE_ONCE\(done, 1\)\)\nIts last scheduling point:\n(?: {2}.*\n)+Before it, the run reported: WARNING in warn_then_spin: WARN_ON\(1\)\n/;
    expect(run.stderr).toMatch(loops);
    const replay = await kemu([...foundReplay(run.stderr, 'warn:warn_then_spin:WARN_ON'), '--watchdog', '1']);
    expect(replay.code).toBe(EXIT_WATCHDOG);
    expect(replay.stderr).toMatch(loops);
  }, 60_000);

  test('in `kemu boot` and `kemu bisect`', async () => {
    const boot = await kemu(['boot', 'loop-board', ...LOAD, '--watchdog', '1']);
    expect(boot.code).toBe(EXIT_WATCHDOG);
    expect(boot.stderr).toMatch(/^kemu: watchdog: task cpu1:2 ran 1 s without a scheduling point, after its step 3 \(WRITE_ONCE\(done, 1\)\)\n/);
    expect(boot.stderr).not.toContain('Found before it');
    const bisect = await kemu(['bisect', 'loop-board', ...LOAD, '--watchdog', '1']);
    expect(bisect.code).toBe(EXIT_WATCHDOG);
    expect(bisect.stderr).toMatch(/^kemu: watchdog: task cpu1:2 ran 1 s/);
    expect(foundReplay(bisect.stderr, 'v6\\.7: warn:warn_then_spin:WARN_ON')).toEqual(expect.arrayContaining(['loop-board', '--kernel', 'v6.7']));
  }, 60_000);

  test('in worker threads, and when merging shards', async () => {
    const workers = await kemu(['explore', 'loop-on-a-flag', ...LOAD, '--strategy', 'exhaustive', '--workers', '2', '--watchdog', '1']);
    expect(workers.code).toBe(EXIT_WATCHDOG);
    // (Whether the WARN was found first depends on how fast the other shard gets going: worker-threads.test.ts checks that shards hand findings over.)
    expect(workers.stderr).toMatch(/^kemu: watchdog: task cpu1:2 ran 1 s without a scheduling point, after its step 5 \(READ_ONCE\(flag\)\)\n/);
    const shard = await kemu(['explore', 'loop-when-replayed', ...LOAD, '--strategy', 'exhaustive', '--shard', '1/1']);
    expect(shard.code).toBe(EXIT_FAILURE_FOUND);
    const file = join(mkdtempSync(join(tmpdir(), 'kemu-watchdog-')), 'shard.json');
    writeFileSync(file, shard.stdout);
    const merged = await kemu(['merge', file, ...LOAD, '--watchdog', '1']);
    expect(merged.code).toBe(EXIT_WATCHDOG);
    expect(merged.stderr).toMatch(/^kemu: watchdog: task cpu1:2 ran 1 s without a scheduling point, after its step 3 /);
  }, 60_000);
});

describe('with the watchdog off', () => {
  test('the loop goes on, and a second Ctrl-C quits it at once with the findings so far; exit 130', async () => {
    // Late enough for the search to be in its loop even on a busy machine.
    const { code, stderr, ms } = await kemu(['explore', 'loop-on-a-flag', ...LOAD, '--watchdog', '0'], [5000, 5500]);
    expect(code).toBe(EXIT_INTERRUPTED);
    expect(ms).toBeGreaterThan(5500);
    expect(stderr).not.toContain('watchdog:');
    expect(stderr).toMatch(/^warn:poll_flag:WARN_ON: npx kemu replay .* loop-on-a-flag k1\.\S+ \(not shrunk\)$/m);
  }, 60_000);

  test('a command that does not stop between runs (a boot) quits at the first Ctrl-C, as it did in one thread', async () => {
    const { code, ms } = await kemu(['boot', 'loop-board', ...LOAD, '--watchdog', '0'], [4000]);
    expect(code).toBe(EXIT_INTERRUPTED);
    expect(ms).toBeLessThan(PROMPTLY_MS);
  }, 60_000);
});
