import { describe, expect, test } from 'vitest';
import { EILSEQ, EINVAL, ENODATA, ENOENT, EOVERFLOW } from '../../../src/kernel/errno.js';
import { KemuError } from '../../../src/kernel/errors.js';
import { DeviceNode, DeviceTree } from '../../../firmware/of/device-node.js';
import { buildDeviceTree, type DtNodeSpec } from '../../../firmware/of/dt-builder.js';
import {
  MAX_PHANDLE_ARGS,
  of_count_phandle_with_args,
  of_device_is_available,
  of_device_is_compatible,
  of_find_property,
  of_get_child_by_name,
  of_node_name_eq,
  of_parse_phandle,
  of_parse_phandle_with_args,
  of_parse_phandle_with_fixed_args,
  of_property_count_strings,
  of_property_count_u32_elems,
  of_property_match_string,
  of_property_present,
  of_property_read_string,
  of_property_read_string_array,
  of_property_read_u32,
  of_property_read_u32_array,
} from '../../../firmware/of/of-base.js';

/** A small board exercising 0-, 1- and 2-cell specifiers, empty entries and a dangling phandle. */
const board: DtNodeSpec = {
  props: { compatible: ['ti,omap4430', 'ti,omap4'], '#address-cells': 1, '#size-cells': 1 },
  children: {
    ocp: {
      props: { compatible: 'simple-bus', ranges: true },
      children: {
        'mmu@4a066000': {
          label: 'mmu_dsp',
          props: { compatible: 'ti,omap4-iommu', reg: [0x4a066000, 0x100], '#iommu-cells': 0 },
        },
        'smmu@d0000000': { label: 'smmu', props: { compatible: 'arm,mmu-500', '#iommu-cells': 1 } },
        'iommu@e0000000': { label: 'wide', props: { compatible: 'vendor,wide', '#iommu-cells': 2 } },
        'nocells@f0000000': { label: 'nocells', props: { compatible: 'vendor,nocells' } },
        'fixed@f1000000': { label: 'fixed', props: { phandle: 0x40 } },
        dsp: { props: { compatible: 'ti,omap4-dsp', iommus: { ref: 'mmu_dsp' } } },
        'multi@1000': {
          props: {
            compatible: ['vendor,multi-v2', 'vendor,multi'],
            // <&mmu_dsp>, <&smmu 0x11>, <0>, <&wide 0x21 0x22>
            iommus: [{ ref: 'mmu_dsp' }, { ref: 'smmu' }, 0x11, 0, { ref: 'wide' }, 0x21, 0x22],
            'clock-names': ['fck', 'ick'],
            'fixed-ref': [{ ref: 'fixed' }, 7],
          },
        },
        'dangling@2000': { props: { iommus: [{ ref: 'mmu_dsp' }, 0x99] } },
        'nocellsclient@3000': { props: { iommus: [{ ref: 'nocells' }] } },
        'short@4000': { props: { iommus: [{ ref: 'wide' }, 1] } },
        'off@5000': { props: { compatible: 'vendor,off', status: 'disabled' } },
        'ok@6000': { props: { status: 'ok' } },
        'okay@7000': { props: { status: 'okay' } },
        'weird@8000': {
          props: {
            empty: true,
            short: new Uint8Array([1, 2]),
            odd: new Uint8Array([0, 0, 0, 1, 2]),
            big: 0xffffffff,
            neg: -1,
            unterminated: new Uint8Array([0x61, 0x62]),
            badsecond: new Uint8Array([0x61, 0, 0x62]),
            cells: [1, 2, 3],
          },
        },
      },
    },
  },
};

function tree(): DeviceTree {
  return buildDeviceTree(board);
}

function node(t: DeviceTree, path: string): DeviceNode {
  const np = t.find_node_by_path(path);
  if (np === undefined) throw new Error(`no node ${path}`);
  return np;
}

function bytes(...b: number[]): Uint8Array {
  return new Uint8Array(b);
}

