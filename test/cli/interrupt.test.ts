/**
 * Ctrl-C never loses a finding: the exploration stops between runs, what was
 * found is shrunk and printed with its replay tokens and with how much was
 * covered, and the command exits 130. Checked in-process (an interrupt source
 * the test fires) and on the compiled command with a real SIGINT.
 */
import { spawn } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import type { InterruptSource } from '../../src/cli/interrupt.js';
import { EXIT_INTERRUPTED } from '../../src/cli/exit-codes.js';
import { buildKemu } from '../support/built-kemu.js';
import { kemu } from '../support/run-kemu.js';

/** An interrupt source and a way to press Ctrl-C on it. */
function ctrlC(): InterruptSource & { press(): void } {
  const listeners = new Set<() => void>();
  return {
    listen: (l) => (listeners.add(l), () => void listeners.delete(l)),
    press: () => listeners.forEach((l) => l()),
  };
}

/** Random runs of ABBA: the deadlock is found within a few runs, and the search would go on for a long time. */
const LONG_ABBA = ['explore', 'abba', '--strategy', 'random', '--runs', '100000000', '--no-timeline'];

describe('Ctrl-C during an exploration', () => {
  test('prints the partial result: the failures found, their tokens, what was covered; exit 130', async () => {
    const keys = ctrlC();
    const { code, text, errors } = await kemu(LONG_ABBA, { interrupts: keys, onProgress: () => keys.press() });
    expect(code).toBe(EXIT_INTERRUPTED);
    expect(errors).toContain('interrupted: finishing this run');
    expect(text).toMatch(/✗ \[1\] .*deadlock|✗ \[1\] /);
    expect(text).toMatch(/Replay: npx kemu replay abba k1\.\S+/);
    expect(text).toMatch(/Interrupted after [\d,]+ schedules: a partial result; the space was not exhausted\./);
    expect(text).toMatch(/random\S*: [\d,]+ schedules, NOT exhausted \(stopped: interrupted\), \d+ failures?/);
  });

  test('the printed token replays the failure it stands for', async () => {
    const keys = ctrlC();
    const { text } = await kemu(LONG_ABBA, { interrupts: keys, onProgress: () => keys.press() });
    const replay = /Replay: npx kemu (replay abba k1\.\S+)/.exec(text)![1]!;
    const again = await kemu(replay.split(' '));
    expect(again.code).toBe(1);
    expect(again.text).toMatch(/INFO: task cpu\d:\d blocked for more than 120 seconds|possible circular locking dependency/);
  });

  test('a search that found nothing before Ctrl-C does not claim to be clean', async () => {
    const keys = ctrlC();
    const { code, text } = await kemu(['explore', 'peterson', '--strategy', 'random', '--runs', '100000000'], { interrupts: keys, onProgress: () => keys.press() });
    expect(code).toBe(EXIT_INTERRUPTED);
    expect(text).toMatch(/Interrupted after [\d,]+ schedules: a partial result; "no failure" proves nothing\./);
    expect(text).toMatch(/^✗ peterson — random\S*: .*NOT exhausted \(stopped: interrupted\), no failure/m);
  });

  test('a shard shows its progress, and on Ctrl-C prints what it ran as a shard file for the merge; exit 130', async () => {
    const keys = ctrlC();
    const shown: string[] = [];
    const { code, text } = await kemu(['explore', 'peterson', '--strategy', 'random', '--runs', '100000000', '--shard', '1/2'],
      { interrupts: keys, onProgress: (t) => (shown.push(t), keys.press()) });
    expect(code).toBe(EXIT_INTERRUPTED);
    expect(shown[0]).toMatch(/^peterson: [\d,]+ schedules \([\d,]+\/s\) in shard 1\/2, 0 failures so far$/);
    const shard = JSON.parse(text);
    expect([shard.kemu, shard.shard.index, shard.result.stoppedBy]).toEqual(['shard', 0, 'interrupted']);
    expect(shard.result.schedules).toBeGreaterThan(0);
  });

  test('bisect stops after the variant in progress and prints the rows so far; exit 130', async () => {
    const keys = ctrlC();
    const { code, text, errors } = await kemu(['bisect', 'omap4-dsp'], { interrupts: keys, onProgress: (t) => t.includes('on iommu-next-2023-08') && keys.press() });
    expect(code).toBe(EXIT_INTERRUPTED);
    expect(text).toMatch(/^v6\.5 \| boots/m);
    expect(text).toMatch(/^iommu-next-2023-08 \| hangs/m);
    expect(text).not.toMatch(/^v6\.7 \|/m);
    expect(errors).toMatch(/interrupted: (iommu-next-2023-08 was explored only in part; )?not explored: fix-try-1, .*v6\.7\./);
  });

  test('on the compiled command, a real SIGINT gives the same partial result and exit 130', async () => {
    const bin = buildKemu('interrupt');
    const child = spawn(process.execPath, [bin, ...LONG_ABBA], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(stderr).toContain('interrupted: finishing this run');
    expect(code).toBe(130);
    expect(stdout).toMatch(/Replay: npx kemu replay abba k1\.\S+/);
    expect(stdout).toMatch(/stopped: interrupted/);
  }, 30_000);

  test('with worker threads, every worker stops and hands back what it found', async () => {
    const bin = buildKemu('interrupt');
    const child = spawn(process.execPath, [bin, ...LONG_ABBA, '--workers', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    await new Promise((resolve) => setTimeout(resolve, 2500));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(stdout).toMatch(/Replay: npx kemu replay abba k1\.\S+/);
    expect(stdout).toMatch(/random\S*: [\d,]+ schedules, NOT exhausted \(stopped: interrupted\)/);
  }, 30_000);
});
