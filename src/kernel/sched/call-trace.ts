/**
 * Kernel call traces from the JavaScript stack. Modelled kernel functions carry
 * their kernel names, so V8's (async) stack trace already reads like a kernel
 * backtrace; this keeps the kernel frames and drops the emulator's machinery.
 * Capturing a stack costs microseconds, so it is done only when a failing
 * schedule is replayed.
 *
 * A frame in compiled JavaScript is named by its TypeScript source, through
 * the source map beside the module, read at the first frame in it. Node can
 * do this for every stack (`process.setSourceMapsEnabled`), but it then reads
 * every module's map as the module loads: 51 ms of the command worker's CPU
 * in one profiled `kemu run`, where a trace touches a dozen modules.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** kemu's own directory (a clone, or node_modules/kemu), from this module in src/ or dist/src/. */
const KEMU_DIR = fileURLToPath(import.meta.url).replace(/(dist\/)?src\/kernel\/sched\/call-trace\.[jt]s$/, '');
/** kemu's scheduler and explorer, relative to KEMU_DIR: frames no kernel trace shows. */
const KEMU_MACHINERY = /^(dist\/)?src\/(kernel\/(sched\/(scheduler|call-trace|visible)|kernel)\.|explore\/)/;
const FRAME = /^\s*at (?:async )?(?:(.*?) \()?(.*?)(?::(\d+):(\d+))?\)?$/;

export interface Frame {
  fn: string;
  file: string;
  line: number;
}

function pathOf(file: string): string {
  return file.replace(/^file:\/\//, '').replace(/\?.*$/, '');
}

/** Node internals, other packages (vitest, inversify) and kemu's own machinery; kemu installed under node_modules is not. */
function isMachinery(file: string): boolean {
  const path = pathOf(file);
  if (path.startsWith('node:') || path.startsWith('internal/')) return true;
  if (path.startsWith(KEMU_DIR)) return KEMU_MACHINERY.test(path.slice(KEMU_DIR.length));
  return path.includes('/node_modules/');
}

/** kemu's files relative to its directory (`src/base/dd.ts`), as a kernel trace names files; others in full. */
function shortFile(file: string): string {
  const path = pathOf(file);
  return path.startsWith(KEMU_DIR) ? path.slice(KEMU_DIR.length).replace(/^dist\//, '') : path;
}

interface ModuleSourceMap {
  map: SourceMap;
  /** Where the map is, and its sourceRoot: a source's URL is the two joined, resolved against the map's. */
  url: URL;
  root: string;
}

/** The source maps read so far, by module; null for a module with none (not compiled, or built without maps). */
const sourceMaps = new Map<string, ModuleSourceMap | null>();

/** The source map beside a compiled module (`x.js.map`, as tsc writes it), or null. */
function sourceMapOf(file: string): ModuleSourceMap | null {
  let found = sourceMaps.get(file);
  if (found !== undefined) return found;
  found = null;
  if (/^(file:|\/).*\.js$/.test(file)) {
    const url = file.startsWith('file:') ? new URL(`${file}.map`) : pathToFileURL(`${file}.map`);
    try {
      const payload = JSON.parse(readFileSync(url, 'utf8')) as { sourceRoot?: string };
      found = { map: new SourceMap(payload as ConstructorParameters<typeof SourceMap>[0]), url, root: payload.sourceRoot ?? '' };
    } catch {
      // No map, or one that does not parse: the frame keeps its compiled file and line.
    }
  }
  sourceMaps.set(file, found);
  return found;
}

/** Where a position in a compiled module comes from in its source; the position itself without a source map. */
function originalPosition(file: string, line: number, column: number): { file: string; line: number } {
  const source = line > 0 ? sourceMapOf(file) : null;
  const entry = source?.map.findEntry(line - 1, column - 1);
  if (!source || !entry || !('originalSource' in entry)) return { file, line };
  return { file: new URL(source.root + entry.originalSource, source.url).href, line: entry.originalLine + 1 };
}

/** A compiled module's file and a line and column in it, as a stack prints them. */
const COMPILED_LOCATION = /((?:file:\/\/)?\/[^\s()]+\.js):(\d+):(\d+)/g;

/** An Error stack with every frame in compiled kemu named by its source's file and line, for an internal-error message. */
export function sourceMappedStack(stack: string): string {
  return stack.replace(COMPILED_LOCATION, (location, file: string, line: string, column: string) => {
    const original = originalPosition(file, Number(line), Number(column));
    return original.file === file ? location : `${original.file}:${original.line}`;
  });
}

/** Parses one `at …` line of an Error stack; null for lines that are not frames. */
function parseFrame(line: string): Frame | null {
  const m = FRAME.exec(line);
  if (!m || !line.trimStart().startsWith('at ')) return null;
  const rawFn = m[1] ?? '<anonymous>';
  const fn = rawFn.replace(/^(Object|Module)\./, '').replace(/^new /, '').replace(/ \[as [^\]]+\]$/, '');
  return { fn, ...originalPosition(m[2] ?? '', m[3] ? Number(m[3]) : 0, m[4] ? Number(m[4]) : 0) };
}

/** The kernel frames of an Error stack, innermost first, as `fn (file:line)`. */
export function kernelFrames(stack: string): string[] {
  const frames: string[] = [];
  for (const line of stack.split('\n').slice(1)) {
    const frame = parseFrame(line);
    if (!frame || isMachinery(frame.file)) continue;
    const fn = frame.fn.includes('.') && !frame.fn.startsWith('<') ? frame.fn.slice(frame.fn.lastIndexOf('.') + 1) : frame.fn;
    frames.push(`${fn} (${shortFile(frame.file)}:${frame.line})`);
  }
  return frames;
}

/**
 * How many JavaScript frames a call trace may have: enough for the deepest
 * kernel chain with V8's async frames (the nested interconnect probes of
 * ti-sysc and simple-pm-bus). V8's default of 10 would cut an oops trace
 * (taken from the thrown error) short, so runs raise the limit to this.
 */
export const CALL_TRACE_FRAMES = 256;

/** The kernel frames of the current stack, innermost first, as `fn (file:line)`. */
export function captureCallTrace(): string[] {
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = CALL_TRACE_FRAMES;
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

/** A task's call trace at its last scheduling point, as the lines that end a misuse message. */
export function lastSchedulingPoint(callTrace: readonly string[]): string {
  return `\nIts last scheduling point:\n  ${callTrace.join('\n  ')}`;
}
