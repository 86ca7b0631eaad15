/**
 * Reports in the kernel's own formats, rendered from the structured reports:
 * the hung-task detector (kernel/hung_task.c, with lockdep's held-locks dump
 * and blocker tracking), the soft-lockup watchdog (kernel/watchdog.c), lockdep
 * splats (kernel/locking/lockdep.c), WARN (kernel/panic.c), __might_sleep
 * (kernel/sched/core.c), and an oops for model code that threw.
 *
 * kemu has no addresses or code offsets: lock lines omit the address and
 * frames print as `function (file:line)` in the model's source. Where kemu
 * adds something the kernel would not print, the line starts with `kemu:`.
 */
import type { KasanTrack, KernelReport, LockSnapshot, TaskSnapshot } from '../kernel/detect/report.js';

export interface RenderOptions {
  /** Kernel release shown in identity lines, e.g. the variant name. */
  release?: string;
}

const release = (o: RenderOptions): string => o.release || 'kemu';

/**
 * `(&dev->mutex [ocp]){....}-{3:3}, at: __driver_attach`: a lock as lockdep
 * prints it, without the address, and with the instance in brackets when the
 * class name does not already say which it is.
 */
export function lockLine(lock: LockSnapshot): string {
  const wait = lock.waitType === 'sleep' ? '{3:3}' : '{2:2}';
  const name = lock.name === lock.className || lock.className.includes(`[${lock.name}]`) ? lock.className : `${lock.className} [${lock.name}]`;
  return `(${name}){....}-${wait}${lock.acquiredIn ? `, at: ${lock.acquiredIn}` : ''}`;
}

function heldLocks(task: TaskSnapshot): string[] {
  const n = task.heldLocks.length;
  if (n === 0) return [`no locks held by ${task.comm}/${task.pid}.`];
  return [`${n} lock${n === 1 ? '' : 's'} held by ${task.comm}/${task.pid}:`, ...task.heldLocks.map((l, i) => ` #${i}: ${lockLine(l)}`)];
}

/** The `Call Trace:` block; sleeping tasks get the scheduler frames the kernel shows above the lock call. */
function callTrace(task: TaskSnapshot, schedulerFrames: boolean): string[] {
  const frames = task.callTrace ?? [`kemu: no call trace (the run was not replayed with call traces)`];
  const sched = schedulerFrames ? [' __schedule', ' schedule', ' schedule_preempt_disabled', ' __mutex_lock'] : [];
  return ['Call Trace:', ' <TASK>', ...sched, ...frames.map((f) => ` ${f}`), ' </TASK>'];
}

function identity(task: TaskSnapshot, o: RenderOptions): string {
  return `CPU: ${Math.max(task.cpu, 0)} PID: ${task.pid} Comm: ${task.comm} Not tainted ${release(o)} #1`;
}

function schedShowTask(task: TaskSnapshot): string {
  return `task:${task.comm.padEnd(15)} state:${task.state} stack:0     pid:${String(task.pid).padEnd(5)} ppid:2      flags:0x00000000`;
}

function hungTask(r: KernelReport, o: RenderOptions): string[] {
  const task = r.task!;
  const lines = [
    `INFO: task ${task.comm}:${task.pid} blocked for more than ${r.stuckSeconds} seconds.`,
    `      Not tainted ${release(o)} #1`,
    `"echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.`,
    schedShowTask(task),
    ...callTrace(task, task.waitsFor !== null),
  ];
  const owner = task.waitsFor?.owner;
  if (owner) {
    lines.push(`INFO: task ${task.comm}:${task.pid} is blocked on a mutex likely owned by task ${owner.comm}:${owner.pid}.`);
    const ownerTask = owner.pid === task.pid ? null : r.others.find((t) => t.pid === owner.pid);
    if (ownerTask) lines.push(schedShowTask(ownerTask), ...callTrace(ownerTask, ownerTask.state === 'D'));
  }
  for (const other of r.others.filter((t) => t.state === 'D' && t.pid !== owner?.pid)) {
    lines.push(`INFO: task ${other.comm}:${other.pid} blocked for more than ${r.stuckSeconds} seconds.`, schedShowTask(other), ...callTrace(other, other.waitsFor !== null));
  }
  lines.push('', 'Showing all locks held in the system:');
  for (const t of [task, ...r.others]) if (t.heldLocks.length > 0) lines.push(...heldLocks(t), '');
  lines.push('=============================================', '');
  return lines;
}

