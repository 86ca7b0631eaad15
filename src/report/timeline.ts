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

function fit(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

/** Renders the timeline of a captured run. */
export function renderTimeline(run: Pick<CapturedRun, 'trace' | 'tasks'>, options: TimelineOptions = {}): string {
  const hasNotes = run.trace.some((s) => s.notes.length > 0);
  const detail = options.detail ?? (hasNotes ? 'story' : 'ops');
  const maxWidth = options.maxColumnWidth ?? 40;
  const taskByPid = new Map(run.tasks.map((t) => [t.pid, t]));
  // Columns: the tasks that took steps, threads by CPU then hardware agents; the scenario task (pid 1) only if it did more than start.
  const active = run.tasks.filter((t) => run.trace.some((s) => s.pid === t.pid && (t.pid !== 1 || s.opKind !== OpKind.Start)));
  const columns = [...active.filter((t) => t.kind === 'thread'), ...active.filter((t) => t.kind === 'hardware')];
  const rows: { step: number; cells: Map<number, string> }[] = [];
  const shown = new Set(columns.map((t) => t.pid));
  run.trace.forEach((step, i) => {
    if (!shown.has(step.pid)) return;
    const task = taskByPid.get(step.pid)!;
    const text = cellText(step, task, detail);
    if (text === '' && i !== run.trace.length - 1) return;
    rows.push({ step: step.step, cells: new Map([[step.pid, text || cellText(step, task, 'ops')]]) });
  });
  const header = (t: TaskInfo) => (t.kind === 'hardware' ? `${t.comm} (hw)` : `${t.comm} (CPU${t.cpu})`);
  const widths = columns.map((t) => Math.min(maxWidth, Math.max(header(t).length, ...rows.map((r) => r.cells.get(t.pid)?.length ?? 0))));
  const line = (stepCol: string, cells: string[]) => `${stepCol.padStart(5)} | ${cells.join(' | ')}`.trimEnd();
  const out = [
    line('step', columns.map((t, i) => fit(header(t), widths[i]!))),
    `${'-'.repeat(5)}-+-${widths.map((w) => '-'.repeat(w)).join('-+-')}`,
  ];
  for (const row of rows) out.push(line(String(row.step), columns.map((t, i) => fit(row.cells.get(t.pid) ?? '', widths[i]!))));
  return out.join('\n');
}
