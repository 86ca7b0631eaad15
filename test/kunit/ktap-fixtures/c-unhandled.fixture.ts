/** A test that passes but leaves an unhandled rejection behind. */
import { test } from 'vitest';

test('passes but leaves a rejection behind', () => {
  void Promise.reject(new Error('unhandled boom from a forgotten promise'));
});
