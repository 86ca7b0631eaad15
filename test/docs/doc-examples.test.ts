/**
 * Every code example in README.md and docs/ that is meant to run does run.
 *
 * - ```ts blocks are written next to where such code lives (at the root when
 *   they import `./src/…`, under test/ when they import `../src/…`) and
 *   imported: a script runs as a test of its own; an example that declares
 *   tests (`kunitTest`, `test`) declares them here, and they must pass.
 *   ```ts fragment blocks (an excerpt of a function) are left out.
 * - In ```sh blocks, each `npx kemu …` / `npm start [-s] -- …` command runs
 *   in-process against the built-in catalog (one with `--workers`, whose
 *   threads need compiled code, as the compiled command in a process of its
 *   own) and must end with 0 or 1 (no
 *   usage or internal error); `<token>` stands for the token `kemu run`
 *   prints for the same target, --html/--trace/--ftrace files and --claims directories go to a
 *   temporary directory, and so does what `> FILE` sends a command's output
 *   to, where later commands of the block find FILE (a `*` in their
 *   arguments matches such files). Other lines (npm ci, npm test, npx vitest)
 *   are the suite's own.
 * - A ```text output: <command> block is an excerpt of what that command
 *   prints on an 80-column terminal: its lines must appear, in a row, in the
 *   command's output, so the excerpt cannot drift from what kemu prints. A
 *   ```sh command with such an excerpt runs once, in the excerpt's test,
 *   which checks its exit and errors too (a bisect of every variant runs for
 *   tens of seconds).
 * - A block right after `<!-- file: PATH -->` or `<!-- run in: DIR -->`
 *   belongs to a project that installs kemu (docs/your-own-driver.md's):
 *   it imports `kemu` as a package and loads that project's plug-ins, so it
 *   runs there, in test/package/pack-and-consume.test.ts, not here
 *   (test/package/docs-show-the-consumer.test.ts keeps the files shown equal
 *   to the project's).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';
import { terminalOutput } from '../../src/cli/output.js';
import { buildKemu } from '../support/built-kemu.js';
import { BUILTIN, kemu, type KemuRun } from '../support/run-kemu.js';

const root = resolve(import.meta.dirname, '..', '..');
const DOCS = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

interface Block {
  doc: string;
  line: number;
  info: string;
  code: string;
  /** Whether a marker line before it gives it to a project that installs kemu. */
  inProject: boolean;
}

const PROJECT_MARKER = /^<!-- (?:file|run in): \S+ -->$/;

