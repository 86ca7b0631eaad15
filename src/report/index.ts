/** Renderers: kernel-format reports, dmesg, timelines and trace export. */
export { renderReport, renderReportLines, type RenderOptions } from './kernel-format.js';
export { renderDmesg } from './dmesg.js';
export { renderTimeline, type TimelineOptions } from './timeline.js';
export { toChromeTrace, type TraceEvent } from './chrome-trace.js';
export { renderHtmlTimeline } from './html-timeline.js';
export { FtraceRecorder, type FtraceEvent, type FtraceOptions } from './ftrace.js';