describe('DeviceNode and DeviceTree', () => {
  test('names, paths, parents and pre-order', () => {
    const t = tree();
    expect(t.root.name).toBe('');
    expect(t.root.full_name).toBe('/');
    expect(t.root.parent).toBeNull();
    const mmu = node(t, '/ocp/mmu@4a066000');
    expect(mmu.name).toBe('mmu@4a066000');
    expect(mmu.full_name).toBe('/ocp/mmu@4a066000');
    expect(mmu.parent).toBe(node(t, '/ocp'));
    expect(mmu.fwnode).toBe(mmu);
    expect(String(mmu)).toBe('/ocp/mmu@4a066000');
    expect(t.allNodes().map((n) => n.full_name).slice(0, 4)).toEqual(
      ['/', '/ocp', '/ocp/mmu@4a066000', '/ocp/smmu@d0000000']);
    expect(t.allNodes()).toHaveLength(2 + Object.keys(board.children!.ocp!.children!).length);
    expect(node(t, '/ocp').children.map((c) => c.name)).toEqual(Object.keys(board.children!.ocp!.children!));
  });

  test('find_node_by_path: exact names with unit address, root, misses', () => {
    const t = tree();
    expect(t.find_node_by_path('/')).toBe(t.root);
    expect(t.find_node_by_path('/ocp/')).toBe(node(t, '/ocp'));
    expect(t.find_node_by_path('/ocp/mmu')).toBeUndefined();
    expect(t.find_node_by_path('ocp')).toBeUndefined();
    expect(t.find_node_by_path('/nope/dsp')).toBeUndefined();
  });

  test('find_node_by_phandle and DeviceTree.of', () => {
    const t = tree();
    const mmu = node(t, '/ocp/mmu@4a066000');
    expect(mmu.phandle).toBe(1);
    expect(t.find_node_by_phandle(1)).toBe(mmu);
    expect(t.find_node_by_phandle(0)).toBeUndefined();
    expect(t.find_node_by_phandle(0x99)).toBeUndefined();
    expect(DeviceTree.of(mmu)).toBe(t);
    expect(DeviceTree.of(new DeviceNode('', null))).toBeUndefined();
  });

  test('the DeviceTree constructor rejects duplicate phandles and reused roots', () => {
    const root = new DeviceNode('', null);
    root.addChild('a').phandle = 3;
    root.addChild('b').phandle = 3;
    expect(() => new DeviceTree(root)).toThrow(/duplicate phandle 0x3 on \/a and \/b/);
    const ok = new DeviceNode('', null);
    new DeviceTree(ok);
    expect(() => new DeviceTree(ok)).toThrow(KemuError);
    expect(() => new DeviceNode('a/b', ok)).toThrow(/invalid node name/);
  });
});

describe('buildDeviceTree', () => {
  test('phandles: referenced labels get 1, 2, ... in pre-order, skipping explicit ones', () => {
    const t = buildDeviceTree({
      children: {
        a: { label: 'A', props: { x: 1 } },
        b: { label: 'B', props: { phandle: 2 } },
        c: { label: 'C' },
        d: { label: 'D' },
        unref: { label: 'U' },
        user: { props: { refs: [{ ref: 'D' }, { ref: 'A' }, { ref: 'C' }, { ref: 'B' }] } },
      },
    });
    expect(['/a', '/b', '/c', '/d', '/unref'].map((p) => node(t, p).phandle)).toEqual([1, 2, 3, 4, 0]);
    expect(of_find_property(node(t, '/user'), 'refs')).toEqual(
      bytes(0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 2));
    // the generated phandle property comes last, as dtc writes it
    expect([...node(t, '/a').properties.keys()]).toEqual(['x', 'phandle']);
    expect(of_find_property(node(t, '/a'), 'phandle')).toEqual(bytes(0, 0, 0, 1));
    expect(of_property_present(node(t, '/unref'), 'phandle')).toBe(false);
  });

  test('value encodings', () => {
    const t = tree();
    const w = node(t, '/ocp/weird@8000');
    expect(of_find_property(w, 'empty')).toEqual(bytes());
    expect(of_find_property(w, 'big')).toEqual(bytes(0xff, 0xff, 0xff, 0xff));
    expect(of_find_property(w, 'neg')).toEqual(bytes(0xff, 0xff, 0xff, 0xff));
    expect(of_find_property(w, 'cells')).toEqual(bytes(0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3));
    expect(of_find_property(t.root, 'compatible')).toEqual(new TextEncoder().encode('ti,omap4430\0ti,omap4\0'));
    expect(of_find_property(node(t, '/ocp/dsp'), 'compatible')).toEqual(new TextEncoder().encode('ti,omap4-dsp\0'));
    expect(of_find_property(w, 'missing')).toBeUndefined();
  });

  test('unknown labels and bad values throw bad-usage naming the property and node', () => {
    const unknown = () => buildDeviceTree({ children: { ocp: { children: { dsp: { props: { iommus: { ref: 'mmu_x' } } } } } } });
    expect(unknown).toThrow(KemuError);
    expect(unknown).toThrow('property "iommus" of /ocp/dsp refers to unknown label "mmu_x"');
    try {
      unknown();
    } catch (e) {
      expect((e as KemuError).kind).toBe('bad-usage');
    }
    expect(() => buildDeviceTree({ children: { a: { label: 'L' }, b: { label: 'L' } } })).toThrow(/label "L"/);
    expect(() => buildDeviceTree({ props: { x: 1.5 } })).toThrow(/not a 32-bit integer/);
    expect(() => buildDeviceTree({ props: { x: 0x100000000 } })).toThrow(/not a 32-bit integer/);
    expect(() => buildDeviceTree({ props: { x: ['a', 1] as unknown as string[] } })).toThrow(/mixes strings and cells/);
    expect(() => buildDeviceTree({ props: { x: 'a\0b' } })).toThrow(/contains a NUL/);
    expect(() => buildDeviceTree({ children: { a: { props: { phandle: 0 } } } })).toThrow(/phandle/);
    expect(() => buildDeviceTree({ children: { a: { props: { phandle: 5 } }, b: { props: { phandle: 5 } } } }))
      .toThrow(/already used by \/a/);
    expect(() => buildDeviceTree({ children: { 'a/b': {} } })).toThrow(/invalid node name/);
  });
});