function blocks(doc: string): Block[] {
  const found: Block[] = [];
  let open: Block | null = null;
  const lines = readFileSync(join(root, doc), 'utf8').split('\n');
  lines.forEach((text, i) => {
    const fence = /^```(.*)$/.exec(text);
    if (fence && !open) open = { doc, line: i + 1, info: fence[1]!.trim(), code: '', inProject: PROJECT_MARKER.test(lines[i - 1] ?? '') };
    else if (fence && open) {
      found.push(open);
      open = null;
    } else if (open) open.code += `${text}\n`;
  });
  return found;
}

const all = DOCS.flatMap(blocks).filter((b) => !b.inProject);
const written: string[] = [];
afterAll(() => written.forEach((f) => rmSync(f, { force: true })));

/** Writes a ts example where its relative imports resolve; returns its URL. */
function place(block: Block): string {
  const dir = /from '\.\.\//.test(block.code) ? join(root, 'test') : root;
  const file = join(dir, `.doc-example-${block.doc.replace(/[^a-z0-9]+/gi, '-')}-${block.line}.ts`);
  writeFileSync(file, block.code);
  written.push(file);
  return pathToFileURL(file).href;
}

test('the docs have examples to check, and every ts block is either run or marked a fragment', () => {
  const ts = all.filter((b) => b.info.startsWith('ts'));
  expect(ts.length).toBeGreaterThanOrEqual(8);
  expect(ts.filter((b) => b.info !== 'ts' && b.info !== 'ts fragment')).toEqual([]);
  expect(all.filter((b) => b.info.startsWith('text output: ')).length).toBeGreaterThan(0);
});

describe('ts examples', () => {
  for (const block of all.filter((b) => b.info === 'ts')) {
    const declaresTests = /\b(kunitTest(\.each)?|test)\(/.test(block.code);
    // An example that declares tests is imported now, so that its tests are this file's; a script runs as a test.
    if (declaresTests) describe(`${block.doc}:${block.line}`, async () => void (await import(place(block))));
    else test(`${block.doc}:${block.line} runs`, async () => void (await import(place(block))));
  }
});

const COMMAND = /^(?:npx kemu|npm start(?: -s)? --|node dist\/bin\/kemu\.js)(?:\s+(.*))?$|^npm start$/;
const outDir = mkdtempSync(join(tmpdir(), 'kemu-doc-'));

/** The token `kemu run` prints for the target a `replay` command names. */
async function tokenFor(argv: string[]): Promise<string> {
  const kernel = argv.indexOf('--kernel');
  const found = await kemu(['run', argv[1]!, ...(kernel >= 0 ? ['--kernel', argv[kernel + 1]!] : []), '--json']);
  return JSON.parse(found.text).failures[0].token as string;
}

/** An argument naming files an earlier command of the block wrote with `> FILE`: their paths in the temporary directory. */
function writtenFiles(arg: string, written: readonly string[]): string[] {
  const pattern = new RegExp(`^${arg.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  const matched = written.filter((f) => pattern.test(f));
  return matched.length > 0 ? matched.map((f) => join(outDir, f)) : [arg];
}

/** Runs the compiled command in a process of its own: worker threads load compiled JavaScript. */
function compiled(argv: string[]): Pick<KemuRun, 'code' | 'text' | 'errors'> {
  const run = spawnSync(process.execPath, [buildKemu('doc-examples'), ...argv], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: run.status ?? -1, text: run.stdout, errors: run.stderr };
}

const excerpts = all.filter((b) => b.info.startsWith('text output: '));
/** Commands an excerpt shows the output of: their excerpt's test runs them. */
const excerpted = new Set(excerpts.map((b) => b.info.slice('text output: '.length)));

/** The checks every example command passes: no usage or internal error. */
function expectRan({ code, errors }: Pick<KemuRun, 'code' | 'errors'>): void {
  expect(errors).not.toMatch(/internal error|^kemu: /m);
  expect([0, 1]).toContain(code);
}

describe('sh examples', () => {
  for (const block of all.filter((b) => b.info === 'sh')) {
    const written: string[] = [];
    block.code.split('\n').forEach((raw, k) => {
      const parts = raw.replace(/\s+#.*$/, '').split(/ \| | > | \|\| /).map((part) => part.trim());
      const [line, redirect] = parts;
      const m = COMMAND.exec(line!);
      if (!m || (parts.length === 1 && excerpted.has(line!))) return;
      const output = / > /.test(raw) ? redirect!.split(/\s/)[0]! : undefined;
      test(`${block.doc}:${block.line + k + 1}: ${line}`, async () => {
        let argv = (m[1] ?? '').split(/\s+/).filter(Boolean);
        if (argv.includes('<token>')) {
          const token = await tokenFor(argv);
          argv = argv.map((a) => (a === '<token>' ? token : a));
        }
        argv = argv.flatMap((a, i) => (['--html', '--trace', '--ftrace', '--claims'].includes(argv[i - 1]!) ? [join(outDir, a)] : writtenFiles(a, written)));
        const run = argv.includes('--workers') ? compiled(argv) : await kemu(argv);
        expectRan(run);
        if (output) {
          writeFileSync(join(outDir, output), run.text);
          written.push(output);
        }
      });
    });
  }
});

/** What a command prints to an 80-column terminal, without colours, its exit code and what it prints to stderr. */
async function at80(argv: string[]): Promise<Pick<KemuRun, 'code' | 'text' | 'errors'>> {
  let text = '';
  let errors = '';
  const stream = { isTTY: true, columns: 80, write: (chunk: string) => ((text += chunk), true) };
  const code = await main(argv, [BUILTIN], terminalOutput({
    stdout: stream, stderr: { ...stream, isTTY: false, write: (chunk: string) => ((errors += chunk), true) }, env: { FORCE_COLOR: '0' },
  }), { interrupts: { listen: () => () => {} } });
  return { code, text: stripVTControlCharacters(text), errors };
}

describe('output excerpts', () => {
  for (const block of excerpts) {
    const command = block.info.slice('text output: '.length);
    test(`${block.doc}:${block.line}: the excerpt is what \`${command}\` prints`, async () => {
      const m = COMMAND.exec(command)!;
      const run = await at80((m[1] ?? '').split(/\s+/));
      expectRan(run);
      const printed = run.text.split('\n').map((l) => l.trimEnd());
      const excerpt = block.code.trimEnd().split('\n').map((l) => l.trimEnd());
      const start = printed.indexOf(excerpt[0]!);
      expect(start, `first line of the excerpt: ${excerpt[0]}`).toBeGreaterThanOrEqual(0);
      expect(printed.slice(start, start + excerpt.length)).toEqual(excerpt);
    });
  }
});
