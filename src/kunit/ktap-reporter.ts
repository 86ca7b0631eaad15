/**
 * A vitest reporter that prints KTAP (Documentation/dev-tools/ktap.rst), the
 * format kernel developers read and kunit.py-style tools parse: one subtest
 * per test file, nested subtests per describe block, `ok`/`not ok` lines,
 * `# SKIP`, failure messages as `#` diagnostics, and KUnit's totals line.
 * Nesting is indented four spaces per level, as KUnit prints it.
 *
 *   npm run test:ktap      (vitest run --reporter=./src/kunit/ktap-reporter.ts)
 */
import type { Reporter, TestCase, TestModule, TestSuite } from 'vitest/node';

const INDENT = '    ';

function description(text: string): string {
  return text.replace(/#/g, '').replace(/\s+/g, ' ').trim();
}

interface Tally {
  pass: number;
  fail: number;
  skip: number;
}

export default class KtapReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<{ message?: string }>): void {
    const lines: string[] = ['KTAP version 1', `1..${testModules.length}`];
    const tally: Tally = { pass: 0, fail: 0, skip: 0 };
    testModules.forEach((module, i) => {
      const ok = this.block(module.children.array(), module.relativeModuleId, INDENT, lines, tally);
      lines.push(`${ok === 'skip' ? 'ok' : ok ? 'ok' : 'not ok'} ${i + 1} ${description(module.relativeModuleId)}${ok === 'skip' ? ' # SKIP' : ''}`);
    });
    for (const error of unhandledErrors) lines.push(`# unhandled error: ${description(error.message ?? String(error))}`);
    lines.push(`# Totals: pass:${tally.pass} fail:${tally.fail + unhandledErrors.length} skip:${tally.skip} total:${tally.pass + tally.fail + tally.skip}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }

  /** Prints a nested KTAP block for `entries`; returns true if all passed, 'skip' if all were skipped. */
  private block(entries: (TestCase | TestSuite)[], name: string, indent: string, lines: string[], tally: Tally): boolean | 'skip' {
    lines.push(`${indent}KTAP version 1`, `${indent}# Subtest: ${description(name)}`, `${indent}1..${entries.length}`);
    let allOk = true;
    let allSkipped = entries.length > 0;
    entries.forEach((entry, i) => {
      const n = i + 1;
      if (entry.type === 'suite') {
        const ok = this.block(entry.children.array(), entry.name, indent + INDENT, lines, tally);
        if (ok !== 'skip') allSkipped = false;
        if (ok === false) allOk = false;
        lines.push(`${indent}${ok === false ? 'not ok' : 'ok'} ${n} ${description(entry.name)}${ok === 'skip' ? ' # SKIP' : ''}`);
        return;
      }
      const result = entry.result();
      if (result.state === 'skipped' || result.state === 'pending') {
        tally.skip++;
        const note = result.state === 'skipped' && result.note ? ` ${description(result.note)}` : '';
        lines.push(`${indent}ok ${n} ${description(entry.name)} # SKIP${note}`);
        return;
      }
      allSkipped = false;
      if (result.state === 'passed') {
        tally.pass++;
        lines.push(`${indent}ok ${n} ${description(entry.name)}`);
        return;
      }
      tally.fail++;
      allOk = false;
      for (const error of result.errors ?? []) {
        for (const line of String(error.message ?? error).split('\n').slice(0, 40)) lines.push(`${indent}# ${line}`);
      }
      lines.push(`${indent}not ok ${n} ${description(entry.name)}`);
    });
    return allSkipped ? 'skip' : allOk;
  }
}
