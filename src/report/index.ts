/** Renderers: kernel-format reports, dmesg, timelines and trace export. */
export { renderReport, renderReportLines, type RenderOptions } from './kernel-format.js';
export { renderDmesg } from './dmesg.js';
export { renderTimeline, type TimelineOptions } from './timeline.js';
export { toChromeTrace, type TraceEvent, type TraceOptions } from './chrome-trace.js';
export { renderHtmlTimeline, type HtmlTimelineOptions } from './html-timeline.js';
export { FtraceRecorder, type FtraceEvent, type FtraceOptions } from './ftrace.js';
