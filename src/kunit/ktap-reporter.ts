/**
 * A vitest reporter that prints KTAP version 1 (Documentation/dev-tools/ktap.rst),
 * the format kernel developers read and the kernel's kunit_parser.py parses:
 * one subtest per test file, in path order so that two runs can be diffed,
 * nested subtests per describe block, `ok`/`not ok` lines, `# SKIP` for tests
 * skipped on purpose, and KUnit's totals line. Filtered tests (`-t`) are left
 * out. Nesting is indented two spaces per level, as the specification says.
 *
 * Nothing is cut: a failure's whole message (the kemu report, its timeline
 * and replay token) and the test's `test.log()` lines are diagnostics. A file
 * that fails to load is `not ok … # ERROR` with the error; unhandled errors
 * fail the last test of the run, which is there to report them. Each file is
 * printed as soon as it and every file before it are done, so a crash leaves
 * the KTAP of what ran.
 *
 *   npm run test:ktap      (vitest run --reporter=./src/kunit/ktap-reporter.ts)
 */
import { relative } from 'node:path';
import type { Reporter, SerializedError, TestCase, TestModule, TestSpecification, TestSuite, Vitest } from 'vitest/node';
import { leftOutByFilter } from './test-filter.js';

const INDENT = '  ';

/** A KTAP description: any words but `#`, on one line. */
function description(text: string): string {
  return text.replace(/#/g, '').replace(/\s+/g, ' ').trim();
}

type ReportedError = SerializedError | { message?: string; stack?: string; stacks?: { file: string; line: number; column: number }[] };

interface Tally {
  pass: number;
  fail: number;
  skip: number;
}

type Outcome = 'ok' | 'not ok' | 'skip';

export default class KtapReporter implements Reporter {
  private root = process.cwd();
  private namePattern: RegExp | undefined;
  /** Test files of the run, in path order: each gets its number from here. */
  private order: string[] = [];
  private readonly finished = new Map<string, TestModule>();
  private printed = 0;
  private readonly tally: Tally = { pass: 0, fail: 0, skip: 0 };

  onInit(vitest: Vitest): void {
    this.root = vitest.config.root;
    this.namePattern = vitest.config.testNamePattern;
  }

  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    this.order = [...new Set(specifications.map((s) => s.moduleId))].sort((a, b) => this.path(a).localeCompare(this.path(b)));
    // One test per file, and a last one that fails if there were unhandled errors.
    this.write(`KTAP version 1\n1..${this.order.length + 1}\n`);
  }

  onTestModuleEnd(module: TestModule): void {
    this.finished.set(module.moduleId, module);
    this.flush();
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    for (const module of modules) this.finished.set(module.moduleId, module);
    this.flush(true);
    const lines: string[] = [];
    for (const error of unhandledErrors) {
      const where = (error as { VITEST_TEST_PATH?: string }).VITEST_TEST_PATH;
      lines.push(`# unhandled error${where ? ` in ${this.path(where)}` : ''}:`, ...this.errorLines(error).map((l) => `# ${l}`));
    }
    const n = this.order.length + 1;
    if (unhandledErrors.length > 0) {
      this.tally.fail++;
      lines.push(`not ok ${n} unhandled errors # ERROR ${unhandledErrors.length} error${unhandledErrors.length === 1 ? '' : 's'} outside any test`);
    } else {
      this.tally.pass++;
      lines.push(`ok ${n} no unhandled errors`);
    }
    const { pass, fail, skip } = this.tally;
    lines.push(`# Totals: pass:${pass} fail:${fail} skip:${skip} total:${pass + fail + skip}`);
    this.write(`${lines.join('\n')}\n`);
  }

  private write(text: string): void {
    process.stdout.write(text);
  }

  private path(moduleId: string): string {
    return relative(this.root, moduleId);
  }

  /** An error as diagnostic lines: its whole message, then where in the project it was thrown. */
  private errorLines(error: ReportedError): string[] {
    const lines = String(error.message ?? error).split('\n');
    const frame = error.stacks?.[0];
    if (frame) return [...lines, `at ${this.path(frame.file)}:${frame.line}:${frame.column}`];
    const own = (error.stack ?? '').split('\n').map((l) => l.trim()).filter((l) => l.startsWith('at ') && l.includes(this.root) && !l.includes('node_modules'));
    return [...lines, ...own.slice(0, 3).map((l) => l.replace(/(file:\/\/)?\/[^:)]+/, (file) => this.path(file.replace(/^file:\/\//, ''))))];
  }

  /** Prints the files that are done and have no unfinished file before them (all of them at the end). */
  private flush(end = false): void {
    while (this.printed < this.order.length) {
      const id = this.order[this.printed]!;
      const module = this.finished.get(id);
      if (!module && !end) return;
      const lines: string[] = [];
      this.printModule(module, id, this.printed + 1, lines);
      this.write(`${lines.join('\n')}\n`);
      this.printed++;
    }
  }

  private printModule(module: TestModule | undefined, id: string, n: number, lines: string[]): void {
    const name = description(this.path(id));
    const errors = module?.errors() ?? [];
    const entries = module ? this.included(module.children.array()) : [];
    if (!module || (entries.length === 0 && (errors.length > 0 || module.state() === 'failed'))) {
      this.tally.fail++;
      for (const error of errors) lines.push(...this.errorLines(error).map((l) => `# ${l}`));
      lines.push(`not ok ${n} ${name} # ERROR ${module ? 'the file failed to load' : 'the file never finished'}`);
      return;
    }
    if (entries.length === 0) {
      this.tally.skip++;
      lines.push(`ok ${n} ${name} # SKIP ${module.children.size === 0 ? 'no tests' : 'every test in it was left out by the filter'}`);
      return;
    }
    const outcome = this.block(entries, name, INDENT, lines);
    for (const error of errors) lines.push(...this.errorLines(error).map((l) => `# ${l}`));
    lines.push(this.resultLine(errors.length > 0 ? 'not ok' : outcome, n, name));
  }

  /** The entries a report shows: filtered tests and suites left with nothing to show are left out. */
  private included(entries: (TestCase | TestSuite)[]): (TestCase | TestSuite)[] {
    return entries.filter((e) => (e.type === 'suite' ? this.included(e.children.array()).length > 0 : !leftOutByFilter(e, this.namePattern)));
  }

  private resultLine(outcome: Outcome, n: number, name: string, note = ''): string {
    return outcome === 'skip' ? `ok ${n} ${name} # SKIP${note ? ` ${note}` : ''}` : `${outcome} ${n} ${name}`;
  }

  /** Prints a nested KTAP block for `entries`: not ok if any failed, skip if all were skipped. */
  private block(entries: (TestCase | TestSuite)[], name: string, indent: string, lines: string[]): Outcome {
    lines.push(`${indent}KTAP version 1`, `${indent}# Subtest: ${name}`, `${indent}1..${entries.length}`);
    const outcomes = entries.map((entry, i) => {
      const n = i + 1;
      const entryName = description(entry.name);
      if (entry.type === 'suite') {
        const outcome = this.block(this.included(entry.children.array()), entryName, indent + INDENT, lines);
        lines.push(`${indent}${this.resultLine(outcome, n, entryName)}`);
        return outcome;
      }
      const result = entry.result();
      for (const note of entry.annotations()) lines.push(`${indent}# ${entryName}: ${note.message}`);
      if (result.state === 'failed') {
        this.tally.fail++;
        for (const error of result.errors ?? []) lines.push(...this.errorLines(error).map((l) => `${indent}# ${l}`));
        lines.push(`${indent}not ok ${n} ${entryName}`);
        return 'not ok';
      }
      if (result.state === 'passed') {
        this.tally.pass++;
        lines.push(`${indent}ok ${n} ${entryName}`);
        return 'ok';
      }
      this.tally.skip++;
      const note = result.state === 'skipped' && result.note ? description(result.note) : entry.options.mode === 'todo' ? 'todo' : '';
      lines.push(`${indent}${this.resultLine('skip', n, entryName, note)}`);
      return 'skip';
    });
    return outcomes.includes('not ok') ? 'not ok' : outcomes.every((o) => o === 'skip') ? 'skip' : 'ok';
  }
}