function softLockup(r: KernelReport, o: RenderOptions): string[] {
  const task = r.task!;
  const rip = task.callTrace?.find((f) => !f.startsWith('cpu_relax') && !f.startsWith('raw_spin_lock'))?.split(' (')[0] ?? task.at;
  const lines = [
    `watchdog: BUG: soft lockup - CPU#${task.cpu} stuck for ${r.stuckSeconds}s! [${task.comm}:${task.pid}]`,
    'Modules linked in:',
    identity(task, o),
    'Hardware name: kemu virtual machine',
    `RIP: 0010:${rip}`,
    ...callTrace(task, false),
  ];
  if (task.polls && task.polls.length > 0) {
    const polls = task.polls.map((p) => `${p.name} = ${p.value}`).join(', ');
    lines.push(`kemu: ${task.comm} polls ${polls}, and nothing that can still run will ever change it.`);
  } else if (task.waitsFor) {
    lines.push(`kemu: ${task.comm} spins on ${task.waitsFor.className}, held by ${task.waitsFor.owner ? `${task.waitsFor.owner.comm}:${task.waitsFor.owner.pid}` : 'nobody'}.`);
  }
  if (task.irqsDisabled) {
    lines.push(`kemu: interrupts were off on CPU#${task.cpu} the whole time; on real hardware the NMI watchdog would more likely report a hard LOCKUP.`);
  }
  for (const other of r.others.filter((t) => t.kind === 'thread')) lines.push(`kemu: ${other.comm}:${other.pid} is at ${other.at}.`);
  return lines;
}

function lockdepHeader(title: string, o: RenderOptions): string[] {
  const rule = '='.repeat(Math.max(44, title.length));
  return ['', rule, `WARNING: ${title}`, `${release(o)} #1 Not tainted`, '-'.repeat(rule.length)];
}

function lockByClass(r: KernelReport, cls: string, fallbackAt: string | null): LockSnapshot {
  const held = r.task?.heldLocks.find((l) => l.className === cls);
  return held ?? { name: cls, className: cls, waitType: 'sleep', novalidate: false, owner: null, acquiredIn: fallbackAt };
}

function lockdepRecursive(r: KernelReport, o: RenderOptions): string[] {
  const task = r.task!;
  const link = r.chain[0]!;
  const held = lockByClass(r, link.from, null);
  const wanted = task.waitsFor ?? { ...held, acquiredIn: link.acquiredIn };
  return [
    ...lockdepHeader('possible recursive locking detected', o),
    `${task.comm}/${task.pid} is trying to acquire lock:`, lockLine(wanted), '',
    'but task is already holding lock:', lockLine(held), '',
    'other info that might help us debug this:', ' Possible unsafe locking scenario:', '',
    '       CPU0', '       ----', `  lock(${link.from});`, `  lock(${link.to});`, '',
    ' *** DEADLOCK ***', '', ' May be due to missing lock nesting notation', '',
    ...heldLocks(task), '', 'stack backtrace:', identity(task, o), ...callTrace(task, false),
  ];
}

function lockdepCircular(r: KernelReport, o: RenderOptions): string[] {
  const task = r.task!;
  const closing = r.chain[r.chain.length - 1]!;
  const held = lockByClass(r, closing.from, null);
  const wanted: LockSnapshot = task.waitsFor ?? { ...held, name: closing.to, className: closing.to, acquiredIn: closing.acquiredIn };
  const lines = [
    ...lockdepHeader('possible circular locking dependency detected', o),
    `${task.comm}/${task.pid} is trying to acquire lock:`, lockLine(wanted), '',
    'but task is already holding lock:', lockLine(held), '',
    'which lock already depends on the new lock.', '', '',
    'the existing dependency chain (in reverse order) is:',
  ];
  const existing = r.chain.slice(0, -1).reverse();
  existing.forEach((link, i) => {
    lines.push('', `-> #${existing.length - i} (${link.to}){....}:`, `       taken by ${link.comm}/${link.pid} while holding ${link.from}${link.acquiredIn ? `, in ${link.acquiredIn}` : ''}`);
  });
  lines.push('', `-> #0 (${closing.to}){....}:`, `       taken by ${closing.comm}/${closing.pid} while holding ${closing.from}${closing.acquiredIn ? `, in ${closing.acquiredIn}` : ''}`, '');
  lines.push('other info that might help us debug this:', '');
  const first = r.chain[0]!;
  lines.push(
    ' Possible unsafe locking scenario:', '',
    '       CPU0                    CPU1', '       ----                    ----',
    `  lock(${closing.from});`, `                               lock(${first.from});`,
    `                               lock(${closing.from});`, `  lock(${closing.to});`, '',
    ' *** DEADLOCK ***', '',
  );
  lines.push(...heldLocks(task), '', 'stack backtrace:', identity(task, o), ...callTrace(task, false));
  return lines;
}

