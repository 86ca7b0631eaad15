/**
 * The command in a terminal: at 80 columns nothing wraps (tables, timelines,
 * the progress line, which must stay on one row to be redrawn in place);
 * colours follow FORCE_COLOR, NO_COLOR and the terminal; --version; and the
 * JSON of a replay says what it replayed.
 */
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';
import { colorEnabled, terminalOutput, visibleWidth, type Terminal } from '../../src/cli/output.js';
import { kemuVersion } from '../../src/cli/version.js';
import { BUILTIN, kemu } from '../support/run-kemu.js';

/** A terminal `columns` wide that records stdout and stderr. */
function fakeTerminal(columns: number, env: NodeJS.ProcessEnv = {}, tty = true) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const stream = (into: string[]) => ({ isTTY: tty, columns, write: (s: string) => (into.push(s), true) });
  const terminal: Terminal = { stdout: stream(stdout), stderr: stream(stderr), env };
  return { terminal, stdout: () => stdout.join(''), stderr: () => stderr.join('') };
}

const NO_INTERRUPTS = { interrupts: { listen: () => () => {} } };

async function at80(...argv: string[]): Promise<string[]> {
  const t = fakeTerminal(80);
  await main(argv, [BUILTIN], terminalOutput(t.terminal), NO_INTERRUPTS);
  return stripVTControlCharacters(t.stdout()).split('\n');
}

const tooWide = (lines: string[], width = 80) => lines.filter((l) => visibleWidth(l) > width);

describe('at 80 columns', () => {
  test('list: every table fits', async () => {
    const lines = await at80('list');
    expect(lines.length).toBeGreaterThan(20);
    expect(tooWide(lines)).toEqual([]);
  });

  test('bisect: the table and the call chains fit, the where column wrapped rather than cut', async () => {
    const lines = await at80('bisect', 'exynos');
    const drawn = lines.filter((l) => /^[┌│├└]|^ {2}/.test(l) && !l.includes('replay: '));
    expect(drawn.length).toBeGreaterThan(30);
    expect(tooWide(drawn)).toEqual([]);
    expect(lines.join('\n')).toContain('probe_iommu_group');
  });

  test('run qi-zero-count: the timeline fits (replay commands stay whole, to be copied)', async () => {
    const lines = await at80('run', 'qi-zero-count');
    const timeline = lines.slice(lines.findIndex((l) => l.startsWith('Timeline of the failing schedule')), lines.findIndex((l) => l.startsWith('Replay: ')));
    expect(timeline.length).toBeGreaterThan(10);
    expect(tooWide(timeline)).toEqual([]);
    expect(timeline[1]).toMatch(/^ step \| cpu0 = T1/);
  });

  test('the progress line is cut to one row, so \\r\\x1b[K can erase it', () => {
    const t = fakeTerminal(80);
    const out = terminalOutput(t.terminal);
    out.progress(`omap4-dsp on iommu-next-2023-08: ${'1,234,567 schedules (45,678/s), '.repeat(3)}1 failure so far`);
    const drawn = t.stderr();
    expect(drawn.startsWith('\r\x1b[K')).toBe(true);
    expect(visibleWidth(drawn.slice(4))).toBe(79);
    expect(drawn.endsWith('…')).toBe(true);
  });

  test('without a terminal, nothing is fitted and no progress is drawn', () => {
    const t = fakeTerminal(80, {}, false);
    const out = terminalOutput(t.terminal);
    out.progress('exploring');
    expect(out.width).toBeUndefined();
    expect(t.stderr()).toBe('');
  });
});

describe('colours', () => {
  test.each([
    [{}, true, true], [{}, false, false],
    [{ FORCE_COLOR: '1' }, false, true], [{ FORCE_COLOR: '' }, false, true], [{ FORCE_COLOR: '3' }, false, true],
    [{ FORCE_COLOR: '0' }, true, false], [{ FORCE_COLOR: 'false' }, true, false],
    [{ NO_COLOR: '1' }, true, false], [{ TERM: 'dumb' }, true, false], [{ NO_COLOR: '1', FORCE_COLOR: '1' }, false, true],
  ] as [NodeJS.ProcessEnv, boolean, boolean][])('env %o, tty %s: colours %s', (env, tty, expected) => {
    expect(colorEnabled(env, tty)).toBe(expected);
  });

  test('FORCE_COLOR colours output into a pipe', async () => {
    const t = fakeTerminal(80, { FORCE_COLOR: '1' }, false);
    await main(['run', 'spin-forever'], [BUILTIN], terminalOutput(t.terminal), NO_INTERRUPTS);
    expect(t.stdout()).toContain('\x1b[31m');
  });
});

describe('the command says what it is', () => {
  test('--version prints the package version', async () => {
    const { code, text } = await kemu(['--version']);
    expect(code).toBe(0);
    expect(text).toBe(`kemu ${kemuVersion()}`);
    expect(kemuVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  test('replay --json carries the target, the token and the command that replays it', async () => {
    const found = await kemu(['run', 'abba', '--json']);
    const token = JSON.parse(found.text).failures[0].token as string;
    const { text } = await kemu(['replay', 'abba', token, '--json']);
    const run = JSON.parse(text);
    expect(run).toMatchObject({ target: { kind: 'scenario', name: 'abba', variant: '' }, token, replay: `npx kemu replay abba ${token}` });
    expect(run.trace.length).toBeGreaterThan(3);
  });

  test('boot --json carries the board, the variant and the token of the boot', async () => {
    const run = JSON.parse((await kemu(['boot', 'exynos', '--kernel', 'v6.7', '--json'])).text);
    expect(run.target).toEqual({ kind: 'board', name: 'exynos', variant: 'v6.7' });
    expect(run.token).toMatch(/^k1\./);
  });
});
