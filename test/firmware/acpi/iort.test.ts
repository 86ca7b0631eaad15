/**
 * The IORT-style named-component map: lookups by full ACPI path, fwnode identity,
 * purity, and the checks defineIortTable makes on a board's description.
 */
import { describe, expect, test } from 'vitest';
import { KemuError } from '../../../src/kernel/errors.js';
import {
  defineIortTable,
  iort_match_node_callback,
  iort_node_map_named_component,
  iort_scan_node,
  type IortTable,
} from '../../../firmware/acpi/iort.js';

const smmu0 = { fwnode: 'smmu0' };
const smmu1 = { fwnode: 'smmu1' };

const spec: IortTable = {
  smmus: [
    { name: 'smmu0', fwnode: smmu0 },
    { name: 'smmu1', fwnode: smmu1 },
  ],
  named_components: [
    { device_name: '\\_SB_.DMA0', output: { smmu: 'smmu0', stream_ids: [0x10] } },
    { device_name: '\\_SB_.GPU0', output: { smmu: 'smmu1', stream_ids: [0x20, 0x21, 0x22] } },
    { device_name: '\\_SB_.PCI0.ETH0', output: { smmu: 'smmu0', stream_ids: [0x11] } },
  ],
};

const table = defineIortTable(spec);

describe('iort_node_map_named_component', () => {
  test('maps a named component to its SMMU and stream IDs', () => {
    expect(iort_node_map_named_component(table, '\\_SB_.DMA0')).toEqual({ smmu: 'smmu0', fwnode: smmu0, stream_ids: [0x10] });
    expect(iort_node_map_named_component(table, '\\_SB_.GPU0')).toEqual({ smmu: 'smmu1', fwnode: smmu1, stream_ids: [0x20, 0x21, 0x22] });
    expect(iort_node_map_named_component(table, '\\_SB_.PCI0.ETH0')).toEqual({ smmu: 'smmu0', fwnode: smmu0, stream_ids: [0x11] });
  });

  test('returns the SMMU fwnode itself (identity, not a copy)', () => {
    expect(iort_node_map_named_component(table, '\\_SB_.GPU0')!.fwnode).toBe(smmu1);
    expect(iort_node_map_named_component(table, '\\_SB_.DMA0')!.fwnode).not.toBe(smmu1);
  });

  test('undefined for a device the table does not list', () => {
    expect(iort_node_map_named_component(table, '\\_SB_.DMA1')).toBeUndefined();
    expect(iort_node_map_named_component(table, '')).toBeUndefined();
  });

  test('matches the full path exactly, like strcmp in iort_match_node_callback', () => {
    expect(iort_node_map_named_component(table, '\\_SB.DMA0')).toBeUndefined();
    expect(iort_node_map_named_component(table, '\\_sb_.dma0')).toBeUndefined();
    expect(iort_node_map_named_component(table, '\\_SB_.DMA0 ')).toBeUndefined();
    expect(iort_node_map_named_component(table, '\\_SB_.PCI0')).toBeUndefined();
  });

  test('is pure: results are frozen and do not alias the table', () => {
    const a = iort_node_map_named_component(table, '\\_SB_.GPU0')!;
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.stream_ids)).toBe(true);
    expect(a.stream_ids).not.toBe(table.named_components[1]!.output.stream_ids);
    expect(iort_node_map_named_component(table, '\\_SB_.GPU0')).toEqual(a);
  });

  test('works on a plain table literal too, and rejects a dangling SMMU reference there', () => {
    expect(iort_node_map_named_component(spec, '\\_SB_.DMA0')!.smmu).toBe('smmu0');
    const dangling: IortTable = {
      smmus: [],
      named_components: [{ device_name: '\\_SB_.DMA0', output: { smmu: 'smmu9', stream_ids: [1] } }],
    };
    expect(() => iort_node_map_named_component(dangling, '\\_SB_.DMA0')).toThrow(/SMMU "smmu9", which is not in the table/);
  });
});

