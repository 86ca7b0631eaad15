/**
 * The classic cases as named scenarios for the kemu command (`kemu run abba`):
 * small programs that show what the engine finds, independent of any kernel
 * variant.
 */
import type { DemoStory, ScenarioEntry } from '../machine/catalog.js';
import type { Scenario } from '../explore/run-schedule.js';
import { abba, abbaSequenced, counter, independentWriters, peterson, spinWait } from './classic-scenarios.js';
import { deviceAbbaSequenced, deviceNesting } from './device-lock-scenarios.js';

function example(name: string, summary: string, scenario: Scenario): ScenarioEntry {
  return { name, summary, variants: [], defaultVariant: '', build: () => scenario, strategy: 'dpor' };
}

export const EXAMPLE_SCENARIOS: readonly ScenarioEntry[] = [
  example('abba', 'two tasks take two mutexes in opposite orders: a hang, and lockdep\'s circular-dependency splat', abba),
  example('abba-sequenced', 'the same lock orders, one task after the other: no hang, but lockdep still flags the inversion', abbaSequenced),
  example('lost-update', 'two unlocked read-modify-writes of one counter', counter(false)),
  example('locked-update', 'the same counter under a mutex: correct on every schedule', counter(true)),
  example('peterson', "Peterson's mutual exclusion: correct on every schedule", peterson(false)),
  example('peterson-broken', 'Peterson without the turn variable: two tasks in the critical section', peterson(true)),
  example('spin-forever', 'a task polls a flag nobody sets: a proven soft lockup', spinWait(false)),
  example('device-abba-sequenced', 'two device locks in opposite orders, one task after the other: only a lockdep that validates device mutexes (--validate-device-mutex) sees it', deviceAbbaSequenced),
  example('device-nesting', 'a bus device\'s lock, then its child\'s, in two tasks: correct, and a validating lockdep agrees', deviceNesting),
  example('three-writers', 'three tasks each writing their own cell: DPOR needs 1 schedule, unreduced search 34,650', independentWriters(3, 3)),
];

/** A demo story on the classic cases, for catalogs without kernel bugs of their own. */
export const EXAMPLE_DEMO: readonly DemoStory[] = [
  {
    title: 'A lost update, and the mutex that prevents it',
    intro: 'Two tasks increment a shared counter with READ_ONCE then WRITE_ONCE. kemu explores the interleavings\nof their visible operations until one loses an update, then checks the locked version on every schedule.',
    buggy: { name: 'lost-update' },
    fixed: { name: 'locked-update' },
  },
];
