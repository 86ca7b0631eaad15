/**
 * The per-CPU timeline of a captured run, in the form kernel developers draw
 * races in patch descriptions: one column per CPU task and one per hardware
 * agent, one row per step, each cell the operation (with the value read or
 * written) or the notes the model attached to it. Steps by hardware that write
 * memory are marked `*`, as the VT-d 0-count fix marks hardware writes.
 *
 * Plain ASCII, so it pastes into a mail or a commit message.
 */
import type { TraceStep } from '../kernel/kernel.js';
import { OpKind } from '../kernel/sched/op.js';
import type { CapturedRun, TaskInfo } from '../explore/result.js';

export interface TimelineOptions {
  /** `story`: only steps that carry notes (and the last step); `ops`: every step. Default: story if any notes exist. */
  detail?: 'story' | 'ops';
  /** Widest a column may grow before text is cut with `…` (default 40). */
  maxColumnWidth?: number;
}

const HW_WRITES = new Set<OpKind>([OpKind.Write, OpKind.Rmw, OpKind.MmioWrite]);

function cellText(step: TraceStep, task: TaskInfo, detail: 'story' | 'ops'): string {
  const mark = task.kind === 'hardware' && HW_WRITES.has(step.opKind) ? '* ' : '';
  if (step.notes.length > 0) return step.notes.join('; ');
  if (detail === 'story') return '';
  return `${mark}${step.op}${step.result !== null ? ` -> ${step.result}` : ''}`;
}

/** Word-wraps `text` into lines of at most `width` characters (breaking long words only when it must). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/(?<=[ ,;])/)) {
    if (line.length + word.trimEnd().length > width && line.trim() !== '') {
      lines.push(line.trimEnd());
      line = '';
    }
    let rest = word;
    while (rest.length > width) {
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
    }
    line += rest;
  }
  if (line.trim() !== '' || lines.length === 0) lines.push(line.trimEnd());
  return lines;
}

/** Renders the timeline of a captured run. */
export function renderTimeline(run: Pick<CapturedRun, 'trace' | 'tasks'>, options: TimelineOptions = {}): string {
  const hasNotes = run.trace.some((s) => s.notes.length > 0);
  const detail = options.detail ?? (hasNotes ? 'story' : 'ops');
  const maxWidth = options.maxColumnWidth ?? 44;
  const taskByPid = new Map(run.tasks.map((t) => [t.pid, t]));
  const rows: { step: number; pid: number; text: string }[] = [];
  run.trace.forEach((step, i) => {
    const task = taskByPid.get(step.pid)!;
    // The scenario task's start (building the machine, spawning tasks) is setup, not part of the story.
    if (step.pid === 1 && step.opKind === OpKind.Start) return;
    const text = cellText(step, task, detail);
    if (text === '' && i !== run.trace.length - 1) return;
    rows.push({ step: step.step, pid: step.pid, text: text || cellText(step, task, 'ops') });
  });
  // Columns: the tasks with something to show, threads by pid, then hardware agents.
  const shown = new Set(rows.map((r) => r.pid));
  const active = run.tasks.filter((t) => shown.has(t.pid));
  const columns = [...active.filter((t) => t.kind === 'thread'), ...active.filter((t) => t.kind === 'hardware')];
  const header = (t: TaskInfo) => (t.kind === 'hardware' ? `${t.comm} (hw)` : `${t.comm} (CPU${t.cpu})`);
  const widths = columns.map((t) => Math.min(maxWidth, Math.max(header(t).length, ...rows.filter((r) => r.pid === t.pid).map((r) => r.text.length))));
  const line = (stepCol: string, cells: string[]) => `${stepCol.padStart(5)} | ${cells.join(' | ')}`.trimEnd();
  const out = [
    line('step', columns.map((t, i) => header(t).padEnd(widths[i]!))),
    `${'-'.repeat(5)}-+-${widths.map((w) => '-'.repeat(w)).join('-+-')}`,
  ];
  for (const row of rows) {
    const col = columns.findIndex((t) => t.pid === row.pid);
    wrap(row.text, widths[col]!).forEach((text, k) => {
      out.push(line(k === 0 ? String(row.step) : '', columns.map((_, i) => (i === col ? text : '').padEnd(widths[i]!))));
    });
  }
  return out.join('\n');
}
