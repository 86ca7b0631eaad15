/**
 * Blocking notifier chains (kernel/notifier.c, v6.5): callbacks called in
 * priority order (registration order among equals), in the caller's task, and
 * part of the model, not observation events. The chain's rwsem is not modelled:
 * registration happens at init before any concurrent caller, and readers never
 * exclude each other.
 */
export const NOTIFY_DONE = 0x0000;
export const NOTIFY_OK = 0x0001;
export const NOTIFY_STOP_MASK = 0x8000;
export const NOTIFY_BAD = NOTIFY_STOP_MASK | 0x0002;

/** Models struct notifier_block. */
export interface NotifierBlock<T = unknown> {
  notifier_call(nb: NotifierBlock<T>, action: number, data: T): Promise<number> | number;
  priority?: number;
}

/** Models struct blocking_notifier_head. */
export class BlockingNotifierHead<T = unknown> {
  readonly chain: NotifierBlock<T>[] = [];
}

/** Models blocking_notifier_chain_register() (kernel/notifier.c, v6.5): higher priority first, then FIFO. */
export function blocking_notifier_chain_register<T>(nh: BlockingNotifierHead<T>, nb: NotifierBlock<T>): number {
  const prio = nb.priority ?? 0;
  let i = 0;
  while (i < nh.chain.length && (nh.chain[i]!.priority ?? 0) >= prio) i++;
  nh.chain.splice(i, 0, nb);
  return 0;
}

/** Models blocking_notifier_chain_unregister(). */
export function blocking_notifier_chain_unregister<T>(nh: BlockingNotifierHead<T>, nb: NotifierBlock<T>): number {
  const i = nh.chain.indexOf(nb);
  if (i < 0) return -2;
  nh.chain.splice(i, 1);
  return 0;
}

/** Models blocking_notifier_call_chain() / notifier_call_chain() (kernel/notifier.c, v6.5). */
export async function blocking_notifier_call_chain<T>(nh: BlockingNotifierHead<T>, action: number, data: T): Promise<number> {
  let ret = NOTIFY_DONE;
  for (const nb of [...nh.chain]) {
    ret = await nb.notifier_call(nb, action, data);
    if (ret & NOTIFY_STOP_MASK) break;
  }
  return ret;
}
