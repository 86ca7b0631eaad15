/**
 * The per-CPU timeline of a captured run, in the form kernel developers draw
 * races in patch descriptions: one column per CPU task and one per hardware
 * agent, one row per step, each cell the operation (with the value read or
 * written) or the notes the model attached to it. Steps by hardware that write
 * memory are marked `*`, as the VT-d 0-count fix marks hardware writes. A run
 * that ends stuck ends with what each stuck task does forever: the poll that
 * never ends, the lock that is never released.
 *
 * Plain text, so it pastes into a mail or a commit message.
 */
import type { TraceStep } from '../kernel/kernel.js';
import { OpKind } from '../kernel/sched/op.js';
import type { CapturedRun, TaskInfo } from '../explore/result.js';
import { fitWidths } from './fit-widths.js';
import { stuckForever } from './run-activity.js';

export interface TimelineOptions {
  /**
   * `story`: the steps that carry notes, and the lock, unlock and poll steps of
   * the tasks whose steps carry notes; `ops`: every step. Default: story if any
   * notes exist.
   */
  detail?: 'story' | 'ops';
  /** Widest a column may grow before its text wraps (default 44). */
  maxColumnWidth?: number;
  /** Widest the whole timeline may be, e.g. the terminal's columns (default: no limit). */
  width?: number;
  /** Names the story gives the tasks, by comm: a column reads `cpu0 = T1 (CPU0)`. */
  names?: Readonly<Record<string, string>>;
}

const HW_WRITES = new Set<OpKind>([OpKind.Write, OpKind.Rmw, OpKind.MmioWrite]);
/** What the story keeps of its actors' unannotated steps: the lock traffic and the polls. */
const STORY_OPS = new Set<OpKind>([OpKind.MutexLock, OpKind.MutexTrylock, OpKind.MutexUnlock, OpKind.SpinLock, OpKind.SpinUnlock, OpKind.Read]);

function opText(step: TraceStep, task: TaskInfo): string {
  const mark = task.kind === 'hardware' && HW_WRITES.has(step.opKind) ? '* ' : '';
  return `${mark}${step.op}${step.result !== null ? ` -> ${step.result}` : ''}`;
}

/**
 * Word-wraps `text` into lines of at most `width` characters: at spaces and
 * punctuation first, then inside identifiers at `(`, `.` and `->`, and mid-word
 * only when nothing else fits.
 */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/(?<=[ ,;.])|(?<=[^ ]\()|(?=->)/)) {
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

interface Row {
  step: string;
  pid: number;
  text: string;
}

function rowsOf(run: Pick<CapturedRun, 'trace' | 'tasks' | 'reports'>, detail: 'story' | 'ops', taskByPid: Map<number, TaskInfo>): Row[] {
  const actors = new Set(run.trace.filter((s) => s.notes.length > 0).map((s) => s.pid));
  const rows: Row[] = [];
  run.trace.forEach((step, i) => {
    const task = taskByPid.get(step.pid)!;
    // The scenario task's start (building the machine, spawning tasks) is setup, not part of the story.
    if (step.pid === 1 && step.opKind === OpKind.Start) return;
    const noted = step.notes.length > 0;
    const shown = detail === 'ops' || noted || i === run.trace.length - 1
      || (actors.has(step.pid) && task.kind === 'thread' && STORY_OPS.has(step.opKind));
    if (!shown) return;
    rows.push({ step: String(step.step), pid: step.pid, text: noted ? step.notes.join('; ') : opText(step, task) });
  });
  for (const stuck of stuckForever(run.reports)) rows.push({ step: 'end', pid: stuck.pid, text: stuck.text });
  return rows;
}

/** Renders the timeline of a captured run. */
export function renderTimeline(run: Pick<CapturedRun, 'trace' | 'tasks' | 'reports'>, options: TimelineOptions = {}): string {
  const detail = options.detail ?? (run.trace.some((s) => s.notes.length > 0) ? 'story' : 'ops');
  const maxWidth = options.maxColumnWidth ?? 44;
  const taskByPid = new Map(run.tasks.map((t) => [t.pid, t]));
  const rows = rowsOf(run, detail, taskByPid);
  // Columns: the tasks with something to show, threads by pid, then hardware agents.
  const shown = new Set(rows.map((r) => r.pid));
  const active = run.tasks.filter((t) => shown.has(t.pid));
  const columns = [...active.filter((t) => t.kind === 'thread'), ...active.filter((t) => t.kind === 'hardware')];
  const header = (t: TaskInfo) => {
    const name = options.names?.[t.comm] ? `${t.comm} = ${options.names[t.comm]}` : t.comm;
    return t.kind === 'hardware' ? `${name} (hw)` : `${name} (CPU${t.cpu})`;
  };
  const natural = columns.map((t) => Math.min(maxWidth, Math.max(header(t).length, ...rows.filter((r) => r.pid === t.pid).map((r) => r.text.length))));
  const widths = options.width === undefined ? natural : fitWidths(natural, options.width - 5 - 3 * columns.length, 8);
  const line = (stepCol: string, cells: string[]) => `${stepCol.padStart(5)} | ${cells.join(' | ')}`.trimEnd();
  /** One row of the table, wrapped: `texts[i]` goes in column i. */
  const block = (stepCol: string, texts: string[]) => {
    const wrapped = texts.map((text, i) => wrap(text, widths[i]!));
    const height = Math.max(...wrapped.map((w) => w.length));
    return Array.from({ length: height }, (_, k) => line(k === 0 ? stepCol : '', wrapped.map((w, i) => (w[k] ?? '').padEnd(widths[i]!))));
  };
  const out = [...block('step', columns.map(header)), `${'-'.repeat(5)}-+-${widths.map((w) => '-'.repeat(w)).join('-+-')}`];
  for (const row of rows) out.push(...block(row.step, columns.map((t) => (t.pid === row.pid ? row.text : ''))));
  return out.join('\n');
}
