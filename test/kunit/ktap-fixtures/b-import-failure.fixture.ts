/** A test file that fails while it is loaded, as one with a broken import does. */
import { test } from 'vitest';

throw new Error('cannot load the board definition: boards/no-such-board.js does not exist');

test('never collected', () => {});
