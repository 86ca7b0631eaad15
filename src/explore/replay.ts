/**
 * Replaying a schedule.
 *
 * `ReplayChooser` follows a token exactly and checks, at every segment, that the
 * task it names can run and is at the operation the token recorded; if the
 * code changed so that it is not, the replay stops with an error that says at
 * which step and what differs, instead of drifting into another schedule.
 *
 * `GuidedChooser` follows a list of segments loosely (a segment whose task
 * cannot run is skipped; when the list runs out the current task goes on):
 * the counterexample shrinker uses it to try variations of a schedule.
 */
import { KemuError } from '../kernel/errors.js';
import type { Chooser, Kernel, RunOutcome } from '../kernel/kernel.js';
import { OP_NAMES } from '../kernel/sched/op.js';
import { describeOp } from '../kernel/sched/describe.js';
import type { Task } from '../kernel/sched/task.js';
import type { Strategy } from './strategy.js';
import { decodeToken, segmentHash, type Segment } from './token.js';

export class ReplayChooser implements Strategy, Chooser {
  readonly name = 'replay';
  readonly exhaustive = false;
  private segment = 0;
  private inSegment = 0;
  private step = 0;
  private readonly ops: number[] = [];
  private segmentStartStep = 1;
  private ran = false;

  constructor(private readonly segments: Segment[]) {}

  static fromToken(token: string): ReplayChooser {
    return new ReplayChooser(decodeToken(token));
  }

  get chooser(): Chooser {
    return this;
  }

  beginRun(): boolean {
    if (this.ran) return false;
    this.ran = true;
    return true;
  }

  runCounts(): boolean {
    return true;
  }

  runOrder(): number[] {
    return [0];
  }

  choose(enabled: readonly Task[], kernel: Kernel): Task {
    this.step++;
    if (this.segment < this.segments.length && this.inSegment === this.segments[this.segment]!.length) this.closeSegment();
    const seg = this.segments[this.segment];
    if (!seg) {
      return this.mismatch(`the token ends after step ${this.step - 1}, but the run goes on (runnable: ${enabled.map((t) => t.label).join(', ')})`);
    }
    const task = enabled.find((t) => t.pid === seg.pid);
    if (!task) {
      const named = kernel.tasks[seg.pid - 1];
      const why = !named ? `there is no task with pid ${seg.pid}` :
        named.state === 'done' ? `${named.label} has exited` : named.state === 'dead' ? `${named.label} was killed by an oops` :
        `${named.label} is blocked at ${describeOp(named.pending)}`;
      return this.mismatch(`at step ${this.step} the token runs pid ${seg.pid}, but ${why}`);
    }
    if (this.inSegment === 0 && task.pending.kind !== seg.firstOp) {
      return this.mismatch(`at step ${this.step} the token expects ${task.label} at ${OP_NAMES[seg.firstOp]}, but it is at ${describeOp(task.pending)}`);
    }
    this.ops.push(task.pending.kind);
    this.inSegment++;
    return task;
  }

  endRun(outcome: RunOutcome, kernel: Kernel): void {
    if (this.segment < this.segments.length && this.inSegment === this.segments[this.segment]!.length) this.closeSegment();
    const remaining = this.segments.slice(this.segment).reduce((n, s) => n + s.length, 0) - this.inSegment;
    if (remaining > 0) {
      this.mismatch(`the run ended (${outcome.kind}) after step ${kernel.stepCount}, but the token has ${remaining} more steps`);
    }
  }

  private closeSegment(): void {
    const seg = this.segments[this.segment]!;
    if (segmentHash(this.ops, this.ops.length - seg.length, this.ops.length) !== seg.opHash) {
      this.mismatch(`steps ${this.segmentStartStep}–${this.segmentStartStep + seg.length - 1} of pid ${seg.pid} ran other operations than the token recorded`);
    }
    this.segmentStartStep += seg.length;
    this.segment++;
    this.inSegment = 0;
  }

  private mismatch(why: string): never {
    throw new KemuError('replay-mismatch', `replay token does not fit this code: ${why}`);
  }
}

export class GuidedChooser implements Chooser {
  private segment = 0;
  private inSegment = 0;

  constructor(private readonly segments: readonly { pid: number; length: number }[]) {}

  choose(enabled: readonly Task[], kernel: Kernel): Task {
    while (this.segment < this.segments.length) {
      const seg = this.segments[this.segment]!;
      const task = this.inSegment < seg.length ? enabled.find((t) => t.pid === seg.pid) : undefined;
      if (task) {
        this.inSegment++;
        return task;
      }
      this.segment++;
      this.inSegment = 0;
    }
    const running = kernel.running;
    return running && enabled.includes(running) ? running : enabled[0]!;
  }
}
