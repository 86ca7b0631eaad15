/**
 * A self-contained HTML page of a captured run: the per-CPU timeline drawn as
 * an SVG (a lane per CPU task and per hardware agent, a mark per step, bars for
 * the locks each task holds, stars for hardware writes, the model's notes as
 * labels), the kernel-format reports, and the text timeline. No scripts, no
 * external resources: the file can be mailed or attached to a bug.
 */
import { OpKind } from '../kernel/sched/op.js';
import type { CapturedRun, TaskInfo } from '../explore/result.js';
import { renderReport } from './kernel-format.js';
import { renderTimeline } from './timeline.js';

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

const ACQUIRE = new Set<OpKind>([OpKind.MutexLock, OpKind.SpinLock]);
const RELEASE = new Set<OpKind>([OpKind.MutexUnlock, OpKind.SpinUnlock]);
const WRITES = new Set<OpKind>([OpKind.Write, OpKind.Rmw, OpKind.MmioWrite]);

interface Span {
  lock: string;
  from: number;
  to: number;
}

/** Held-lock spans per task, in step indices of the trace; locks still held run to the end. */
function lockSpans(run: CapturedRun): Map<number, Span[]> {
  const spans = new Map<number, Span[]>();
  const open = new Map<string, number>();
  run.trace.forEach((step, i) => {
    if (step.target === null) return;
    const key = `${step.pid}\u0000${step.target}`;
    if (ACQUIRE.has(step.opKind) || (step.opKind === OpKind.MutexTrylock && step.result === 'acquired')) open.set(key, i);
    else if (RELEASE.has(step.opKind) && open.has(key)) {
      const list = spans.get(step.pid) ?? [];
      list.push({ lock: step.target, from: open.get(key)!, to: i });
      spans.set(step.pid, list);
      open.delete(key);
    }
  });
  for (const [key, from] of open) {
    const [pid, lock] = key.split('\u0000') as [string, string];
    const list = spans.get(Number(pid)) ?? [];
    list.push({ lock, from, to: run.trace.length });
    spans.set(Number(pid), list);
  }
  return spans;
}

function lanes(run: CapturedRun): TaskInfo[] {
  const active = run.tasks.filter((t) => run.trace.some((s) => s.pid === t.pid && (t.pid !== 1 || s.opKind !== OpKind.Start)));
  return [...active.filter((t) => t.kind === 'thread'), ...active.filter((t) => t.kind === 'hardware')];
}

function svg(run: CapturedRun): string {
  const rows = lanes(run);
  const steps = run.trace.length;
  const dx = Math.max(4, Math.min(28, Math.floor(1400 / Math.max(1, steps))));
  const left = 170;
  const laneHeight = 64;
  const width = left + steps * dx + 40;
  const height = 30 + rows.length * laneHeight + 10;
  const spans = lockSpans(run);
  const parts: string[] = [];
  parts.push(`<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="per-CPU timeline">`);
  for (let i = 0; i < steps; i += Math.max(1, Math.ceil(60 / dx))) {
    parts.push(`<text class="tick" x="${left + i * dx}" y="14">${run.trace[i]!.step}</text>`);
  }
  rows.forEach((task, lane) => {
    const y = 24 + lane * laneHeight;
    const label = task.kind === 'hardware' ? `${task.comm} (hw)` : `${task.comm} · CPU${task.cpu}`;
    parts.push(`<g class="lane ${task.kind}" data-pid="${task.pid}">`);
    parts.push(`<rect class="lane-bg" x="0" y="${y}" width="${width}" height="${laneHeight - 6}"/>`);
    parts.push(`<text class="lane-label" x="8" y="${y + 22}">${escape(label)}</text>`);
    (spans.get(task.pid) ?? []).forEach((span, k) => {
      const sy = y + 34 + (k % 3) * 6;
      parts.push(`<rect class="lock-span" x="${left + span.from * dx}" y="${sy}" width="${Math.max(2, (span.to - span.from) * dx)}" height="5"><title>${escape(`holds ${span.lock}`)}</title></rect>`);
    });
    parts.push('</g>');
  });
  const laneOf = new Map(rows.map((t, i) => [t.pid, i]));
  run.trace.forEach((step, i) => {
    const lane = laneOf.get(step.pid);
    if (lane === undefined) return;
    const task = rows[lane]!;
    const x = left + i * dx + dx / 2;
    const y = 24 + lane * laneHeight + 12;
    const tip = escape(`step ${step.step}: ${step.op}${step.result !== null ? ` -> ${step.result}` : ''}${step.notes.length ? `\n${step.notes.join('\n')}` : ''}`);
    if (task.kind === 'hardware' && WRITES.has(step.opKind)) {
      parts.push(`<text class="hw-write" x="${x}" y="${y + 8}" text-anchor="middle">*<title>${tip}</title></text>`);
    } else {
      parts.push(`<rect class="step" x="${x - Math.max(1, dx / 2 - 1)}" y="${y}" width="${Math.max(2, dx - 2)}" height="10"><title>${tip}</title></rect>`);
    }
    if (step.notes.length > 0) {
      parts.push(`<text class="note" x="${x}" y="${y + 34}" transform="rotate(0)">${escape(step.notes[0]!.slice(0, 40))}</text>`);
    }
  });
  for (const report of run.reports) {
    const i = run.trace.findIndex((s) => s.ns >= report.ns);
    const x = left + (i < 0 ? steps : i) * dx;
    parts.push(`<line class="report" x1="${x}" y1="20" x2="${x}" y2="${height}"><title>${escape(report.title)}</title></line>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d1d1f; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
.scroll { overflow-x: auto; border: 1px solid #ddd; border-radius: 6px; }
.lane-bg { fill: #f7f7f9; } .lane.hardware .lane-bg { fill: #f2f7f2; }
.lane-label { font: 600 13px system-ui; fill: #333; }
.tick { font: 10px monospace; fill: #999; }
.step { fill: #3b6fd4; } .lane.hardware .step { fill: #5a9a5a; }
.hw-write { font: 700 18px monospace; fill: #c0392b; }
.lock-span { fill: #e6a23c; opacity: 0.85; }
.note { font: 11px system-ui; fill: #6b4fa0; }
.report { stroke: #c0392b; stroke-width: 2; stroke-dasharray: 4 3; }
pre { background: #fafafa; border: 1px solid #eee; padding: 12px; overflow-x: auto; font-size: 12px; }
.legend span { margin-right: 18px; }
`;

export function renderHtmlTimeline(run: CapturedRun, title: string): string {
  const reports = run.reports.map((r) => `<pre class="report-text">${escape(renderReport(r))}</pre>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${escape(title)}</h1>
<p>${run.steps} steps, outcome <b>${escape(run.outcome)}</b>${run.reports.length ? `, ${run.reports.length} report${run.reports.length === 1 ? '' : 's'}: ${run.reports.map((r) => escape(r.title)).join('; ')}` : ''}.</p>
<p class="legend"><span>▮ a step (hover for the operation)</span><span style="color:#e6a23c">▬ lock held</span><span style="color:#c0392b">* hardware write</span><span style="color:#c0392b">┆ report</span></p>
<div class="scroll">${svg(run)}</div>
${run.reports.length ? `<h2>Reports</h2>\n${reports}` : ''}
<h2>Step by step</h2>
<pre>${escape(renderTimeline(run, { detail: 'ops' }))}</pre>
</body></html>
`;
}
