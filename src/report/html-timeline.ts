/**
 * A self-contained HTML page of a captured run: the per-CPU timeline drawn as
 * an SVG (a lane per CPU task and per hardware agent, a mark per step, the
 * time each task was blocked or spinning, labelled bars for the locks it
 * holds, stars for hardware writes, arrows from an unlock or a hardware write
 * to the step it let go on, the model's notes in full), the kernel-format
 * reports, and the text timeline. Labels are packed into rows so that none
 * overlaps another. The page has no external resources (it can be mailed or
 * attached to a bug); a few lines of inline script zoom the drawing.
 */
import { OpKind } from '../kernel/sched/op.js';
import type { CapturedRun, TaskInfo } from '../explore/result.js';
import { renderReport } from './kernel-format.js';
import { runActivity } from './run-activity.js';
import { renderTimeline } from './timeline.js';

export interface HtmlTimelineOptions {
  /** Kernel release the reports name (the variant), as the CLI prints them. */
  release?: string;
  /** Names the story gives the tasks, by comm (`cpu0` = `T1`). */
  names?: Readonly<Record<string, string>>;
}

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

const WRITES = new Set<OpKind>([OpKind.Write, OpKind.Rmw, OpKind.MmioWrite]);

/** Advance of one character of the 11px monospace labels, rounded up so estimates never fall short. */
const LABEL_CHAR = 6.8;
const LANE_LABEL_CHAR = 8.2;
const ROW = 15;

/** Packs [start, end) extents into rows, first fit in order of start: returns each extent's row. */
function pack(extents: readonly { start: number; end: number }[]): number[] {
  const rowEnds: number[] = [];
  const rows = new Array<number>(extents.length);
  extents.map((e, i) => [e, i] as const).sort((a, b) => a[0].start - b[0].start).forEach(([e, i]) => {
    let row = rowEnds.findIndex((end) => end + 6 <= e.start);
    if (row < 0) row = rowEnds.push(0) - 1;
    rowEnds[row] = e.end;
    rows[i] = row;
  });
  return rows;
}

function lanes(run: CapturedRun): TaskInfo[] {
  const active = run.tasks.filter((t) => run.trace.some((s) => s.pid === t.pid && (t.pid !== 1 || s.opKind !== OpKind.Start)));
  return [...active.filter((t) => t.kind === 'thread'), ...active.filter((t) => t.kind === 'hardware')];
}