function warn(r: KernelReport, o: RenderOptions): string[] {
  const task = r.task!;
  const site = r.location.match(/^(.*) \((.*)\)$/);
  return [
    '------------[ cut here ]------------',
    `WARNING: CPU: ${Math.max(task.cpu, 0)} PID: ${task.pid} at ${site ? `${site[2]} ${site[1]}` : r.location}`,
    'Modules linked in:', identity(task, o), 'Hardware name: kemu virtual machine',
    `kemu: ${r.message}`,
    ...callTrace(task, false),
    '---[ end trace 0000000000000000 ]---',
  ];
}

/** An invariant the scenario stated: not a kernel report, so kemu's own lines around the task's stack. */
function invariant(r: KernelReport, o: RenderOptions): string[] {
  const task = r.task!;
  return [
    `kemu: invariant broken after step ${r.step}: ${r.location}`,
    ...(r.message ? [`kemu: ${r.message}`] : []),
    `kemu: the step was ${task.comm}:${task.pid}'s; it is now at ${task.at}`,
    ...dumpStack(task, o),
  ];
}

function sleepInAtomic(r: KernelReport, o: RenderOptions): string[] {
  const task = r.task!;
  const top = task.callTrace?.[0]?.match(/\((.*)\)$/)?.[1] ?? 'kernel/locking/mutex.c';
  return [
    `BUG: sleeping function called from invalid context at ${top}`,
    `in_atomic(): ${task.preemptCount > 0 ? 1 : 0}, irqs_disabled(): ${task.irqsDisabled ? 1 : 0}, non_block: 0, pid: ${task.pid}, name: ${task.comm}`,
    `preempt_count: ${task.preemptCount}, expected: 0`,
    'RCU nest depth: 0, expected: 0',
    ...heldLocks(task), identity(task, o), 'Hardware name: kemu virtual machine', ...callTrace(task, false),
  ];
}

/** `Workqueue: events_unbound async_run_entry_fn`: the line dump_stack adds for a kworker. */
function workqueueLine(task: TaskSnapshot): string[] {
  if (!task.comm.startsWith('kworker/')) return [];
  const fns = (task.callTrace ?? []).map((f) => f.split(' (')[0]);
  const fn = fns.includes('async_run_entry_fn') ? 'async_run_entry_fn' : fns.includes('deferred_probe_work_func') ? 'deferred_probe_work_func' : null;
  return fn ? [`Workqueue: events_unbound ${fn}`] : [];
}

/** dump_stack() as arm64 prints it: identity, hardware, workqueue, `Call trace:`. */
function dumpStack(task: TaskSnapshot, o: RenderOptions): string[] {
  const frames = task.callTrace ?? ['kemu: no call trace (the run was not replayed with call traces)'];
  return [identity(task, o), 'Hardware name: kemu virtual machine', ...workqueueLine(task), 'Call trace:', ...frames.map((f) => ` ${f}`)];
}

