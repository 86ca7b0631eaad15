/**
 * Scenario parameters: each kind parses what a person types, checks what a
 * file or a program hands it, and refuses anything else with a message that
 * names the flag and says what it takes.
 */
import { describe, expect, test } from 'vitest';
import { count, counts, flagName, parameterFlags, parameterValues, toggle } from '../../src/machine/parameters.js';

const queue = count({ help: 'slots', default: 8, min: 4, max: 256 });
const cpus = counts({ help: 'per CPU', default: [1, 0], maxLength: 4 });
const legacy = toggle({ help: 'legacy' });

describe('parameter kinds', () => {
  test('a count parses whole numbers in its range and refuses the rest', () => {
    expect(queue.parse('16', '--queue-length')).toBe(16);
    for (const bad of ['3', '257', '4.5', '-4', 'eight', '']) {
      expect(() => queue.parse(bad, '--queue-length')).toThrow(new RegExp(`^--queue-length ${bad}: expected a whole number from 4 to 256$`));
    }
    expect(queue.check(6, '--queue-length')).toBe(6);
    expect(() => queue.check('6', '--queue-length')).toThrow(/expected a whole number/);
  });

  test('a list of counts parses comma-separated whole numbers, within its length and range', () => {
    expect(cpus.parse('1,1,0', '--counts')).toEqual([1, 1, 0]);
    expect(cpus.parse('0', '--counts')).toEqual([0]);
    for (const bad of ['1,x', '1,,0', '1,0,1,0,1', '', '1.5,0', '-1,0']) {
      expect(() => cpus.parse(bad, '--counts')).toThrow(/^--counts .*: expected 1 to 4 whole numbers of at least 0, separated by commas \(e\.g\. 1,0\)$/);
    }
    expect(() => cpus.check([1, 'x'], '--counts')).toThrow(/^--counts 1,x: expected/);
  });

  test('a switch is off unless given', () => {
    expect(legacy.default).toBe(false);
    expect(legacy.operand).toBeNull();
    expect(legacy.check(true, '--legacy')).toBe(true);
    expect(() => legacy.check('yes', '--legacy')).toThrow(/^--legacy yes: expected true or false$/);
  });

  test('a default outside its own limits is refused where it is declared', () => {
    expect(() => count({ help: 'x', default: 2, min: 4 })).toThrow(/^default 2: expected a whole number of at least 4$/);
  });
});

describe('values of a scenario', () => {
  const declared = { counts: cpus, queueLength: queue, legacyQueue: legacy };

  test('the builder gets every value, defaults filled in', () => {
    expect(parameterValues('qi', declared, { queueLength: 4 })).toEqual({ counts: [1, 0], queueLength: 4, legacyQueue: false });
  });

  test('an undeclared name says which parameters there are', () => {
    expect(() => parameterValues('qi', declared, { cpus: 3 })).toThrow(/^qi has no parameter --cpus; its parameters: --counts, --queue-length, --legacy-queue$/);
    expect(() => parameterValues('omap4', {}, { counts: [1] })).toThrow(/^omap4 has no parameter --counts; it takes none$/);
  });

  test('a value given as data is checked as a typed one is', () => {
    expect(() => parameterValues('qi', declared, { queueLength: 5000 })).toThrow(/^--queue-length 5000: expected a whole number from 4 to 256$/);
  });

  test('given values go back to the command line in the order given, switches only when on', () => {
    expect(flagName('queueLength')).toBe('--queue-length');
    expect(parameterFlags({ counts: [1, 1, 0], legacyQueue: true, queueLength: 4 })).toEqual(['--counts 1,1,0', '--legacy-queue', '--queue-length 4']);
    expect(parameterFlags({ legacyQueue: false })).toEqual([]);
  });
});
