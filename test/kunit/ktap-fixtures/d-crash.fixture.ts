/** With KTAP_FIXTURE_CRASH set, kills the vitest process running it: what was printed before must survive. */
import { test } from 'vitest';

test('crashes the runner when asked to', () => {
  if (process.env.KTAP_FIXTURE_CRASH) process.kill(process.ppid, 'SIGKILL');
});
