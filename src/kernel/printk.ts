/**
 * printk into the run's dmesg buffer. Kernel code calls `printk`, `pr_info`,
 * `pr_warn`, `pr_err`, `pr_emerg`; the line is stamped with virtual time.
 */
import { formatTimestamp } from './clock.js';
import { current } from './sched/current.js';

export const enum LogLevel { Emerg = 0, Alert, Crit, Err, Warning, Notice, Info, Debug }

export interface LogLine {
  ns: number;
  level: LogLevel;
  text: string;
}

export class LogBuffer {
  readonly lines: LogLine[] = [];

  /** `onLine` sees each line as it is logged (the run's printk event point). */
  constructor(private readonly now: () => number, private readonly onLine?: (line: LogLine) => void) {}

  add(level: LogLevel, text: string): void {
    for (const part of text.split('\n')) {
      const line = { ns: this.now(), level, text: part };
      this.lines.push(line);
      this.onLine?.(line);
    }
  }

  /** The buffer as `dmesg` prints it. */
  render(): string {
    return this.lines.map((l) => `${formatTimestamp(l.ns)} ${l.text}`).join('\n');
  }
}

function log(level: LogLevel, text: string): void {
  current().kernel.log.add(level, text);
}

export const pr_emerg = (text: string): void => log(LogLevel.Emerg, text);
export const pr_err = (text: string): void => log(LogLevel.Err, text);
export const pr_warn = (text: string): void => log(LogLevel.Warning, text);
export const pr_info = (text: string): void => log(LogLevel.Info, text);
export const pr_debug = (text: string): void => log(LogLevel.Debug, text);
/** printk at the default (info) level. */
export const printk = pr_info;