describe('property readers', () => {
  test('of_property_read_u32 with kernel error codes', () => {
    const t = tree();
    const w = node(t, '/ocp/weird@8000');
    expect(of_property_read_u32(node(t, '/ocp/mmu@4a066000'), 'reg')).toEqual({ err: 0, value: 0x4a066000 });
    expect(of_property_read_u32(w, 'big')).toEqual({ err: 0, value: 0xffffffff });
    expect(of_property_read_u32(w, 'missing')).toEqual({ err: -EINVAL });
    expect(of_property_read_u32(w, 'empty')).toEqual({ err: -ENODATA });
    expect(of_property_read_u32(w, 'short')).toEqual({ err: -EOVERFLOW });
    const r = of_property_read_u32(w, 'cells');
    if (r.err !== 0) throw new Error('expected success');
    expect(r.value).toBe(1); // narrowed: value is a number
  });

  test('of_property_read_u32_array and of_property_count_u32_elems', () => {
    const t = tree();
    const w = node(t, '/ocp/weird@8000');
    expect(of_property_read_u32_array(w, 'cells', 3)).toEqual({ err: 0, value: [1, 2, 3] });
    expect(of_property_read_u32_array(w, 'cells', 2)).toEqual({ err: 0, value: [1, 2] });
    expect(of_property_read_u32_array(w, 'cells', 4)).toEqual({ err: -EOVERFLOW });
    expect(of_property_read_u32_array(w, 'missing', 1)).toEqual({ err: -EINVAL });
    expect(of_property_read_u32_array(w, 'empty', 1)).toEqual({ err: -ENODATA });
    expect(() => of_property_read_u32_array(w, 'cells', -1)).toThrow(KemuError);
    expect(of_property_count_u32_elems(w, 'cells')).toBe(3);
    expect(of_property_count_u32_elems(w, 'odd')).toBe(-EINVAL);
    expect(of_property_count_u32_elems(w, 'missing')).toBe(-EINVAL);
    expect(of_property_count_u32_elems(w, 'empty')).toBe(-ENODATA);
  });

  test('string readers', () => {
    const t = tree();
    const w = node(t, '/ocp/weird@8000');
    const multi = node(t, '/ocp/multi@1000');
    expect(of_property_read_string(t.root, 'compatible')).toEqual({ err: 0, value: 'ti,omap4430' });
    expect(of_property_read_string(w, 'missing')).toEqual({ err: -EINVAL });
    expect(of_property_read_string(w, 'empty')).toEqual({ err: -ENODATA });
    expect(of_property_read_string(w, 'unterminated')).toEqual({ err: -EILSEQ });
    expect(of_property_read_string(w, 'badsecond')).toEqual({ err: 0, value: 'a' });

    expect(of_property_read_string_array(t.root, 'compatible')).toEqual({ err: 0, value: ['ti,omap4430', 'ti,omap4'] });
    expect(of_property_read_string_array(t.root, 'compatible', 1)).toEqual({ err: 0, value: ['ti,omap4430'] });
    expect(of_property_read_string_array(w, 'badsecond')).toEqual({ err: -EILSEQ });
    expect(of_property_read_string_array(w, 'badsecond', 1)).toEqual({ err: 0, value: ['a'] });
    expect(of_property_read_string_array(w, 'missing')).toEqual({ err: -EINVAL });
    expect(of_property_read_string_array(w, 'empty')).toEqual({ err: -ENODATA });

    expect(of_property_count_strings(multi, 'clock-names')).toBe(2);
    expect(of_property_count_strings(w, 'unterminated')).toBe(-EILSEQ);
    expect(of_property_count_strings(w, 'missing')).toBe(-EINVAL);
    expect(of_property_count_strings(w, 'empty')).toBe(-ENODATA);

    expect(of_property_match_string(multi, 'clock-names', 'ick')).toBe(1);
    expect(of_property_match_string(multi, 'clock-names', 'fck')).toBe(0);
    expect(of_property_match_string(multi, 'clock-names', 'nope')).toBe(-ENODATA);
    expect(of_property_match_string(multi, 'missing', 'fck')).toBe(-EINVAL);
    expect(of_property_match_string(w, 'badsecond', 'b')).toBe(-EILSEQ);
  });
});

