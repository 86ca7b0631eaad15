/**
 * The peer: the VT-d qi_submit_sync 0-count race written the way a TypeScript
 * developer would without kemu, against fast-check's `fc.scheduler()`. Every
 * `await step(…)` is a point where fast-check may switch between the
 * submitters and the invalidation hardware, and code between two of them runs
 * atomically, so each stands for one of kemu's visible operations, named as
 * kemu's trace names it (`cpu: writel IQT_REG` for writel(dmar0.IQT_REG, …);
 * test/bench/peer-fast-check-qi.test.ts checks that the two have the same):
 *
 * - a submitter (dmar.c, qi_submit_sync): its start, raw_spin_lock_irqsave
 *   (q_lock), then (while the ring has no room) raw_spin_unlock_irqrestore,
 *   cpu_relax, raw_spin_lock_irqsave; filling the slots, then writel(IQT);
 *   each poll is READ_ONCE(desc_status[wait_index]), then (not QI_DONE)
 *   qi_check_fault's readl(FSTS), raw_spin_unlock, cpu_relax, raw_spin_lock;
 *   releasing the slots and reclaim_free_desc() run with the step that saw
 *   QI_DONE, then raw_spin_unlock_irqrestore;
 * - the hardware (dmar-hw.ts): sampling IQT when it has run out of known
 *   work (a cpu_relax when there is none), one READ_ONCE per descriptor
 *   fetched, and the wait descriptor's status write as a step of its own.
 *
 * What it leaves out (the bench table says so too, PEER_OMITS): the queue is
 * enabled before the run (kemu's swapper runs dmar_enable_qi first, racing
 * only an idle engine); no fault is ever raised, so qi_check_fault() is only
 * its FSTS read; descriptors carry no contents but "wait or not". A lock that
 * is held and a cpu_relax() are repeated steps here, where kemu parks the task
 * until what it read changes, so fast-check's runs are longer, not different.
 * A submitter is stuck when the word it polls can no longer change (every
 * other submitter has returned and the hardware has nothing left to fetch):
 * kemu's lockup criterion, decided at the end of the run instead of as soon
 * as it holds.
 */
import fc from 'fast-check';

const QI_FREE = 0;
const QI_IN_USE = 1;
const QI_DONE = 2;
const QUEUE = 8;

/** What PEER_OMITS lists for the bench table: the differences from kemu's model that remain. */
export const PEER_OMITS = 'queue enabled before the run; no faults (qi_check_fault is its FSTS read); a held lock or cpu_relax repeats steps instead of parking; stuck decided at the end of the run';

interface Queue {
  status: number[];
  isWait: boolean[];
  freeHead: number;
  freeTail: number;
  freeCnt: number;
  /** The IQT register, in slots. */
  tail: number;
  /** IQH, in slots. */
  head: number;
  locked: boolean;
  /** Submitters still running, for the stuck criterion. */
  running: number;
  /** Whether the hardware has fetched every descriptor it will ever be given. */
  drained: boolean;
}

type Step = (label: string) => Promise<void>;

/** raw_spin_lock(_irqsave) of q_lock: one step, repeated while another CPU holds the lock. */
async function lock(q: Queue, step: Step, op: 'cpu: raw_spin_lock_irqsave q_lock' | 'cpu: raw_spin_lock q_lock'): Promise<void> {
  for (;;) {
    await step(op);
    if (!q.locked) {
      q.locked = true;
      return;
    }
  }
}

function reclaim(q: Queue, fixed: boolean): void {
  if (fixed) {
    while (q.status[q.freeTail] === QI_FREE && q.freeTail !== q.freeHead) {
      q.freeTail = (q.freeTail + 1) % QUEUE;
      q.freeCnt++;
    }
  } else {
    while (q.status[q.freeTail] === QI_DONE) {
      q.status[q.freeTail] = QI_FREE;
      q.freeTail = (q.freeTail + 1) % QUEUE;
      q.freeCnt++;
    }
  }
}

