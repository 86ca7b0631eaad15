/**
 * The test-writer API: KUnit's habits on vitest. Import this in a test file to
 * get `kunitTest`, the KunitTest context, and the matchers on exploration
 * results (`expect(result).toFindHang(...)`).
 */
import './matchers.js';

export { kunitTest } from './kunit-case.js';
export { KunitTest } from './kunit-test.js';
export { describeFailure, failureMatches, type FailurePattern } from './matchers.js';
