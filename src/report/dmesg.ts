/**
 * A run's dmesg: its printk lines and its reports (in kernel format) in time
 * order, each line stamped as the kernel stamps it.
 */
import { formatTimestamp } from '../kernel/clock.js';
import type { CapturedRun } from '../explore/result.js';
import { renderReportLines, type RenderOptions } from './kernel-format.js';

export function renderDmesg(run: Pick<CapturedRun, 'log' | 'reports'>, options: RenderOptions = {}): string {
  const lines: { ns: number; order: number; text: string }[] = [];
  run.log.forEach((l, i) => lines.push({ ns: l.ns, order: i, text: l.text }));
  for (const report of run.reports) {
    for (const text of renderReportLines(report, options)) lines.push({ ns: report.ns, order: lines.length, text });
  }
  lines.sort((a, b) => a.ns - b.ns || a.order - b.order);
  return lines.map((l) => `${formatTimestamp(l.ns)} ${l.text}`).join('\n');
}