describe('compatible, status and names', () => {
  test('of_device_is_compatible scores earlier entries higher and ignores case', () => {
    const t = tree();
    const multi = node(t, '/ocp/multi@1000');
    const first = of_device_is_compatible(multi, 'vendor,multi-v2');
    const second = of_device_is_compatible(multi, 'vendor,multi');
    expect(first).toBe(0x3fffffff);
    expect(second).toBe(0x3fffffff - 4);
    expect(of_device_is_compatible(multi, 'VENDOR,Multi')).toBe(second);
    expect(of_device_is_compatible(multi, 'vendor,mult')).toBe(0);
    expect(of_device_is_compatible(multi, '')).toBe(0);
    expect(of_device_is_compatible(t.root, 'ti,omap4')).toBeGreaterThan(0);
    expect(of_device_is_compatible(node(t, '/ocp/ok@6000'), 'anything')).toBe(0);
  });

  test('of_device_is_available', () => {
    const t = tree();
    expect(of_device_is_available(node(t, '/ocp/off@5000'))).toBe(false);
    expect(of_device_is_available(node(t, '/ocp/ok@6000'))).toBe(true);
    expect(of_device_is_available(node(t, '/ocp/okay@7000'))).toBe(true);
    expect(of_device_is_available(node(t, '/ocp/dsp'))).toBe(true);
    const odd = buildDeviceTree({ children: { a: { props: { status: true } }, b: { props: { status: 'fail' } } } });
    expect(of_device_is_available(node(odd, '/a'))).toBe(false);
    expect(of_device_is_available(node(odd, '/b'))).toBe(false);
  });

  test('of_get_child_by_name and of_node_name_eq match without the unit address', () => {
    const t = tree();
    const ocp = node(t, '/ocp');
    expect(of_get_child_by_name(t.root, 'ocp')).toBe(ocp);
    expect(of_get_child_by_name(ocp, 'mmu')).toBe(node(t, '/ocp/mmu@4a066000'));
    expect(of_get_child_by_name(ocp, 'dsp')).toBe(node(t, '/ocp/dsp'));
    expect(of_get_child_by_name(ocp, 'mm')).toBeUndefined();
    expect(of_node_name_eq(node(t, '/ocp/smmu@d0000000'), 'smmu')).toBe(true);
    expect(of_node_name_eq(node(t, '/ocp/smmu@d0000000'), 'smmu@d0000000')).toBe(false);
  });
});

