/**
 * `npm run test:ktap` as kernel tooling reads it. The fixture files
 * (ktap-fixtures/) pass, fail with a kemu report, skip, log, fail to load
 * and leave an unhandled error; their KTAP is checked against the
 * specification (test/support/ktap-spec.ts), against what must be in it, and,
 * where python3 and a copy of the kernel's kunit_parser.py are at hand,
 * against that parser's verdict. A run that is killed half-way must leave the
 * KTAP of the files that finished.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeEach, describe, expect, test } from 'vitest';
import { countLeaves, parseKtap, type KtapTest } from '../support/ktap-spec.js';

const root = resolve(import.meta.dirname, '..', '..');

function ktapRun(args: string[] = [], env: NodeJS.ProcessEnv = {}): { code: number | null; out: string } {
  const run = spawnSync(join(root, 'node_modules', '.bin', 'vitest'),
    ['run', '--config', 'test/kunit/ktap-fixtures/vitest.config.ts', '--reporter=./src/kunit/ktap-reporter.ts', ...args],
    { cwd: root, encoding: 'utf8', env: { ...process.env, ...env, FORCE_COLOR: '0' }, timeout: 120_000 });
  return { code: run.status, out: run.stdout };
}

/** Runs each kind of fixture run once, for all the tests that read it. */
const once = <T>(run: () => T): (() => T) => {
  let value: T | undefined;
  return () => (value ??= run());
};
const fullRun = once(() => ktapRun());
const crashedRun = once(() => ktapRun([], { KTAP_FIXTURE_CRASH: '1' }));

const find = (tests: readonly KtapTest[], description: string): KtapTest | undefined => {
  for (const t of tests) {
    if (t.description === description) return t;
    const inner = find(t.subtests, description);
    if (inner) return inner;
  }
  return undefined;
};

describe('KTAP of a run with failures, skips, logs, a file that fails to load and an unhandled error', () => {
  const { code, out } = fullRun();
  const { tests, problems } = parseKtap(out);

  test('follows the KTAP specification: version, plans, numbering, two-space nesting, directives', () => {
    expect(out.startsWith('KTAP version 1\n1..5\n')).toBe(true);
    expect(problems).toEqual([]);
  });

  test('one test per file in path order, then the unhandled-error test; vitest exits 1', () => {
    expect(tests.map((t) => [t.description, t.ok])).toEqual([
      ['test/kunit/ktap-fixtures/a-results.fixture.ts', false],
      ['test/kunit/ktap-fixtures/b-import-failure.fixture.ts', false],
      ['test/kunit/ktap-fixtures/c-unhandled.fixture.ts', true],
      ['test/kunit/ktap-fixtures/d-crash.fixture.ts', true],
      ['unhandled errors', false],
    ]);
    expect(code).toBe(1);
  });

  test('a file that fails to load is not ok with an ERROR directive and its error as diagnostics', () => {
    const failed = tests[1]!;
    expect(failed.directive).toBe('ERROR');
    expect(failed.diagnostics.join('\n')).toContain('cannot load the board definition: boards/no-such-board.js does not exist');
    expect(failed.diagnostics.join('\n')).toContain('at test/kunit/ktap-fixtures/b-import-failure.fixture.ts:4');
  });

  test('an unhandled error is not ok, with the error and the file it came from', () => {
    const last = tests[4]!;
    expect(last.directive).toBe('ERROR');
    expect(last.diagnostics.join('\n')).toMatch(/unhandled error in test\/kunit\/ktap-fixtures\/c-unhandled\.fixture\.ts:\nunhandled boom from a forgotten promise/);
  });

  test('a failure carries the whole kemu report: every splat, the timeline, the replay token', () => {
    const failed = find(tests, 'finds no deadlock in ABBA (it does: the report, timeline and token are the diagnostics)')!;
    const text = failed.diagnostics.join('\n');
    expect(failed.ok).toBe(false);
    expect(failed.diagnostics.length).toBeGreaterThan(40);
    expect(text).toContain('WARNING: possible circular locking dependency detected');
    expect(text).toContain('INFO: task cpu1:2 blocked for more than 120 seconds.');
    expect(text).toContain('timeline of the failing schedule:');
    expect(text).toMatch(/replay token: k1\.\S+/g);
    expect(text.match(/replay token: k1\./g)).toHaveLength(2);
  });

  test('test.log() lines are diagnostics of their test; skips are SKIP', () => {
    expect(find(tests, 'logs with test.log()')!.diagnostics).toEqual(['logs with test.log(): probing omap4 on v6.7', 'logs with test.log(): every schedule is clean']);
    expect(find(tests, 'skipped on purpose')).toMatchObject({ ok: true, directive: 'SKIP' });
  });

  test('the totals line adds up, and agrees with the tests printed', () => {
    const totals = /^# Totals: pass:(\d+) fail:(\d+) skip:(\d+) total:(\d+)$/m.exec(out)!;
    const [pass, fail, skip, total] = totals.slice(1).map(Number) as [number, number, number, number];
    expect(pass + fail + skip).toBe(total);
    expect({ pass, fail, skip }).toEqual(countLeaves(tests));
    expect(fail).toBe(3);
  });
});

