/**
 * KASAN's reports as data (mm/kasan/report.c, v6.6): a load or store of a
 * freed slab object (`slab-use-after-free`) and a second kfree()
 * (`double-free`), each with the bad access, the object, and the tasks and
 * call traces that allocated and freed it. As without panic_on_warn, the
 * report is made and the run goes on.
 */
import type { Kernel } from '../kernel.js';
import type { FieldLayout, SlabObject, SlabTrack } from '../memory/slab.js';
import { formatAddr } from '../memory/slab.js';
import { captureCallTrace, frameFunction } from '../sched/call-trace.js';
import { current } from '../sched/current.js';
import { kemu_note } from '../assert.js';
import type { KasanInfo, KasanTrack, KernelReport } from './report.js';
import { snapshotTask } from './snapshot.js';

/** The bad access's call trace from the model function that made it (the slab accessors are machinery). */
function accessTrace(): string[] {
  const trace = captureCallTrace();
  const site = trace.findIndex((frame) => !frame.includes('(src/kernel/'));
  return site < 0 ? trace : trace.slice(site);
}

const copyTrack = (t: SlabTrack): KasanTrack => ({ pid: t.pid, comm: t.comm, callTrace: t.callTrace });

function fieldAt(obj: SlabObject, offset: number): string | null {
  for (const [name, f] of Object.entries(obj.struct.fields)) if (offset >= f.offset && offset < f.offset + f.size) return name;
  return null;
}

function kasanReport(kernel: Kernel, info: KasanInfo, trace: string[]): KernelReport {
  const task = current();
  const snapshot = snapshotTask(kernel, task);
  snapshot.callTrace = trace;
  const site = trace[0] ? frameFunction(trace[0]) : '<unknown>';
  const what = info.object.field ? `${info.object.struct}->${info.object.field}` : info.object.struct;
  const access = info.access.kind === 'free' ? 'second kfree() of' : `${info.access.kind} of`;
  return {
    kind: 'kasan', fatal: false, ns: kernel.clock.ns, step: kernel.stepCount,
    signature: `kasan:${info.bugType}:${site}:${what}`,
    title: `KASAN: ${info.bugType} in ${site}: ${access} ${what}, freed by ${info.freed ? `${info.freed.comm}:${info.freed.pid}` : 'nobody'}`,
    task: snapshot, others: [], chain: [], stuckSeconds: 0,
    message: `${info.access.kind === 'free' ? 'Free' : `${info.access.kind === 'read' ? 'Read' : 'Write'} of size ${info.access.size}`} at addr ${info.access.addr}`,
    location: trace[0] ?? site,
    kasan: info,
  };
}

/** Reports a load or store of a freed object (kasan_report(), mm/kasan/report.c). */
export function kasan_report_access(obj: SlabObject, field: FieldLayout, kind: 'read' | 'write'): void {
  const kernel = current().kernel;
  const info: KasanInfo = {
    bugType: 'slab-use-after-free',
    access: { kind, size: field.size, addr: formatAddr(obj.addr + field.offset) },
    object: { struct: obj.struct.name, field: fieldAt(obj, field.offset), cache: obj.cache.name, cacheSize: obj.cache.size,
      addr: formatAddr(obj.addr), size: obj.struct.size, offset: field.offset },
    allocated: copyTrack(obj.allocated),
    freed: obj.freed ? copyTrack(obj.freed) : null,
  };
  const report = kasanReport(kernel, info, accessTrace());
  kemu_note(`BUG: ${report.title}`);
  kernel.report(report);
}

/** Reports a kfree() of an object already freed (kasan_report_invalid_free(), mm/kasan/report.c). */
export function kasan_report_double_free(obj: SlabObject): void {
  const kernel = current().kernel;
  const info: KasanInfo = {
    bugType: 'double-free',
    access: { kind: 'free', size: 0, addr: formatAddr(obj.addr) },
    object: { struct: obj.struct.name, field: null, cache: obj.cache.name, cacheSize: obj.cache.size,
      addr: formatAddr(obj.addr), size: obj.struct.size, offset: 0 },
    allocated: copyTrack(obj.allocated),
    freed: obj.freed ? copyTrack(obj.freed) : null,
  };
  const report = kasanReport(kernel, info, accessTrace());
  kemu_note(`BUG: ${report.title}`);
  kernel.report(report);
}
