/**
 * A checker for KTAP version 1 as Documentation/dev-tools/ktap.rst specifies
 * it, written from the specification for the tests of the KTAP reporter:
 * version lines, plan lines, result lines (`<ok|not ok> <n> [<description>]
 * [# [<directive>] [<diagnostic>]]`, numbered from 1 at each level, as many as
 * the plan says, descriptions without `#`, known directives), diagnostic
 * lines, and nested tests indented two spaces per level, each opened by its
 * own version line and plan. It returns the tests it read and every place the
 * text breaks a rule; kemu's reporter prints no unknown lines, so those count
 * as problems too.
 */
export interface KtapTest {
  number: number;
  ok: boolean;
  description: string;
  directive: string | null;
  /** Diagnostic lines just before the result line (without `# `). */
  diagnostics: string[];
  subtests: KtapTest[];
}

const RESULT = /^(ok|not ok) (\d+)(?: ([^#]*?))?\s*(?:# ?(.*))?$/;
const DIRECTIVES = ['SKIP', 'TODO', 'XFAIL', 'TIMEOUT', 'ERROR'];

export function parseKtap(text: string): { tests: KtapTest[]; problems: string[] } {
  const lines = text.replace(/\n$/, '').split('\n');
  const problems: string[] = [];
  let i = 0;
  const at = () => `line ${i + 1}`;

  function block(depth: number): KtapTest[] {
    const indent = '  '.repeat(depth);
    if (lines[i] !== `${indent}KTAP version 1`) problems.push(`${at()}: expected "${indent}KTAP version 1", found "${lines[i]}"`);
    i++;
    // kemu (like KUnit) names a subtest in a diagnostic line between the version and the plan.
    if (depth > 0 && lines[i]?.startsWith(`${indent}# Subtest: `)) i++;
    const plan = /^1\.\.(\d+)$/.exec(lines[i]?.slice(indent.length) ?? '');
    if (!plan || !lines[i]!.startsWith(indent)) problems.push(`${at()}: expected a plan line "${indent}1..N", found "${lines[i]}"`);
    i++;
    const tests: KtapTest[] = [];
    let diagnostics: string[] = [];
    let subtests: KtapTest[] = [];
    while (i < lines.length) {
      const line = lines[i]!;
      const lineIndent = /^ */.exec(line)![0].length;
      if (lineIndent < indent.length && line.trim() !== '') break;
      const body = line.slice(indent.length);
      if (line.startsWith(`${indent}  KTAP version `)) {
        if (subtests.length > 0) problems.push(`${at()}: a second subtest block before a result line`);
        subtests = block(depth + 1);
        continue;
      }
      if (lineIndent > indent.length) {
        problems.push(`${at()}: indented more than its level without opening a subtest: "${line}"`);
      } else if (body.startsWith('#')) {
        diagnostics.push(body.replace(/^# ?/, ''));
      } else {
        const m = RESULT.exec(body);
        if (!m) {
          problems.push(`${at()}: not a KTAP line: "${line}"`);
        } else {
          const [, result, number, description = '', tail] = m;
          const directive = tail === undefined ? null : tail.split(' ')[0]!;
          if (Number(number) !== tests.length + 1) problems.push(`${at()}: test number ${number}, expected ${tests.length + 1}`);
          if (directive !== null && !DIRECTIVES.includes(directive) && !/^[a-z]/.test(directive)) problems.push(`${at()}: unknown directive ${directive}`);
          if ((directive === 'ERROR' || directive === 'TIMEOUT') && result === 'ok') problems.push(`${at()}: ${directive} on an ok line`);
          const test: KtapTest = { number: Number(number), ok: result === 'ok', description: description.trim(), directive, diagnostics, subtests };
          if (test.ok && directive !== 'SKIP' && subtests.some((s) => !s.ok && s.directive !== 'SKIP')) problems.push(`${at()}: ok although a subtest failed`);
          tests.push(test);
          diagnostics = [];
          subtests = [];
        }
      }
      i++;
    }
    if (subtests.length > 0) problems.push(`${at()}: a subtest block with no result line after it`);
    if (plan && Number(plan[1]) !== tests.length) problems.push(`${at()}: the plan says ${plan[1]} tests at depth ${depth}, found ${tests.length}`);
    return tests;
  }

  const tests = block(0);
  if (i < lines.length) problems.push(`${at()}: text after the end of the top-level block: "${lines[i]}"`);
  return { tests, problems };
}

/** Leaf tests (no subtests) by outcome, as kunit_parser.py counts them. */
export function countLeaves(tests: readonly KtapTest[]): { pass: number; fail: number; skip: number } {
  const counts = { pass: 0, fail: 0, skip: 0 };
  const visit = (t: KtapTest) => {
    if (t.subtests.length > 0) return t.subtests.forEach(visit);
    if (t.directive === 'SKIP') counts.skip++;
    else if (t.ok) counts.pass++;
    else counts.fail++;
  };
  tests.forEach(visit);
  return counts;
}
