/**
 * Shrinks a failing schedule towards fewer preemptions. It tries variations of
 * the schedule's segments (dropping one, or merging two runs of the same task
 * around another), replays each loosely with the guided chooser, and keeps a
 * variation when it shows the same failure with fewer preemptions. Simpler
 * schedules make clearer timelines and stabler regression tokens.
 */
import { GuidedChooser } from './replay.js';
import { runSchedule, type RunSettings, type Scenario } from './run-schedule.js';
import { ScheduleRecorder } from './schedule.js';
import { decodeToken, encodeToken, toSegments } from './token.js';

interface Plan {
  pid: number;
  length: number;
}

function variations(plan: readonly Plan[]): Plan[][] {
  const out: Plan[][] = [];
  for (let i = 1; i < plan.length; i++) {
    out.push([...plan.slice(0, i), ...plan.slice(i + 1)]);
    if (i >= 2 && plan[i - 2]!.pid === plan[i]!.pid) {
      const merged = plan.map((p) => ({ ...p }));
      merged[i - 2]!.length += plan[i]!.length;
      merged.splice(i, 1);
      out.push(merged);
    }
  }
  return out;
}

export async function shrinkPreemptions(
  scenario: Scenario, signature: string, token: string, preemptions: number, settings: RunSettings, budget = 200,
): Promise<{ token: string; preemptions: number }> {
  let best = { plan: decodeToken(token).map(({ pid, length }) => ({ pid, length })), token, preemptions };
  let attempts = 0;
  for (let improved = true; improved && best.preemptions > 0 && attempts < budget;) {
    improved = false;
    for (const plan of variations(best.plan)) {
      if (++attempts > budget) break;
      const recorder = new ScheduleRecorder(new GuidedChooser(plan));
      const { kernel } = await runSchedule(scenario, recorder, settings);
      if (recorder.preemptions < best.preemptions && kernel.reports.some((r) => r.signature === signature)) {
        const segments = toSegments(recorder.pids, recorder.ops);
        best = { plan: segments.map(({ pid, length }) => ({ pid, length })), token: encodeToken(segments), preemptions: recorder.preemptions };
        improved = true;
        break;
      }
    }
  }
  return { token: best.token, preemptions: best.preemptions };
}
