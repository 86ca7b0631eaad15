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
import type { KernelReport, LockSnapshot, TaskSnapshot } from '../kernel/detect/report.js';

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

function oops(r: KernelReport, o: RenderOptions): string[] {
  const task = r.task!;
  return [
    `Oops: kemu: ${task.comm}:${task.pid} threw ${r.message}`,
    identity(task, o), 'Hardware name: kemu virtual machine', ...callTrace(task, false),
    '---[ end trace 0000000000000000 ]---',
  ];
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
