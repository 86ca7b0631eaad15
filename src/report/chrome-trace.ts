/**
 * Export a captured run in the Chrome trace-event JSON format, which Perfetto
 * (ui.perfetto.dev) and chrome://tracing open: one track per task, a slice per
 * step, async slices for held locks, instant events for notes and reports.
 * Timestamps are the run's virtual time in microseconds.
 */
import { STEP_NS } from '../kernel/clock.js';
import { OpKind } from '../kernel/sched/op.js';
import type { CapturedRun } from '../explore/result.js';

export interface TraceEvent {
  name: string;
  ph: 'X' | 'i' | 'b' | 'e' | 'M';
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  id?: string;
  cat?: string;
  s?: 'g' | 'p' | 't';
  args?: Record<string, unknown>;
}

const ACQUIRE = new Set<OpKind>([OpKind.MutexLock, OpKind.SpinLock]);
const RELEASE = new Set<OpKind>([OpKind.MutexUnlock, OpKind.SpinUnlock]);

export function toChromeTrace(run: CapturedRun, title = 'kemu run'): { traceEvents: TraceEvent[]; displayTimeUnit: 'ns' } {
  const us = (ns: number) => ns / 1000;
  const events: TraceEvent[] = [{ name: 'process_name', ph: 'M', pid: 1, tid: 0, args: { name: title } }];
  for (const t of run.tasks) {
    const label = t.kind === 'hardware' ? `${t.comm} (hardware)` : `${t.comm} [CPU${t.cpu}]`;
    events.push({ name: 'thread_name', ph: 'M', pid: 1, tid: t.pid, args: { name: label } });
    events.push({ name: 'thread_sort_index', ph: 'M', pid: 1, tid: t.pid, args: { sort_index: (t.kind === 'hardware' ? 1000 : 0) + t.pid } });
  }
  const held = new Map<string, number>();
  let holds = 0;
  for (const step of run.trace) {
    const ts = us(step.ns - STEP_NS);
    events.push({ name: step.op, ph: 'X', pid: 1, tid: step.pid, ts, dur: us(STEP_NS), cat: 'step',
      args: { step: step.step, ...(step.result !== null ? { result: step.result } : {}), ...(step.notes.length ? { notes: step.notes } : {}) } });
    for (const note of step.notes) events.push({ name: note, ph: 'i', pid: 1, tid: step.pid, ts, s: 't', cat: 'note' });
    if (step.target === null) continue;
    const key = `${step.pid}:${step.target}`;
    if (ACQUIRE.has(step.opKind) || (step.opKind === OpKind.MutexTrylock && step.result === 'acquired')) {
      const id = `lock${++holds}`;
      held.set(key, holds);
      events.push({ name: step.target, ph: 'b', pid: 1, tid: step.pid, ts, id, cat: 'lock' });
    } else if (RELEASE.has(step.opKind) && held.has(key)) {
      events.push({ name: step.target, ph: 'e', pid: 1, tid: step.pid, ts: ts + us(STEP_NS), id: `lock${held.get(key)}`, cat: 'lock' });
      held.delete(key);
    }
  }
  // Locks still held at the end (a hang) stay open until the end of the run.
  for (const [key, n] of held) {
    const [pid, target] = [Number(key.slice(0, key.indexOf(':'))), key.slice(key.indexOf(':') + 1)];
    events.push({ name: target, ph: 'e', pid: 1, tid: pid, ts: us(run.ns), id: `lock${n}`, cat: 'lock' });
  }
  for (const report of run.reports) {
    events.push({ name: report.title, ph: 'i', pid: 1, tid: report.task?.pid ?? 0, ts: us(report.ns), s: 'g', cat: 'report', args: { kind: report.kind } });
  }
  return { traceEvents: events, displayTimeUnit: 'ns' };
}
