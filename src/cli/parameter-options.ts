/**
 * A scenario's parameters as options of the command that names it (`kemu run
 * qi-zero-count --counts 1,1,0`). Before a command parses its arguments, kemu
 * finds the scenario they name, loads it and adds one option per declared
 * parameter, with its help and default, so that `--help` lists them, a bad
 * value is a one-line error, and the values given go into the request.
 */
import { Option, type Command } from 'commander';
import { KemuError } from '../kernel/errors.js';
import type { Catalog } from '../machine/catalog.js';
import { flagName, type GivenParameters, type ParameterValue, type Parameters } from '../machine/parameters.js';

/** Whether `arg` is an option of `command` that takes the next argument as its value (`--kernel v6.12`). */
function takesValue(command: Command, arg: string): boolean {
  const option = command.options.find((o) => o.long === arg || o.short === arg);
  return option !== undefined && (option.required || option.optional);
}

/**
 * The catalog target `args` name (`command`'s arguments, before parsing): the
 * first that is a board or scenario of the catalog and not the value of one
 * of the command's options. Parameter values are numbers and lists, never
 * names, so an option not added yet cannot be mistaken for it.
 */
export function namedTarget(catalog: Catalog, command: Command, args: readonly string[]): string | undefined {
  const names = new Set([...catalog.scenarios, ...catalog.boards].map((e) => e.name));
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return args.slice(i + 1).find((a) => names.has(a));
    if (takesValue(command, arg)) i++;
    else if (names.has(arg)) return arg;
  }
  return undefined;
}

/** `(default: 1,0)`, or nothing for a switch. */
function defaultText(value: ParameterValue): string {
  if (typeof value === 'boolean') return '';
  return ` (default: ${Array.isArray(value) ? value.join(',') : String(value)})`;
}

/** Adds an option to `command` for each of `scenario`'s parameters; a clash with one of kemu's own options is an error. */
export function addParameterOptions(command: Command, scenario: string, parameters: Parameters): void {
  for (const [name, p] of Object.entries(parameters)) {
    const flag = flagName(name);
    if (command.options.some((o) => o.long === flag)) {
      throw new KemuError('bad-usage', `scenario ${scenario} declares the parameter ${flag}, which is an option of \`kemu ${command.name()}\` already: rename it`);
    }
    const option = new Option(p.operand ? `${flag} ${p.operand}` : flag, `${scenario}: ${p.help}${defaultText(p.default)}`);
    command.addOption(p.operand ? option.argParser((text: string) => p.parse(text, flag)) : option);
  }
}

/** The parameters of `parameters` given among a command's parsed options, in declaration order. */
export function givenParameters(parameters: Parameters | undefined, flags: object): GivenParameters | undefined {
  const options = flags as Readonly<Record<string, unknown>>;
  const given = Object.keys(parameters ?? {}).filter((name) => options[name] !== undefined);
  return given.length === 0 ? undefined : Object.fromEntries(given.map((name) => [name, options[name] as ParameterValue]));
}
