/**
 * Readable forms of operations and values, for traces, timelines and reports:
 * `mutex_lock(&dev->mutex (4a066000.mmu))`, `READ_ONCE(qi->desc_status[2])`.
 */
import { OP_NAMES, OpKind, type Op } from './op.js';

interface Named {
  name: string;
  label?: string;
  describe?(value: unknown): string;
}

function objectName(op: Op): string {
  return targetName(op) ?? '';
}

/** Name of the object an operation touches (a lock's label, a cell's name), or null. */
export function targetName(op: Op): string | null {
  const obj = op.obj as unknown as Named | null;
  return obj ? obj.label ?? obj.name : null;
}

export function describeOp(op: Op): string {
  switch (op.kind) {
    case OpKind.Start:
    case OpKind.CpuRelax:
    case OpKind.Schedule:
      return `${OP_NAMES[op.kind]}()`;
    case OpKind.SpinLock:
      return `${op.arg === true ? 'raw_spin_lock_irqsave' : 'raw_spin_lock'}(${objectName(op)})`;
    case OpKind.SpinUnlock:
      return `${op.arg === undefined ? 'raw_spin_unlock' : 'raw_spin_unlock_irqrestore'}(${objectName(op)})`;
    case OpKind.Write:
    case OpKind.MmioWrite: {
      const obj = op.obj as unknown as Named;
      const value = obj.describe ? obj.describe(op.arg) : String(op.arg);
      return `${OP_NAMES[op.kind]}(${objectName(op)}, ${value})`;
    }
    default:
      return `${OP_NAMES[op.kind]}(${objectName(op)})`;
  }
}

/** What an executed operation yielded, readable; null when there is nothing to show. */
export function describeValue(op: Op, result: unknown): string | null {
  switch (op.kind) {
    case OpKind.Read:
    case OpKind.MmioRead:
    case OpKind.Rmw: {
      const obj = op.obj as unknown as Named;
      return obj.describe ? obj.describe(result) : String(result);
    }
    case OpKind.MutexTrylock:
      return result === 1 ? 'acquired' : 'busy';
    case OpKind.MutexIsLocked:
      return result ? 'locked' : 'unlocked';
    default:
      return null;
  }
}