/** qi_submit_sync with `count` invalidations; resolves false if it is stuck (its status word can no longer change). */
async function submit(q: Queue, count: number, fixed: boolean, step: Step): Promise<boolean> {
  await step('cpu: start');
  await lock(q, step, 'cpu: raw_spin_lock_irqsave q_lock');
  while (q.freeCnt < count + 2) {
    await step('cpu: raw_spin_unlock_irqrestore q_lock');
    q.locked = false;
    await step('cpu: cpu_relax');
    await lock(q, step, 'cpu: raw_spin_lock_irqsave q_lock');
  }
  const index = q.freeHead;
  const waitIndex = (index + count) % QUEUE;
  for (let i = 0; i <= count; i++) {
    q.status[(index + i) % QUEUE] = QI_IN_USE;
    q.isWait[(index + i) % QUEUE] = i === count;
  }
  q.freeHead = (q.freeHead + count + 1) % QUEUE;
  q.freeCnt -= count + 1;
  await step('cpu: writel IQT_REG');
  q.tail = q.freeHead;
  for (;;) {
    await step('cpu: READ_ONCE desc_status');
    if (q.status[waitIndex] === QI_DONE) break;
    if (q.running === 1 && q.drained) return false;
    await step('cpu: readl FSTS_REG');
    await step('cpu: raw_spin_unlock q_lock');
    q.locked = false;
    await step('cpu: cpu_relax');
    await lock(q, step, 'cpu: raw_spin_lock q_lock');
  }
  for (let i = 0; i < count; i++) q.status[(index + i) % QUEUE] = fixed ? QI_FREE : QI_DONE;
  if (fixed) q.status[waitIndex] = QI_FREE;
  reclaim(q, fixed);
  await step('cpu: raw_spin_unlock_irqrestore q_lock');
  q.locked = false;
  return true;
}

/** The invalidation hardware: samples IQT when out of known work, fetches each descriptor, then writes a wait's status. */
async function hardware(q: Queue, descriptors: number, step: Step): Promise<void> {
  await step('hw: start');
  let latched = 0;
  for (let fetched = 0; fetched < descriptors;) {
    if (q.head === latched) {
      latched = q.tail;
      if (q.head === latched) {
        await step('hw: cpu_relax');
        continue;
      }
    }
    await step('hw: READ_ONCE desc');
    const slot = q.head;
    q.head = (q.head + 1) % QUEUE;
    fetched++;
    if (q.isWait[slot]) {
      await step('hw: WRITE_ONCE desc_status');
      q.status[slot] = QI_DONE;
    }
  }
  q.drained = true;
}

/** One fast-check scheduled run of submitters with these counts; true if every submitter finished. */
export async function qiRace(s: fc.Scheduler, counts: readonly number[], fixed: boolean): Promise<boolean> {
  const q: Queue = {
    status: new Array(QUEUE).fill(QI_FREE), isWait: new Array(QUEUE).fill(false), freeHead: 0, freeTail: 0, freeCnt: QUEUE,
    tail: 0, head: 0, locked: false, running: counts.length, drained: false,
  };
  const step = s.scheduleFunction(async function step(_op: string) {});
  const total = counts.reduce((n, c) => n + c + 1, 0);
  const results = await s.waitFor(Promise.all([
    ...counts.map((c) => submit(q, c, fixed, step).finally(() => q.running--)),
    hardware(q, total, step).then(() => true),
  ]));
  return results.every(Boolean);
}

export interface PeerFigures {
  /** Per seed: runs until the first failure, and the time it took (ms); null if none was found. */
  perSeed: { seed: number; runs: number | null; ms: number }[];
  /** The fixed algorithm: runs that passed, and the time. */
  fixedRuns: number;
  fixedMs: number;
}

export async function benchFastCheckPeer(seeds: number, counts: readonly number[] = [1, 0], fixedRuns = 2000): Promise<PeerFigures> {
  const perSeed: PeerFigures['perSeed'] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const t0 = performance.now();
    const out = await fc.check(fc.asyncProperty(fc.scheduler(), (s) => qiRace(s, counts, false)), { seed, numRuns: 10_000, endOnFailure: true });
    perSeed.push({ seed, runs: out.failed ? out.numRuns : null, ms: performance.now() - t0 });
  }
  const t0 = performance.now();
  const fixed = await fc.check(fc.asyncProperty(fc.scheduler(), (s) => qiRace(s, counts, true)), { seed: 1, numRuns: fixedRuns });
  if (fixed.failed) throw new Error('the fast-check model of the fixed algorithm failed: the peer model is wrong');
  return { perSeed, fixedRuns: fixed.numRuns, fixedMs: performance.now() - t0 };
}
