/** The error every malformed DTB produces. */
import { KemuError } from '../../src/kernel/errors.js';

/**
 * A malformed flattened device tree. `offset` is the byte offset in the blob of the
 * field or first byte that is wrong (for a truncated blob, the offset where the data
 * ran out); `node` is the full path of the node being parsed, when there is one;
 * `source` names the file the blob came from, when known.
 */
export class FdtError extends KemuError {
  constructor(
    /** What is wrong, without the location. */
    readonly problem: string,
    readonly offset: number,
    readonly node?: string,
    readonly source?: string,
    options?: ErrorOptions,
  ) {
    super('bad-firmware',
      `DTB${source === undefined ? '' : ` ${source}`}: ${problem} at offset 0x${offset.toString(16)}` +
      (node === undefined ? '' : ` in node ${node}`),
      options);
    this.name = 'FdtError';
  }

  /** The same error, naming the file the blob was read from. */
  withSource(source: string): FdtError {
    return new FdtError(this.problem, this.offset, this.node, source, { cause: this.cause });
  }
}