describe('of_parse_phandle_with_args', () => {
  test('0-, 1- and 2-cell specifiers, an empty entry and the end of the list', () => {
    const t = tree();
    const multi = node(t, '/ocp/multi@1000');
    const r0 = of_parse_phandle_with_args(multi, 'iommus', '#iommu-cells', 0);
    expect(r0).toEqual({ err: 0, args: { np: node(t, '/ocp/mmu@4a066000'), args: [] } });
    const r1 = of_parse_phandle_with_args(multi, 'iommus', '#iommu-cells', 1);
    expect(r1.err).toBe(0);
    if (r1.err === 0) {
      expect(r1.args.np).toBe(node(t, '/ocp/smmu@d0000000'));
      expect(r1.args.args).toEqual([0x11]);
    }
    // a phandle of 0 is an empty entry: -ENOENT for that index, and the walk goes on past it
    expect(of_parse_phandle_with_args(multi, 'iommus', '#iommu-cells', 2)).toEqual({ err: -ENOENT });
    const r3 = of_parse_phandle_with_args(multi, 'iommus', '#iommu-cells', 3);
    expect(r3).toEqual({ err: 0, args: { np: node(t, '/ocp/iommu@e0000000'), args: [0x21, 0x22] } });
    expect(of_parse_phandle_with_args(multi, 'iommus', '#iommu-cells', 4)).toEqual({ err: -ENOENT });
    expect(of_parse_phandle_with_args(multi, 'iommus', '#iommu-cells', -1)).toEqual({ err: -EINVAL });
    expect(of_count_phandle_with_args(multi, 'iommus', '#iommu-cells')).toBe(4);
  });

  test('a single phandle and a missing list', () => {
    const t = tree();
    const dsp = node(t, '/ocp/dsp');
    expect(of_parse_phandle_with_args(dsp, 'iommus', '#iommu-cells', 0)).toEqual(
      { err: 0, args: { np: node(t, '/ocp/mmu@4a066000'), args: [] } });
    expect(of_count_phandle_with_args(dsp, 'iommus', '#iommu-cells')).toBe(1);
    expect(of_parse_phandle_with_args(dsp, 'nope', '#iommu-cells', 0)).toEqual({ err: -ENOENT });
    expect(of_count_phandle_with_args(dsp, 'nope', '#iommu-cells')).toBe(-ENOENT);
    expect(of_count_phandle_with_args(dsp, 'nope', null)).toBe(-ENOENT);
  });

  test('a dangling phandle is -EINVAL, also for later indexes, but earlier entries still parse', () => {
    const t = tree();
    const d = node(t, '/ocp/dangling@2000');
    expect(of_parse_phandle_with_args(d, 'iommus', '#iommu-cells', 0).err).toBe(0);
    expect(of_parse_phandle_with_args(d, 'iommus', '#iommu-cells', 1)).toEqual({ err: -EINVAL });
    expect(of_parse_phandle_with_args(d, 'iommus', '#iommu-cells', 2)).toEqual({ err: -EINVAL });
    expect(of_count_phandle_with_args(d, 'iommus', '#iommu-cells')).toBe(-EINVAL);
  });

  test('a target without the cells property, and arguments running off the end, are -EINVAL', () => {
    const t = tree();
    expect(of_parse_phandle_with_args(node(t, '/ocp/nocellsclient@3000'), 'iommus', '#iommu-cells', 0))
      .toEqual({ err: -EINVAL });
    expect(of_parse_phandle_with_args(node(t, '/ocp/short@4000'), 'iommus', '#iommu-cells', 0))
      .toEqual({ err: -EINVAL });
    expect(of_count_phandle_with_args(node(t, '/ocp/short@4000'), 'iommus', '#iommu-cells')).toBe(-EINVAL);
  });

  test('no cells name: every cell is a phandle; fixed args; of_parse_phandle', () => {
    const t = tree();
    const multi = node(t, '/ocp/multi@1000');
    expect(of_count_phandle_with_args(multi, 'iommus', null)).toBe(7);
    expect(of_parse_phandle_with_args(multi, 'iommus', null, 1)).toEqual(
      { err: 0, args: { np: node(t, '/ocp/smmu@d0000000'), args: [] } });
    expect(of_parse_phandle_with_fixed_args(multi, 'fixed-ref', 1, 0)).toEqual(
      { err: 0, args: { np: node(t, '/ocp/fixed@f1000000'), args: [7] } });
    expect(node(t, '/ocp/fixed@f1000000').phandle).toBe(0x40);
    expect(of_parse_phandle(multi, 'fixed-ref', 0)).toBe(node(t, '/ocp/fixed@f1000000'));
    expect(of_parse_phandle(multi, 'fixed-ref', 1)).toBeUndefined(); // 7 is no node
    expect(of_parse_phandle(multi, 'fixed-ref', 2)).toBeUndefined();
  });

  test('more than MAX_PHANDLE_ARGS argument cells are truncated', () => {
    const cells = Array.from({ length: 20 }, (_, i) => i + 100);
    const t = buildDeviceTree({
      children: { p: { label: 'p', props: { '#foo-cells': 20 } }, c: { props: { foo: [{ ref: 'p' }, ...cells] } } },
    });
    const r = of_parse_phandle_with_args(node(t, '/c'), 'foo', '#foo-cells', 0);
    expect(r.err).toBe(0);
    if (r.err === 0) expect(r.args.args).toEqual(cells.slice(0, MAX_PHANDLE_ARGS));
  });

  test('a node outside any tree resolves no phandle', () => {
    const loose = new DeviceNode('', null);
    loose.properties.set('iommus', bytes(0, 0, 0, 1));
    expect(of_parse_phandle_with_args(loose, 'iommus', '#iommu-cells', 0)).toEqual({ err: -EINVAL });
  });
});
