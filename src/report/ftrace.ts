/**
 * A tracer on a run's observation events, printed the way ftrace prints its
 * trace buffer (Documentation/trace/ftrace.rst, the default "trace" format):
 * one line per event, `comm-pid [cpu] timestamp: event: details`. Steps are
 * `kemu_step`, locks `lock_acquire`/`lock_release` (as the lock tracepoints
 * name them), printk lines `console`, probe results `probe`. Wrap a scenario
 * with `trace()` and hand the wrapped one to replay(), runOnce() or explore().
 */
import type { Scenario } from '../explore/run-schedule.js';
import { observeKernel, type KernelEventEmitter } from '../kernel/events.js';
import type { Task } from '../kernel/sched/task.js';

/** One traced event: who, when, which event, and its details. */
export interface FtraceEvent {
  readonly comm: string;
  readonly pid: number;
  readonly cpu: number;
  readonly ns: number;
  readonly event: 'kemu_step' | 'lock_acquire' | 'lock_release' | 'console' | 'probe';
  readonly details: string;
}

/** Which events to record (default: all of them). */
export interface FtraceOptions {
  readonly steps?: boolean;
  readonly locks?: boolean;
  readonly printk?: boolean;
  readonly probes?: boolean;
}

function timestamp(ns: number): string {
  const us = Math.floor(ns / 1000);
  return `${Math.floor(us / 1_000_000)}.${String(us % 1_000_000).padStart(6, '0')}`;
}

/** Records the events of the runs it traces (the last run's, when it traces several). */
export class FtraceRecorder {
  events: FtraceEvent[] = [];

  constructor(private readonly options: FtraceOptions = {}) {}

  /** The scenario, with this recorder listening to each of its runs from the scenario's first instruction. */
  trace(scenario: Scenario): Scenario {
    return (kernel) => {
      this.events = [];
      this.attach(observeKernel(kernel));
      return scenario(kernel);
    };
  }

  private attach(events: KernelEventEmitter): void {
    const { steps = true, locks = true, printk = true, probes = true } = this.options;
    const add = (task: Task | null, ns: number, event: FtraceEvent['event'], details: string) =>
      this.events.push({ comm: task?.comm ?? '<idle>', pid: task?.pid ?? 0, cpu: task?.cpu ?? 0, ns, event, details });
    if (steps) events.on('step', (e) => add(e.task, e.ns, 'kemu_step', e.op));
    if (locks) events.on('lock', (e) => add(e.task, e.ns, e.acquired ? 'lock_acquire' : 'lock_release', e.lock));
    if (probes) events.on('probe', (e) => add(e.task, e.ns, 'probe', `dev=${e.device} drv=${e.driver} ret=${e.ret}`));
    if (printk) events.on('printk', (e) => add(e.task, e.ns, 'console', e.text));
  }

  /** The trace as ftrace prints it, header first. */
  render(): string {
    const width = Math.max(16, ...this.events.map((e) => `${e.comm}-${e.pid}`.length));
    const head = [
      '# tracer: kemu',
      '#',
      `# entries-in-buffer/entries-written: ${this.events.length}/${this.events.length}`,
      '#',
      `# ${'TASK-PID'.padStart(width)}   CPU#  TIMESTAMP  FUNCTION`,
      `# ${'| |'.padStart(width)}     |       |         |`,
    ];
    const lines = this.events.map((e) =>
      `  ${`${e.comm}-${e.pid}`.padStart(width)} [${e.cpu < 0 ? '---' : String(e.cpu).padStart(3, '0')}] ${timestamp(e.ns).padStart(12)}: ${e.event}: ${e.details}`);
    return [...head, ...lines].join('\n') + '\n';
  }
}