function oops(r: KernelReport, o: RenderOptions): string[] {
  const task = r.task!;
  // A fault the model raised (a NULL struct pointer dereferenced) reads as the arm64 fault report.
  if (r.message.includes('Unable to handle kernel')) {
    const pc = task.callTrace?.[0]?.split(' (')[0] ?? r.location;
    return [
      r.message.slice(r.message.indexOf('Unable to handle kernel')),
      'Internal error: Oops: 0000000096000005 [#1] PREEMPT SMP', 'Modules linked in:',
      identity(task, o), 'Hardware name: kemu virtual machine', ...workqueueLine(task), `pc : ${pc}`,
      'Call trace:', ...(task.callTrace ?? []).map((f) => ` ${f}`),
      '---[ end trace 0000000000000000 ]---',
    ];
  }
  return [
    `Oops: kemu: ${task.comm}:${task.pid} threw ${r.message}`,
    identity(task, o), 'Hardware name: kemu virtual machine', ...callTrace(task, false),
    '---[ end trace 0000000000000000 ]---',
  ];
}

/** A KASAN track: the frames kasan_save_track() records under the model's own. */
function kasanTrack(prefix: string, t: KasanTrack, top: string[]): string[] {
  const frames = t.callTrace?.filter((f) => !f.includes('(src/kernel/'));
  return [`${prefix} by task ${t.pid}:`, ...(frames ? [...top, ...frames].map((f) => ` ${f}`) : ['(stack is not available)']), ''];
}

/** mm/kasan/report.c (v6.6): description, dump_stack, the object's tracks, where the address lies. */
function kasan(r: KernelReport, o: RenderOptions): string[] {
  const task = r.task!;
  const k = r.kasan!;
  const site = r.location;
  const rule = '='.repeat(66);
  const lines = [rule, `BUG: KASAN: ${k.bugType} in ${site}`];
  if (k.access.kind !== 'free') lines.push(`${k.access.kind === 'read' ? 'Read' : 'Write'} of size ${k.access.size} at addr ${k.access.addr} by task ${task.comm}/${task.pid}`);
  lines.push('', ...dumpStack(task, o), '');
  lines.push(...kasanTrack('Allocated', k.allocated, ['kasan_save_stack', 'kasan_save_track', '__kasan_kmalloc', '__kmalloc']));
  if (k.freed) lines.push(...kasanTrack('Freed', k.freed, ['kasan_save_stack', 'kasan_save_track', 'kasan_save_free_info', '__kasan_slab_free', 'kfree']));
  const end = (BigInt(`0x${k.object.addr}`) + BigInt(k.object.cacheSize)).toString(16);
  lines.push(
    `The buggy address belongs to the object at ${k.object.addr}`,
    ` which belongs to the cache ${k.object.cache} of size ${k.object.cacheSize}`,
    `The buggy address is located ${k.object.offset} bytes inside of`,
    ` freed ${k.object.cacheSize}-byte region [${k.object.addr}, ${end})`,
    '',
    `kemu: the object is a ${k.object.struct} (${k.object.size} bytes)${k.object.field ? `; the access was to its ${k.object.field} field` : ''}.`,
    'kemu: the physical page and the shadow memory around the address are not modelled.',
    rule,
  );
  return lines;
}

function kernelLines(report: KernelReport, options: RenderOptions): string[] {
  switch (report.kind) {
    case 'hung-task': return hungTask(report, options);
    case 'soft-lockup': return softLockup(report, options);
    case 'lockdep-recursive': return lockdepRecursive(report, options);
    case 'lockdep-circular': return lockdepCircular(report, options);
    case 'warn': return warn(report, options);
    case 'sleep-in-atomic': return sleepInAtomic(report, options);
    case 'oops': return oops(report, options);
    case 'probe-failed':
    case 'deferred-probe-pending': return [report.message];
    case 'kasan': return kasan(report, options);
    case 'invariant': return invariant(report, options);
  }
}

/**
 * The report as the kernel would print it, one string per line, followed by
 * kemu's notes on it (`kemu: ...`). The driver core's one-line reports are
 * dmesg lines and carry no footer.
 */
export function renderReportLines(report: KernelReport, options: RenderOptions = {}): string[] {
  const lines = kernelLines(report, options);
  if (report.kind === 'probe-failed' || report.kind === 'deferred-probe-pending') return lines;
  return [...lines, ...(report.notes ?? []).map((note) => `kemu: ${note}`)];
}

export function renderReport(report: KernelReport, options: RenderOptions = {}): string {
  return renderReportLines(report, options).join('\n');
}