describe('KTAP of a filtered run', () => {
  test('tests left out by -t are not printed at all; numbering and plans stay consistent', () => {
    const { out } = ktapRun(['-t', 'passes']);
    const { tests, problems } = parseKtap(out);
    expect(problems).toEqual([]);
    const results = tests[0]!.subtests[0]!;
    expect(results.subtests.map((t) => t.description)).toEqual(['passes']);
    expect(out).not.toContain('skipped on purpose');
    expect(out).not.toContain('logs with test.log()');
    expect(find(tests, 'test/kunit/ktap-fixtures/d-crash.fixture.ts')).toMatchObject({ directive: 'SKIP' });
  });
});

describe('KTAP of a run that crashes', () => {
  test('the files finished before the crash are printed whole; the rest is missing, which a parser sees', () => {
    const { code, out } = crashedRun();
    expect(code).not.toBe(0);
    expect(out).toContain('not ok 1 test/kunit/ktap-fixtures/a-results.fixture.ts');
    expect(out).toContain('ok 3 test/kunit/ktap-fixtures/c-unhandled.fixture.ts');
    expect(out).not.toContain('# Totals:');
    expect(parseKtap(out).problems).toEqual([expect.stringMatching(/the plan says 5 tests at depth 0, found 3/)]);
  });
});

/** Where a copy of the kernel's tools/testing/kunit (kunit_parser.py, kunit_printer.py) is kept; not part of kemu. */
const KUNIT_TOOL = process.env.KEMU_KUNIT_TOOL ?? join(homedir(), '.cache', 'kemu', 'kunit');
const python = spawnSync('python3', ['--version'], { encoding: 'utf8' }).status === 0;
const haveParser = python && existsSync(join(KUNIT_TOOL, 'kunit_parser.py')) && existsSync(join(KUNIT_TOOL, 'kunit_printer.py'));

const PARSE = `
import json, sys
import kunit_parser, kunit_printer
kunit_parser.stdout = kunit_printer.null_printer
t = kunit_parser.parse_run_tests(sys.stdin.read().splitlines())
c = t.counts
print(json.dumps({"status": t.status.name, "passed": c.passed, "failed": c.failed, "skipped": c.skipped, "crashed": c.crashed, "errors": c.errors}))
`;

describe("the kernel's kunit_parser.py", () => {
  beforeEach((ctx) => ctx.skip(!haveParser, `kunit_parser.py not checked: it needs python3 and a copy of the kernel's ` +
    `tools/testing/kunit/kunit_parser.py and kunit_printer.py in ${KUNIT_TOOL} (or KEMU_KUNIT_TOOL)`));

  const parse = (ktap: string) => JSON.parse(spawnSync('python3', ['-c', PARSE], { cwd: KUNIT_TOOL, input: ktap, encoding: 'utf8' }).stdout);

  test('reads the run as failed, with the same counts as the totals line and no parse errors', () => {
    const { out } = fullRun();
    const totals = /# Totals: pass:(\d+) fail:(\d+) skip:(\d+)/.exec(out)!.slice(1).map(Number);
    expect(parse(out)).toEqual({ status: 'FAILURE', passed: totals[0], failed: totals[1], skipped: totals[2], crashed: 0, errors: 0 });
  });

  test('sees the tests a crash left unprinted as crashed', () => {
    const parsed = parse(crashedRun().out);
    expect(parsed.status).toBe('TEST_CRASHED');
    expect(parsed.crashed).toBe(2);
  });
});