function svg(run: CapturedRun, options: HtmlTimelineOptions): string {
  const rows = lanes(run);
  const steps = run.trace.length;
  const activity = runActivity(run);
  const laneName = (t: TaskInfo) => {
    const name = options.names?.[t.comm] ? `${t.comm} = ${options.names[t.comm]}` : t.comm;
    return t.kind === 'hardware' ? `${name} (hw)` : `${name} · CPU${t.cpu}`;
  };
  const left = 24 + Math.ceil(Math.max(...rows.map((t) => laneName(t).length), 8) * LANE_LABEL_CHAR);
  const dx = Math.max(8, Math.min(28, Math.floor(1400 / Math.max(1, steps))));
  const xAt = (i: number) => left + i * dx;
  const backgrounds: string[] = [];
  const parts: string[] = [];
  const labelsEnd: number[] = [];
  let y = 24;
  const laneTop = new Map<number, number>();

  for (const task of rows) {
    const top = y;
    laneTop.set(task.pid, top);
    const held = activity.held.filter((h) => h.pid === task.pid);
    const heldRows = pack(held.map((h) => ({ start: xAt(h.from), end: Math.max(xAt(h.to), xAt(h.from) + h.lock.length * LABEL_CHAR) })));
    const notes = run.trace.map((s, i) => ({ s, i })).filter(({ s }) => s.pid === task.pid && s.notes.length > 0);
    const forever = activity.waits.filter((w) => w.pid === task.pid && w.forever);
    const labelled = [
      ...notes.map(({ s, i }) => ({ x: xAt(i), text: s.notes.join('; '), cls: 'note' })),
      ...forever.map((w) => ({ x: xAt(w.from), text: w.what, cls: `note forever ${w.state}` })),
    ];
    const noteRows = pack(labelled.map((l) => ({ start: l.x, end: l.x + l.text.length * LABEL_CHAR })));
    const lockRowCount = Math.max(0, ...heldRows.map((r) => r + 1));
    const noteTop = top + 30 + lockRowCount * ROW;
    const height = 30 + lockRowCount * ROW + Math.max(0, ...noteRows.map((r) => r + 1)) * ROW + 10;
    backgrounds.push(`<rect class="lane-bg ${task.kind}" x="0" y="${top}" width="100%" height="${height - 4}"/>`);
    parts.push(`<g class="lane ${task.kind}" data-pid="${task.pid}">`);
    parts.push(`<text class="label lane-label" x="8" y="${top + 18}">${escape(laneName(task))}</text>`);
    for (const wait of activity.waits.filter((w) => w.pid === task.pid)) {
      const tip = escape(wait.forever ? wait.what : `${wait.state} on ${wait.what}`);
      parts.push(`<rect class="wait ${wait.state}${wait.forever ? ' forever' : ''}" x="${xAt(wait.from)}" y="${top + 9}" width="${Math.max(2, (wait.to - wait.from) * dx)}" height="12"><title>${tip}</title></rect>`);
    }
    held.forEach((span, k) => {
      const sy = top + 30 + heldRows[k]! * ROW;
      parts.push(`<rect class="lock-span" x="${xAt(span.from)}" y="${sy}" width="${Math.max(2, (span.to - span.from) * dx)}" height="4"><title>${escape(`holds ${span.lock}`)}</title></rect>`);
      parts.push(`<text class="label lock-label" x="${xAt(span.from)}" y="${sy + 13}">${escape(span.lock)}</text>`);
      labelsEnd.push(xAt(span.from) + span.lock.length * LABEL_CHAR);
    });
    labelled.forEach((label, k) => {
      parts.push(`<text class="label ${label.cls}" x="${label.x}" y="${noteTop + noteRows[k]! * ROW + 11}">${escape(label.text)}</text>`);
      labelsEnd.push(label.x + label.text.length * LABEL_CHAR);
    });
    parts.push('</g>');
    y += height;
  }

  const drawnPids = new Set(rows.map((t) => t.pid));
  run.trace.forEach((step, i) => {
    if (!drawnPids.has(step.pid)) return;
    const task = rows.find((t) => t.pid === step.pid)!;
    const x = xAt(i) + dx / 2;
    const top = laneTop.get(step.pid)!;
    const tip = escape(`step ${step.step}: ${step.op}${step.result !== null ? ` -> ${step.result}` : ''}${step.notes.length ? `\n${step.notes.join('\n')}` : ''}`);
    if (task.kind === 'hardware' && WRITES.has(step.opKind)) {
      parts.push(`<text class="hw-write" x="${x}" y="${top + 21}" text-anchor="middle">*<title>${tip}</title></text>`);
    } else {
      parts.push(`<rect class="step" x="${xAt(i) + 1}" y="${top + 10}" width="${Math.max(2, dx - 2)}" height="10"><title>${tip}</title></rect>`);
    }
  });
  for (const flow of activity.flows) {
    const from = run.trace[flow.from]!;
    const to = run.trace[flow.to]!;
    if (!drawnPids.has(from.pid) || !drawnPids.has(to.pid)) continue;
    const [x1, y1, x2, y2] = [xAt(flow.from) + dx / 2, laneTop.get(from.pid)! + 15, xAt(flow.to) + dx / 2, laneTop.get(to.pid)! + 15];
    parts.push(`<path class="flow ${flow.kind}" d="M${x1},${y1} C${x1 + 12},${y1} ${x2 - 12},${y2} ${x2},${y2}" marker-end="url(#arrow)"><title>${escape(`${flow.kind === 'unlock' ? 'releases' : 'writes'} ${flow.what}`)}</title></path>`);
  }
  // Report lines go between the lane backgrounds and what is drawn on them, so that labels stay readable.
  const reportLines = run.reports.map((report) => {
    const at = run.trace.findIndex((s) => s.step === report.step);
    const x = xAt(at < 0 ? steps : at);
    return `<line class="report" x1="${x}" y1="20" x2="${x}" y2="${y}"><title>${escape(report.title)}</title></line>`;
  });
  const width = Math.ceil(Math.max(xAt(steps + 1), ...labelsEnd) + 24);
  const ticks: string[] = [];
  for (let i = 0; i < steps; i += Math.max(1, Math.ceil(60 / dx))) ticks.push(`<text class="tick" x="${xAt(i)}" y="14">${run.trace[i]!.step}</text>`);
  return [
    `<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 6}" viewBox="0 0 ${width} ${y + 6}" role="img" aria-label="per-CPU timeline">`,
    '<defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#7a5cc0"/></marker>',
    '<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="3" height="6" fill="#9aa3ad"/></pattern></defs>',
    ...ticks, ...backgrounds, ...reportLines, ...parts, '</svg>',
  ].join('\n');
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d1d1f; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
.scroll { overflow: auto; border: 1px solid #ddd; border-radius: 6px; max-height: 80vh; }
.lane-bg { fill: #f7f7f9; } .lane-bg.hardware { fill: #f2f7f2; }
.lane-label { font: 600 13px system-ui, sans-serif; fill: #333; }
.tick { font: 10px monospace; fill: #999; }
.step { fill: #3b6fd4; } .lane.hardware .step { fill: #5a9a5a; }
.hw-write { font: 700 18px monospace; fill: #c0392b; }
.wait.blocked { fill: url(#hatch); } .wait.spinning { fill: #f3b8ae; } .wait.forever { stroke: #c0392b; stroke-width: 1; }
.lock-span { fill: #e6a23c; }
.label { paint-order: stroke; stroke: #f7f7f9; stroke-width: 3px; stroke-linejoin: round; }
.lock-label { font: 11px monospace; fill: #8a5a12; }
.note { font: 11px monospace; fill: #6b4fa0; } .note.forever { fill: #c0392b; font-weight: 700; }
.flow { fill: none; stroke: #7a5cc0; stroke-width: 1.2; opacity: 0.7; }
.report { stroke: #c0392b; stroke-width: 2; stroke-dasharray: 4 3; }
pre { background: #fafafa; border: 1px solid #eee; padding: 12px; overflow-x: auto; font-size: 12px; }
.legend span { margin-right: 18px; white-space: nowrap; }
.zoom button { font: 13px system-ui; margin-right: 4px; }
`;

const ZOOM = `
const svg = document.getElementById('timeline');
const [w, h] = [svg.width.baseVal.value, svg.height.baseVal.value];
let scale = 1;
const zoom = (to) => { scale = Math.min(8, Math.max(0.25, to)); svg.setAttribute('width', w * scale); svg.setAttribute('height', h * scale); document.getElementById('scale').textContent = Math.round(scale * 100) + '%'; };
document.getElementById('zoom-in').onclick = () => zoom(scale * 1.25);
document.getElementById('zoom-out').onclick = () => zoom(scale / 1.25);
document.getElementById('zoom-fit').onclick = () => zoom(svg.parentElement.clientWidth / w);
document.addEventListener('keydown', (e) => { if (e.key === '+' || e.key === '=') zoom(scale * 1.25); if (e.key === '-') zoom(scale / 1.25); });
`;

export function renderHtmlTimeline(run: CapturedRun, title: string, options: HtmlTimelineOptions = {}): string {
  const reports = run.reports.map((r) => `<pre class="report-text">${escape(renderReport(r, { release: options.release }))}</pre>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${escape(title)}</h1>
<p>${run.steps} steps${options.release ? ` on ${escape(options.release)}` : ''}, outcome <b>${escape(run.outcome)}</b>${run.reports.length ? `, ${run.reports.length} report${run.reports.length === 1 ? '' : 's'}: ${run.reports.map((r) => escape(r.title)).join('; ')}` : ''}.</p>
<p class="legend"><span>▮ a step (hover for the operation)</span> <span style="color:#8a9099">▨ blocked</span> <span style="color:#e0796b">▮ spinning</span> <span style="color:#e6a23c">▬ lock held (named below the bar)</span> <span style="color:#c0392b">* hardware write</span> <span style="color:#7a5cc0">→ unlock or write that let a task go on</span> <span style="color:#c0392b">┆ report</span></p>
<p class="zoom"><button id="zoom-out" title="zoom out (-)">−</button><button id="zoom-in" title="zoom in (+)">+</button><button id="zoom-fit">fit</button> <span id="scale">100%</span></p>
<div class="scroll">${svg(run, options)}</div>
${run.reports.length ? `<h2>Reports</h2>\n${reports}` : ''}
<h2>Step by step</h2>
<pre>${escape(renderTimeline(run, { detail: 'ops', names: options.names }))}</pre>
<script>${ZOOM}</script>
</body></html>
`;
}
