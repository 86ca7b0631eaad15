/**
 * `--ftrace FILE` on boot and replay: a tracer listens to the run while it
 * runs (steps, locks, printk lines, probe results) and the trace is written
 * the way ftrace prints its buffer, for grep, diff or a kernel developer's eye.
 * The path is checked before the run, like those of --trace and --html.
 */
import type { Scenario } from '../explore/run-schedule.js';
import { FtraceRecorder } from '../report/ftrace.js';
import { checkWritable, writeOutputFile } from './output-files.js';
import type { Output } from './output.js';

export interface FtraceFile {
  /** The scenario to run: traced when a file was asked for. */
  scenario(scenario: Scenario): Scenario;
  /** Writes the trace of the run, if asked for, and says where. */
  write(out: Output): void;
}

export function ftraceFile(path: string | undefined): FtraceFile {
  if (path !== undefined) checkWritable(path, '--ftrace');
  const recorder = path === undefined ? null : new FtraceRecorder();
  return {
    scenario: (scenario) => (recorder ? recorder.trace(scenario) : scenario),
    write(out) {
      if (!recorder || path === undefined) return;
      writeOutputFile(path, '--ftrace', recorder.render());
      out.print(out.color.dim(`ftrace written to ${path} (${recorder.events.length} events)`));
    },
  };
}
