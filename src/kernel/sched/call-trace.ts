/**
 * Kernel call traces from the JavaScript stack. Modelled kernel functions carry
 * their kernel names, so V8's (async) stack trace already reads like a kernel
 * backtrace; this keeps the kernel frames and drops the emulator's machinery.
 * Capturing a stack costs microseconds, so it is done only when a failing
 * schedule is replayed.
 */
const MACHINERY = /\/src\/kernel\/(sched\/(scheduler|call-trace|visible)|kernel)\.|\/src\/explore\/|\/node_modules\/|node:internal|^internal\//;
const FRAME = /^\s*at (?:async )?(?:(.*?) \()?(.*?)(?::(\d+):\d+)?\)?$/;

export interface Frame {
  fn: string;
  file: string;
  line: number;
}

function shortFile(file: string): string {
  const cleaned = file.replace(/^file:\/\//, '').replace(/\?.*$/, '');
  const at = cleaned.search(/\/(src|drivers|buses|firmware|test|bench)\//);
  return at >= 0 ? cleaned.slice(at + 1) : cleaned;
}

/** Parses one `at …` line of an Error stack; null for lines that are not frames. */
function parseFrame(line: string): Frame | null {
  const m = FRAME.exec(line);
  if (!m || !line.trimStart().startsWith('at ')) return null;
  const rawFn = m[1] ?? '<anonymous>';
  const fn = rawFn.replace(/^(Object|Module)\./, '').replace(/^new /, '').replace(/ \[as [^\]]+\]$/, '');
  return { fn, file: m[2] ?? '', line: m[3] ? Number(m[3]) : 0 };
}

/** The kernel frames of an Error stack, innermost first, as `fn (file:line)`. */
export function kernelFrames(stack: string): string[] {
  const frames: string[] = [];
  for (const line of stack.split('\n').slice(1)) {
    const frame = parseFrame(line);
    if (!frame || MACHINERY.test(frame.file)) continue;
    const fn = frame.fn.includes('.') && !frame.fn.startsWith('<') ? frame.fn.slice(frame.fn.lastIndexOf('.') + 1) : frame.fn;
    frames.push(`${fn} (${shortFile(frame.file)}:${frame.line})`);
  }
  return frames;
}

/** The kernel frames of the current stack, innermost first, as `fn (file:line)`. */
export function captureCallTrace(): string[] {
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = 256;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = saved;
  return kernelFrames(stack);
}

/** The function name of a `fn (file:line)` frame. */
export function frameFunction(frame: string): string {
  const paren = frame.indexOf(' (');
  return paren < 0 ? frame : frame.slice(0, paren);
}

const LOCK_WRAPPER = /^(mutex_|raw_spin_|spin_|device_lock|device_unlock|__device_driver_lock)/;

/** The function that took a lock: the first frame that is not a locking wrapper (lockdep's `at:`). */
export function lockCaller(trace: string[] | null): string | null {
  if (!trace) return null;
  for (const frame of trace) {
    const fn = frameFunction(frame);
    if (!LOCK_WRAPPER.test(fn)) return fn;
  }
  return null;
}
