import { expect, test } from 'vitest';

test('the toolchain runs TypeScript tests', () => {
  expect(1 + 1).toBe(2);
});