describe('iort_scan_node and iort_match_node_callback', () => {
  test('scan returns the first accepted node of the type', () => {
    expect(iort_scan_node(table, 'smmu', (s) => s.fwnode === smmu1)?.name).toBe('smmu1');
    expect(iort_scan_node(table, 'named_component', (n) => n.output.smmu === 'smmu0')?.device_name).toBe('\\_SB_.DMA0');
    expect(iort_scan_node(table, 'named_component', () => false)).toBeUndefined();
  });

  test('match callback compares device names', () => {
    const node = table.named_components[0]!;
    expect(iort_match_node_callback(node, '\\_SB_.DMA0')).toBe(true);
    expect(iort_match_node_callback(node, '\\_SB_.GPU0')).toBe(false);
  });
});

describe('defineIortTable', () => {
  test('freezes a copy, keeps fwnodes by identity and does not freeze them', () => {
    expect(Object.isFrozen(table)).toBe(true);
    expect(Object.isFrozen(table.named_components[1]!.output.stream_ids)).toBe(true);
    expect(table.smmus[0]!.fwnode).toBe(smmu0);
    expect(Object.isFrozen(smmu0)).toBe(false);
    expect(table.named_components).not.toBe(spec.named_components);
  });

  const bad: [string, IortTable, RegExp][] = [
    ['duplicate SMMU name', { smmus: [{ name: 'a', fwnode: {} }, { name: 'a', fwnode: {} }], named_components: [] }, /SMMU name "a" is used twice/],
    ['shared fwnode', { smmus: [{ name: 'a', fwnode: smmu0 }, { name: 'b', fwnode: smmu0 }], named_components: [] }, /SMMU "b" shares its fwnode/],
    ['fwnode not an object', { smmus: [{ name: 'a', fwnode: 'x' as unknown as object }], named_components: [] }, /needs an object as its fwnode/],
    ['short name segment', {
      smmus: [{ name: 'a', fwnode: {} }],
      named_components: [{ device_name: '\\_SB.DMA0', output: { smmu: 'a', stream_ids: [1] } }],
    }, /"\\\\_SB\.DMA0" is not a full ACPI path/],
    ['relative path', {
      smmus: [{ name: 'a', fwnode: {} }],
      named_components: [{ device_name: 'DMA0', output: { smmu: 'a', stream_ids: [1] } }],
    }, /is not a full ACPI path/],
    ['duplicate component', {
      smmus: [{ name: 'a', fwnode: {} }],
      named_components: [
        { device_name: '\\_SB_.DMA0', output: { smmu: 'a', stream_ids: [1] } },
        { device_name: '\\_SB_.DMA0', output: { smmu: 'a', stream_ids: [2] } },
      ],
    }, /"\\_SB_\.DMA0" is listed twice/],
    ['unknown SMMU', {
      smmus: [{ name: 'a', fwnode: {} }],
      named_components: [{ device_name: '\\_SB_.DMA0', output: { smmu: 'b', stream_ids: [1] } }],
    }, /maps to SMMU "b", which is not in the table/],
    ['no stream IDs', {
      smmus: [{ name: 'a', fwnode: {} }],
      named_components: [{ device_name: '\\_SB_.DMA0', output: { smmu: 'a', stream_ids: [] } }],
    }, /needs at least one stream ID/],
    ['stream ID above u32', {
      smmus: [{ name: 'a', fwnode: {} }],
      named_components: [{ device_name: '\\_SB_.DMA0', output: { smmu: 'a', stream_ids: [2 ** 32] } }],
    }, /stream ID 4294967296, not a u32/],
  ];
  for (const [name, t, message] of bad) {
    test(`rejects ${name}`, () => {
      let error: unknown;
      try {
        defineIortTable(t);
      } catch (e) {
        error = e;
      }
      expect(KemuError.is(error)).toBe(true);
      expect((error as KemuError).kind).toBe('bad-firmware');
      expect((error as KemuError).message).toMatch(/^IORT: /);
      expect((error as KemuError).message).toMatch(message);
    });
  }
});
