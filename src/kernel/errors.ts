/**
 * Errors the emulator throws when it is misused (bad input, an unknown variant, a
 * task that escapes the scheduler). Modelled kernel code never throws these: it
 * returns negative errno values, as the kernel does.
 */
export type KemuErrorKind =
  | 'bad-firmware'      // a malformed DTB or ACPI table
  | 'bad-usage'         // an API called with arguments that cannot work
  | 'unknown-name'      // an unknown board, variant, scenario or strategy
  | 'replay-mismatch'   // a replay token that no longer fits the code
  | 'escaped-task'      // a task awaited a promise the emulator does not control
  | 'runaway-task';     // a task ran past the watchdog's limit without a scheduling point (watchdog.ts)

const BRAND = Symbol.for('kemu.KemuError');

export class KemuError extends Error {
  readonly [BRAND] = true;
  constructor(readonly kind: KemuErrorKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'KemuError';
  }

  static is(value: unknown): value is KemuError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
