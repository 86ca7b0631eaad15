/**
 * What `kemu` does with no arguments: the project at work on its built-in
 * defaults. Each story explores a buggy target until it finds the failure,
 * shows the report and the timeline of the failing schedule, then explores the
 * fixed target and shows that no schedule fails.
 */
import { explore } from '../explore/explore.js';
import { renderReport } from '../report/kernel-format.js';
import { renderTimeline } from '../report/timeline.js';
import type { Catalog } from '../machine/catalog.js';
import type { Output } from './output.js';
import { summaryLine } from './present.js';
import { resolveTarget } from './targets.js';
import { resolvedRequest, type RunWatch } from './watch.js';

export async function runDemo(catalog: Catalog, out: Output, watch: RunWatch): Promise<number> {
  const c = out.color;
  const stories = catalog.demo;
  out.print(c.bold('kemu — exploring interleavings of emulated kernel code to find real hangs'));
  out.print(c.dim('(`npx kemu --help` lists the commands; `npx kemu list` the boards and scenarios)'));
  let failed = false;
  for (const [i, story] of stories.entries()) {
    out.print();
    out.print(c.bold(c.cyan(`━━ ${i + 1}/${stories.length}  ${story.title} ━━`)));
    out.print(story.intro);
    const buggy = await resolveTarget(catalog, { name: story.buggy.name, kernel: story.buggy.variant });
    out.print();
    out.print(c.bold(`Exploring ${buggy.label}…`));
    watch.runs(resolvedRequest(buggy));
    const found = await explore(buggy.scenario, { stopOnFirstFailure: true });
    const failure = found.failures.find((f) => f.report.fatal) ?? found.failures[0];
    if (!failure) {
      out.print(c.red(`expected a failure on ${buggy.label}, found none (${summaryLine(found)})`));
      failed = true;
    } else {
      out.print(c.red(`✗ found after ${found.schedules} schedule${found.schedules === 1 ? '' : 's'}: ${failure.title}`));
      out.print();
      out.print(renderReport(failure.report, { release: buggy.variant }));
      if (failure.run.trace.some((s) => s.notes.length > 0)) {
        out.print();
        out.print(c.bold('The failing schedule, step by step:'));
        out.print(renderTimeline(failure.run, { width: out.width, names: buggy.taskNames }));
      }
      out.print(c.dim(`replay it: ${buggy.replayCommand(failure.token)}`));
    }
    const fixed = await resolveTarget(catalog, { name: story.fixed.name, kernel: story.fixed.variant });
    out.print();
    out.print(c.bold(`Exploring ${fixed.label}…`));
    watch.runs(resolvedRequest(fixed));
    const verified = await explore(fixed.scenario);
    const clean = verified.failures.length === 0 && verified.exhausted;
    out.print(clean ? c.green(`✓ ${summaryLine(verified)}: every schedule is clean`) : c.red(`✗ ${summaryLine(verified)}`));
    failed ||= !clean;
  }
  out.print();
  out.print(c.dim('Next: `npx kemu list`, `npx kemu run <scenario>`, `npx kemu bisect <board>`, and docs/ for how it all works.'));
  return failed ? 1 : 0;
}
