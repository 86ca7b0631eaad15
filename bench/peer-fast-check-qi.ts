/**
 * The peer: the VT-d qi_submit_sync 0-count race written the way a TypeScript
 * developer would without kemu, against fast-check's `fc.scheduler()`. Every
 * `await pause(…)` is a point where fast-check may switch between the two
 * submitters and the invalidation hardware; code between pauses runs
 * atomically. fast-check cannot prove a lockup, so a submitter that polls
 * more than POLL_LIMIT times counts as stuck.
 *
 * The algorithm is kernel-facts §5.3/§5.5 (v6.11 before the fix, v6.12 after),
 * reduced to what the race needs: slots, status words, free_head/free_tail,
 * the tail register, and a hardware agent that completes wait descriptors.
 */
import fc from 'fast-check';

const QI_FREE = 0;
const QI_IN_USE = 1;
const QI_DONE = 2;
const QUEUE = 8;
const POLL_LIMIT = 30;

interface Queue {
  status: number[];
  isWait: boolean[];
  freeHead: number;
  freeTail: number;
  freeCnt: number;
  tail: number;
  head: number;
  locked: boolean;
}

type Pause = (label: string) => Promise<void>;

async function lock(q: Queue, pause: Pause, who: string): Promise<void> {
  while (q.locked) await pause(`${who}:spin`);
  q.locked = true;
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

/** qi_submit_sync with `count` invalidations; resolves false if it polled past the limit (stuck). */
async function submit(q: Queue, count: number, fixed: boolean, pause: Pause, who: string): Promise<boolean> {
  await lock(q, pause, who);
  while (q.freeCnt < count + 2) {
    q.locked = false;
    await pause(`${who}:room`);
    await lock(q, pause, who);
  }
  const index = q.freeHead;
  const waitIndex = (index + count) % QUEUE;
  for (let i = 0; i <= count; i++) {
    q.status[(index + i) % QUEUE] = QI_IN_USE;
    q.isWait[(index + i) % QUEUE] = i === count;
  }
  q.freeHead = (q.freeHead + count + 1) % QUEUE;
  q.freeCnt -= count + 1;
  q.tail = q.freeHead;
  let polls = 0;
  while (q.status[waitIndex] !== QI_DONE) {
    q.locked = false;
    if (++polls > POLL_LIMIT) return false;
    await pause(`${who}:poll`);
    await lock(q, pause, who);
  }
  for (let i = 0; i < count; i++) q.status[(index + i) % QUEUE] = fixed ? QI_FREE : QI_DONE;
  if (fixed) q.status[waitIndex] = QI_FREE;
  reclaim(q, fixed);
  q.locked = false;
  return true;
}

/** The invalidation hardware: fetches descriptors from head to tail, writing QI_DONE for wait descriptors. */
async function hardware(q: Queue, descriptors: number, pause: Pause): Promise<void> {
  for (let done = 0; done < descriptors;) {
    if (q.head === q.tail) {
      await pause('hw:idle');
      continue;
    }
    await pause('hw:fetch');
    if (q.isWait[q.head]) q.status[q.head] = QI_DONE;
    q.head = (q.head + 1) % QUEUE;
    done++;
  }
}

/** One fast-check scheduled run of submitters with these counts; true if every submitter finished. */
export async function qiRace(s: fc.Scheduler, counts: readonly number[], fixed: boolean): Promise<boolean> {
  const q: Queue = { status: new Array(QUEUE).fill(QI_FREE), isWait: new Array(QUEUE).fill(false), freeHead: 0, freeTail: 0, freeCnt: QUEUE, tail: 0, head: 0, locked: false };
  const pause = s.scheduleFunction(async function pause(_label: string) {});
  const total = counts.reduce((n, c) => n + c + 1, 0);
  const results = await s.waitFor(Promise.all([
    ...counts.map((c, i) => submit(q, c, fixed, pause, `cpu${i}`)),
    hardware(q, total, pause).then(() => true),
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
