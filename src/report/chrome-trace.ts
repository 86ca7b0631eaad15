/**
 * Export a captured run in the Chrome trace-event JSON format, which Perfetto
 * (ui.perfetto.dev) and chrome://tracing open: one track per task, a slice per
 * step, slices for the time a task was blocked or spinning (and, for a stuck
 * task, the wait that never ends), async slices for held locks, flow arrows
 * from an unlock to the lock it let another task take and from a hardware
 * write to the CPU that read it, and instant events for notes and reports.
 *
 * Time is the step clock: step n starts at n µs, so a run of 40 steps fills a
 * 40 µs window even when the detectors moved virtual time on by 120 s to the
 * moment a watchdog would fire. Virtual time is an annotation on each event.
 */
import type { CapturedRun } from '../explore/result.js';
import { runActivity } from './run-activity.js';

export interface TraceEvent {
  name: string;
  ph: 'X' | 'i' | 'b' | 'e' | 'M' | 's' | 'f';
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  id?: string;
  cat?: string;
  s?: 'g' | 'p' | 't';
  /** Flow end binding: to the slice that encloses the point. */
  bp?: 'e';
  args?: Record<string, unknown>;
}

export interface TraceOptions {
  /** Names the story gives the tasks, by comm (`cpu0` = `T1`). */
  names?: Readonly<Record<string, string>>;
}

export function toChromeTrace(run: CapturedRun, title = 'kemu run', options: TraceOptions = {}): { traceEvents: TraceEvent[]; displayTimeUnit: 'ns' } {
  const events: TraceEvent[] = [{ name: 'process_name', ph: 'M', pid: 1, tid: 0, args: { name: title } }];
  for (const t of run.tasks) {
    const name = options.names?.[t.comm] ? `${t.comm} = ${options.names[t.comm]}` : t.comm;
    events.push({ name: 'thread_name', ph: 'M', pid: 1, tid: t.pid, args: { name: t.kind === 'hardware' ? `${name} (hardware)` : `${name} [CPU${t.cpu}]` } });
    events.push({ name: 'thread_sort_index', ph: 'M', pid: 1, tid: t.pid, args: { sort_index: (t.kind === 'hardware' ? 1000 : 0) + t.pid } });
  }
  const trace = run.trace;
  const seconds = (ns: number) => `${(ns / 1e9).toFixed(6)} s`;
  /** Virtual time at a position of the step clock, for the annotations. */
  const virtual = (i: number) => seconds(i < trace.length ? trace[i]!.ns : run.ns);
  trace.forEach((step, i) => {
    events.push({ name: step.op, ph: 'X', pid: 1, tid: step.pid, ts: i, dur: 1, cat: 'step',
      args: { step: step.step, virtualTime: virtual(i), ...(step.result !== null ? { result: step.result } : {}), ...(step.notes.length ? { notes: step.notes } : {}) } });
    for (const note of step.notes) events.push({ name: note, ph: 'i', pid: 1, tid: step.pid, ts: i, s: 't', cat: 'note' });
  });
  const activity = runActivity(run);
  for (const wait of activity.waits) {
    const name = wait.forever ? wait.what : `${wait.state === 'blocked' ? 'blocked on' : 'spinning on'} ${wait.what}`;
    events.push({ name, ph: 'X', pid: 1, tid: wait.pid, ts: wait.from, dur: wait.to - wait.from, cat: wait.state,
      args: { from: virtual(wait.from), ...(wait.forever ? { forever: true } : { until: virtual(wait.to) }) } });
  }
  activity.held.forEach((span, k) => {
    const id = `lock${k + 1}`;
    events.push({ name: span.lock, ph: 'b', pid: 1, tid: span.pid, ts: span.from, id, cat: 'lock' });
    events.push({ name: span.lock, ph: 'e', pid: 1, tid: span.pid, ts: Math.min(span.to + 1, trace.length + 1), id, cat: 'lock' });
  });
  activity.flows.forEach((flow, k) => {
    const name = flow.kind === 'unlock' ? `releases ${flow.what}` : `writes ${flow.what}`;
    const id = `flow${k + 1}`;
    events.push({ name, ph: 's', pid: 1, tid: trace[flow.from]!.pid, ts: flow.from + 0.5, id, cat: `flow-${flow.kind}` });
    events.push({ name, ph: 'f', bp: 'e', pid: 1, tid: trace[flow.to]!.pid, ts: flow.to + 0.5, id, cat: `flow-${flow.kind}` });
  });
  for (const report of run.reports) {
    const at = trace.findIndex((s) => s.step === report.step);
    const ts = at < 0 ? trace.length : at;
    events.push({ name: report.title, ph: 'i', pid: 1, tid: report.task?.pid ?? 0, ts, s: 'g', cat: 'report',
      args: { kind: report.kind, virtualTime: seconds(report.ns) } });
  }
  return { traceEvents: events, displayTimeUnit: 'ns' };
}
