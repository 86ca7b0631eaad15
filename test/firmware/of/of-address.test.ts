/**
 * Address translation through `ranges` and the device names it gives: a
 * `reg` address is carried up through every ancestor's ranges to a CPU
 * address (of_translate_address); names and resources use it, and a node whose
 * address cannot be translated is named by its path instead.
 */
import { describe, expect, test } from 'vitest';
import { buildDeviceTree } from '../../../firmware/of/dt-builder.js';
import { of_address_to_resource, of_first_range_cpu_addr, of_translate_address } from '../../../firmware/of/of-address.js';
import { of_device_make_bus_id } from '../../../firmware/of/platform.js';
import { loadCommittedDtb } from '../../../firmware/firmware-files.js';
import type { DeviceNode, DeviceTree } from '../../../firmware/of/device-node.js';

const at = (t: DeviceTree, path: string): DeviceNode => t.find_node_by_path(path)!;

describe('the omap4.dtb nodes through four levels of ranges', () => {
  const t = loadCommittedDtb('omap4.dtb');
  const mmu = '/ocp/interconnect@4a000000/segment@0/target-module@66000/mmu@0';

  test('device names are the kernel\'s', () => {
    expect(of_device_make_bus_id(at(t, mmu))).toBe('4a066000.mmu');
    expect(of_device_make_bus_id(at(t, '/ocp/interconnect@4a000000/segment@0'))).toBe('4a000000.interconnect:segment@0');
    expect(of_device_make_bus_id(at(t, '/ocp/target-module@55082000/mmu@0'))).toBe('55082000.mmu');
    expect(of_device_make_bus_id(at(t, '/ocp/dsp'))).toBe('ocp:dsp');
    expect(of_device_make_bus_id(at(t, '/ocp'))).toBe('ocp');
  });

  test('resources and ti-sysc\'s module base are CPU addresses', () => {
    const prm = '/ocp/interconnect@4a300000/segment@0/target-module@6000/prm@0';
    expect(of_address_to_resource(at(t, `${prm}/prm@1400`), 0)).toEqual({ start: 0x4a307400n, end: 0x4a3074ffn });
    expect(of_first_range_cpu_addr(at(t, '/ocp/interconnect@4a000000/segment@0/target-module@66000'))).toBe(0x4a066000n);
    expect(of_translate_address(at(t, mmu), 0x80n)).toBe(0x4a066080n);
  });
});

describe('what cannot be translated', () => {
  const t = buildDeviceTree({
    props: { '#address-cells': 1, '#size-cells': 1 },
    children: {
      bus: {
        props: { compatible: 'simple-bus', '#address-cells': 1, '#size-cells': 1, ranges: [0x0, 0x10000000, 0x1000] },
        children: {
          'inside@100': { props: { reg: [0x100, 0x10] } },
          'outside@2000': { props: { reg: [0x2000, 0x10] } },
        },
      },
      'noranges@20000000': {
        props: { reg: [0x20000000, 0x1000], '#address-cells': 1, '#size-cells': 1 },
        children: { 'child@0': { props: { reg: [0x0, 0x10] } } },
      },
    },
  });

  test('an address inside a range translates; one outside every range does not', () => {
    expect(of_translate_address(at(t, '/bus/inside@100'), 0x100n)).toBe(0x10000100n);
    expect(of_translate_address(at(t, '/bus/outside@2000'), 0x2000n)).toBeNull();
  });

  test('a node without a translatable address is named after the first ancestor with one', () => {
    expect(of_device_make_bus_id(at(t, '/bus/outside@2000'))).toBe('bus:outside@2000');
    // no `ranges` on the parent: the child's address means nothing to the CPU
    expect(of_device_make_bus_id(at(t, '/noranges@20000000/child@0'))).toBe('20000000.noranges:child@0');
  });
});
