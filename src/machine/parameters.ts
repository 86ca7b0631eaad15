/**
 * Scenario parameters: what a catalog scenario lets its user choose
 * (`kemu run qi-zero-count --counts 1,1,0 --queue-length 4`). A scenario
 * declares each one with its type, default, limits and help; the command
 * turns the declarations into options, and every value, typed on the command
 * line or read back from a shard file or a worker's request, is checked by
 * the same declaration. A request keeps only the values the user gave, keyed
 * as declared (`queueLength` is `--queue-length`), so the commands kemu
 * prints repeat exactly those.
 */
import { KemuError } from '../kernel/errors.js';

/** What a parameter's value is: a whole number, a list of them, or a switch. */
export type ParameterValue = number | readonly number[] | boolean;

/** A declared parameter. */
export interface Parameter<V extends ParameterValue = ParameterValue> {
  /** What to type after the flag (`<n>`, `<list>`), or none for a switch. */
  readonly operand: string | null;
  /** One line of help, without the default. */
  readonly help: string;
  readonly default: V;
  /** The value of the text typed after the flag. */
  parse(text: string, flag: string): V;
  /** The value itself, checked: from a shard file or a request made in code. */
  check(value: unknown, flag: string): V;
}

/** A scenario's parameters by name (camelCase, as its builder reads them). */
export type Parameters = Readonly<Record<string, Parameter>>;

/** The values a scenario's builder receives: every parameter's, the defaults filled in. */
export type ParameterValues<P extends Parameters = Parameters> = { readonly [K in keyof P]: P[K]['default'] };

/** The values a request carries: only those the user gave. */
export type GivenParameters = Readonly<Record<string, ParameterValue>>;

/** `--queue-length` for `queueLength`. */
export function flagName(name: string): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function invalid(flag: string, value: unknown, expected: string): KemuError {
  const shown = Array.isArray(value) ? value.join(',') : typeof value === 'string' ? value : JSON.stringify(value);
  return new KemuError('bad-usage', `${flag} ${shown}: expected ${expected}`);
}

interface Range {
  readonly min?: number;
  readonly max?: number;
}

function rangeText({ min = 0, max }: Range): string {
  return max === undefined ? `of at least ${min}` : `from ${min} to ${max}`;
}

function inRange(n: unknown, { min = 0, max = Infinity }: Range): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;
}

const WHOLE = /^\d+$/;

/** A whole number in a range (default: at least 0). */
export function count(spec: { help: string; default: number } & Range): Parameter<number> {
  const expected = `a whole number ${rangeText(spec)}`;
  const check = (value: unknown, flag: string): number => {
    if (!inRange(value, spec)) throw invalid(flag, value, expected);
    return value;
  };
  return {
    operand: '<n>', help: spec.help, default: check(spec.default, 'default'),
    parse: (text, flag) => check(WHOLE.test(text) ? Number(text) : text, flag),
    check,
  };
}

/** A comma-separated list of whole numbers (`1,1,0`), each in a range, with at least `minLength` and at most `maxLength` of them. */
export function counts(spec: { help: string; default: readonly number[]; minLength?: number; maxLength?: number } & Range): Parameter<readonly number[]> {
  const { minLength = 1, maxLength = Infinity } = spec;
  const length = maxLength === Infinity ? `at least ${minLength}` : `${minLength} to ${maxLength}`;
  const expected = `${length} whole numbers ${rangeText(spec)}, separated by commas (e.g. ${spec.default.join(',')})`;
  const check = (value: unknown, flag: string): readonly number[] => {
    if (!Array.isArray(value) || value.length < minLength || value.length > maxLength || !value.every((n) => inRange(n, spec))) {
      throw invalid(flag, value, expected);
    }
    return Object.freeze([...value]);
  };
  return {
    operand: '<list>', help: spec.help, default: check(spec.default, 'default'),
    parse: (text, flag) => {
      const items = text.split(',');
      return check(items.every((t) => WHOLE.test(t)) ? items.map(Number) : text, flag);
    },
    check,
  };
}

/** A switch: off unless given. */
export function toggle(spec: { help: string }): Parameter<boolean> {
  const check = (value: unknown, name: string): boolean => {
    if (typeof value !== 'boolean') throw invalid(name, value, 'true or false');
    return value;
  };
  return {
    operand: null, help: spec.help, default: false,
    parse: (_text, name) => check(true, name),
    check,
  };
}

/** The values `entry`'s builder gets for `given`: each checked by its declaration, the rest defaulted; an undeclared name is an error. */
export function parameterValues<P extends Parameters>(entry: string, parameters: P, given: GivenParameters = {}): ParameterValues<P> {
  const unknown = Object.keys(given).filter((name) => !Object.hasOwn(parameters, name));
  if (unknown.length > 0) {
    const declared = Object.keys(parameters).map(flagName);
    throw new KemuError('bad-usage', `${entry} has no parameter ${unknown.map(flagName).join(', ')}; ` +
      (declared.length > 0 ? `its parameters: ${declared.join(', ')}` : 'it takes none'));
  }
  return Object.fromEntries(Object.entries(parameters).map(([name, p]) => [name,
    Object.hasOwn(given, name) ? p.check(given[name], flagName(name)) : p.default])) as ParameterValues<P>;
}

/** The command-line words that give `given` again (`--counts 1,1,0`, `--legacy-queue`), in the order given. */
export function parameterFlags(given: GivenParameters): string[] {
  return Object.entries(given).flatMap(([name, value]) => {
    if (typeof value === 'boolean') return value ? [flagName(name)] : [];
    return [`${flagName(name)} ${Array.isArray(value) ? value.join(',') : String(value)}`];
  });
}
