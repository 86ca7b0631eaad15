import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { KemuError } from '../../../src/kernel/errors.js';
import type { DeviceNode, DeviceTree } from '../../../firmware/of/device-node.js';
import { buildDeviceTree } from '../../../firmware/of/dt-builder.js';
import { FDT_MAX_DEPTH, unflatten_device_tree } from '../../../firmware/of/fdt.js';
import { DTC_MISSING, hasDtc } from '../../support/host-tools.js';
import { FdtError } from '../../../firmware/of/fdt-error.js';
import { loadDtbFile } from '../../../firmware/of/load-dtb.js';
import {
  of_count_phandle_with_args,
  of_device_is_available,
  of_device_is_compatible,
  of_parse_phandle_with_args,
  of_property_read_string,
  of_property_read_u32,
  of_property_read_u32_array,
} from '../../../firmware/of/of-base.js';

const boardsDir = fileURLToPath(new URL('../../../firmware/dts/', import.meta.url));
const BOARDS = ['omap4', 'dra7', 'exynos'] as const;
const dtbBytes = (board: string): Uint8Array => new Uint8Array(readFileSync(join(boardsDir, `${board}.dtb`)));

function node(t: DeviceTree, path: string): DeviceNode {
  const np = t.find_node_by_path(path);
  if (np === undefined) throw new Error(`no node ${path}`);
  return np;
}

/** The `iommus` targets of a node, by path (via of_parse_phandle_with_args). */
function iommus(np: DeviceNode): string[] {
  const n = of_count_phandle_with_args(np, 'iommus', '#iommu-cells');
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = of_parse_phandle_with_args(np, 'iommus', '#iommu-cells', i);
    if (r.err !== 0) throw new Error(`iommus[${i}] of ${np.full_name}: ${r.err}`);
    out.push(r.args.np.full_name + (r.args.args.length > 0 ? ` ${r.args.args.join(' ')}` : ''));
  }
  return out;
}

/** A canonical text dump of a tree: paths, phandles and property bytes, in order. */
function dump(t: DeviceTree): string {
  const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return t.allNodes().map((np) => [
    `${np.full_name} phandle=${np.phandle}`,
    ...[...np.properties].map(([k, v]) => `  ${k}=${hex(v)}`),
  ].join('\n')).join('\n');
}

describe('the committed board DTBs', () => {
  test('omap4.dtb: the omap4.dtsi layout, MMUs in target modules before dsp and ipu', () => {
    const t = loadDtbFile(join(boardsDir, 'omap4.dtb'));
    expect(of_device_is_compatible(t.root, 'ti,omap4430')).toBe(0x3fffffff);
    expect(of_device_is_compatible(t.root, 'ti,omap4')).toBe(0x3fffffff - 4);
    const ocp = node(t, '/ocp');
    expect(of_property_read_string(ocp, 'compatible')).toEqual({ err: 0, value: 'simple-pm-bus' });
    // the interconnects and the IPU MMU's target module come before the remote processors
    expect(ocp.children.map((c) => c.name)).toEqual([
      'interconnect@4a300000', 'interconnect@4a000000', 'target-module@55082000', 'dsp', 'ipu@55020000',
    ]);
    const dspModule = node(t, '/ocp/interconnect@4a000000/segment@0/target-module@66000');
    expect(of_device_is_compatible(dspModule, 'ti,sysc')).toBeGreaterThan(0);
    const mmuDsp = node(t, '/ocp/interconnect@4a000000/segment@0/target-module@66000/mmu@0');
    expect(of_property_read_string(mmuDsp, 'compatible')).toEqual({ err: 0, value: 'ti,omap4-iommu' });
    expect(of_property_read_u32_array(mmuDsp, 'reg', 2)).toEqual({ err: 0, value: [0x0, 0x100] });
    expect(of_property_read_u32(mmuDsp, '#iommu-cells')).toEqual({ err: 0, value: 0 });
    expect(node(t, '/ocp/target-module@55082000/mmu@0').properties.get('ti,iommu-bus-err-back')).toEqual(new Uint8Array(0));

    expect(iommus(node(t, '/ocp/dsp'))).toEqual(['/ocp/interconnect@4a000000/segment@0/target-module@66000/mmu@0']);
    expect(iommus(node(t, '/ocp/ipu@55020000'))).toEqual(['/ocp/target-module@55082000/mmu@0']);
    // the power domains and resets the interconnects and target modules wait for
    const prm = '/ocp/interconnect@4a300000/segment@0/target-module@6000/prm@0';
    const pd = of_parse_phandle_with_args(ocp, 'power-domains', '#power-domain-cells', 0);
    expect(pd.err === 0 && pd.args.np.full_name).toBe(`${prm}/prm@1400`);
    const rst = of_parse_phandle_with_args(dspModule, 'resets', '#reset-cells', 0);
    expect(rst.err === 0 && [rst.args.np.full_name, rst.args.args]).toEqual([`${prm}/prm@400`, [1]]);

    // every phandle is unique and found again
    const withPhandle = t.allNodes().filter((n) => n.phandle !== 0);
    expect(withPhandle.length).toBe(6);
    for (const np of withPhandle) expect(t.find_node_by_phandle(np.phandle)).toBe(np);
    expect(t.memReserve).toEqual([]);
  });

  test('dra7.dtb: the dra7.dtsi layout, DSP1 before its two MMU target modules', () => {
    const t = loadDtbFile(join(boardsDir, 'dra7.dtb'));
    expect(of_property_read_u32(t.root, '#address-cells')).toEqual({ err: 0, value: 2 });
    expect(node(t, '/ocp').children.map((c) => c.name)).toEqual([
      'interconnect@4ae00000', 'dsp_system@40d00000', 'dsp@40800000', 'target-module@40d01000', 'target-module@40d02000',
    ]);
    expect(iommus(node(t, '/ocp/dsp@40800000'))).toEqual(['/ocp/target-module@40d01000/mmu@0', '/ocp/target-module@40d02000/mmu@0']);
    for (const mmu of ['/ocp/target-module@40d01000/mmu@0', '/ocp/target-module@40d02000/mmu@0']) {
      expect(of_device_is_compatible(node(t, mmu), 'ti,dra7-dsp-iommu')).toBeGreaterThan(0);
    }
    const cfg = of_parse_phandle_with_args(node(t, '/ocp/target-module@40d02000/mmu@0'), 'ti,syscon-mmuconfig', null, 0);
    expect(cfg.err === 0 && cfg.args.np.full_name).toBe('/ocp/dsp_system@40d00000');
  });

  test('exynos.dtb: nodes, phandles, iommus, clocks and the disabled SysMMU', () => {
    const t = loadDtbFile(join(boardsDir, 'exynos.dtb'));
    expect(of_device_is_compatible(t.root, 'samsung,exynos5250')).toBeGreaterThan(0);
    const soc = node(t, '/soc');
    const sysmmus = soc.children.filter((c) => of_device_is_compatible(c, 'samsung,exynos-sysmmu') > 0);
    expect(sysmmus.map((c) => c.name)).toEqual(
      ['sysmmu@13e80000', 'sysmmu@13e90000', 'sysmmu@14640000', 'sysmmu@14680000']);
    expect(sysmmus.map((c) => of_device_is_available(c))).toEqual([true, false, true, true]);
    for (const s of sysmmus) {
      expect(of_property_read_u32(s, '#iommu-cells')).toEqual({ err: 0, value: 0 });
      expect(of_property_read_string(s, 'clock-names')).toEqual({ err: 0, value: 'sysmmu' });
    }
    expect(node(t, '/soc/sysmmu@13e90000').phandle).toBe(0); // unreferenced label: no phandle
    expect(iommus(node(t, '/soc/fimd@14400000'))).toEqual(['/soc/sysmmu@14640000', '/soc/sysmmu@14680000']);
    expect(iommus(node(t, '/soc/gsc@13e00000'))).toEqual(['/soc/sysmmu@13e80000']);
    // a 1-cell specifier through a real DTB
    const clk = of_parse_phandle_with_args(node(t, '/soc/fimd@14400000'), 'clocks', '#clock-cells', 1);
    expect(clk).toEqual({ err: 0, args: { np: node(t, '/soc/clock-controller@10010000'), args: [284] } });
  });

  for (const board of BOARDS) {
    test(`${board}.dtb is what dtc makes of ${board}.dts (not stale)`, (ctx) => {
      ctx.skip(!hasDtc, DTC_MISSING);
      const dir = mkdtempSync(join(tmpdir(), 'kemu-dtb-'));
      try {
        const out = join(dir, `${board}.dtb`);
        const r = spawnSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', out, join(boardsDir, `${board}.dts`)],
          { encoding: 'utf8' });
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        const fresh = unflatten_device_tree(new Uint8Array(readFileSync(out)));
        const committed = unflatten_device_tree(dtbBytes(board));
        expect(dump(committed)).toBe(dump(fresh));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test('the builder and the DTB give the same tree for the same board', () => {
    const fromDtb = unflatten_device_tree(buildFdt((w) => {
      w.begin('');
      w.prop('compatible', str('a,b'));
      w.begin('mmu@1');
      w.prop('#iommu-cells', cells(0));
      w.prop('phandle', cells(1));
      w.end();
      w.begin('dev');
      w.prop('iommus', cells(1));
      w.end();
      w.end();
    }).blob);
    const fromSpec = buildDeviceTree({
      props: { compatible: 'a,b' },
      children: {
        'mmu@1': { label: 'm', props: { '#iommu-cells': 0 } },
        dev: { props: { iommus: { ref: 'm' } } },
      },
    });
    expect(dump(fromSpec)).toBe(dump(fromDtb));
  });

  test('loadDtbFile names the file in errors', () => {
    expect(() => loadDtbFile(join(boardsDir, 'no-such-board.dtb'))).toThrow(/cannot read DTB file/);
    expect(() => loadDtbFile(join(boardsDir, 'omap4.dts'))).toThrow(/^DTB .*omap4\.dts: bad magic 0x2f2a0a20/);
  });
});

// ---------------------------------------------------------------------------------------
// A tiny FDT writer for hand-made (and deliberately broken) blobs. Layout: header at 0,
// an empty memory reservation block at 0x28, the structure block at 0x38, strings after.

const STRUCT = 0x38;

function str(...s: string[]): Uint8Array {
  return new TextEncoder().encode(s.map((x) => `${x}\0`).join(''));
}

function cells(...c: number[]): Uint8Array {
  const out = new Uint8Array(c.length * 4);
  c.forEach((v, i) => new DataView(out.buffer).setUint32(i * 4, v));
  return out;
}

class FdtWriter {
  readonly bytes: number[] = [];
  readonly strings: number[] = [];
  readonly #names = new Map<string, number>();

  /** Blob offset of the next byte written to the structure block. */
  get at(): number {
    return STRUCT + this.bytes.length;
  }

  u32(v: number): number {
    const off = this.at;
    this.bytes.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
    return off;
  }

  raw(b: Uint8Array | number[], pad = true): void {
    this.bytes.push(...b);
    while (pad && this.bytes.length % 4 !== 0) this.bytes.push(0);
  }

  nameOff(name: string): number {
    let off = this.#names.get(name);
    if (off === undefined) {
      off = this.strings.length;
      this.strings.push(...new TextEncoder().encode(name), 0);
      this.#names.set(name, off);
    }
    return off;
  }

  /** FDT_BEGIN_NODE; returns the token's offset. */
  begin(name: string): number {
    const off = this.u32(1);
    this.raw(str(name));
    return off;
  }

  end(): number {
    return this.u32(2);
  }

  /** FDT_PROP; returns the offsets of the token, its len and nameoff fields and its value. */
  prop(name: string, value: Uint8Array, nameoff = this.nameOff(name)) {
    const token = this.u32(3);
    const len = this.u32(value.length);
    const nameoffAt = this.u32(nameoff);
    const valueAt = this.at;
    this.raw(value);
    return { token, len, nameoff: nameoffAt, value: valueAt };
  }

  nop(): number {
    return this.u32(4);
  }

  fdtEnd(): number {
    return this.u32(9);
  }
}

interface Built {
  blob: Uint8Array;
  view: DataView;
  offStrings: number;
}

/** Writes a blob: `body` writes the structure block (FDT_END is added unless `noEnd`). */
function buildFdt(body: (w: FdtWriter) => void, opts: { noEnd?: boolean; version?: number } = {}): Built {
  const w = new FdtWriter();
  body(w);
  if (!opts.noEnd) w.fdtEnd();
  const offStrings = STRUCT + w.bytes.length;
  const total = offStrings + w.strings.length;
  const blob = new Uint8Array(total);
  const view = new DataView(blob.buffer);
  const header = [0xd00dfeed, total, STRUCT, offStrings, 0x28, opts.version ?? 17, 16, 0, w.strings.length,
    w.bytes.length];
  header.forEach((v, i) => view.setUint32(i * 4, v));
  blob.set(w.bytes, STRUCT);
  blob.set(w.strings, offStrings);
  return { blob, view, offStrings };
}

/** A minimal valid tree: / { compatible = "k"; a { x = <1>; }; }; */
function minimal(w: FdtWriter): void {
  w.begin('');
  w.prop('compatible', str('k'));
  w.begin('a');
  w.prop('x', cells(1));
  w.end();
  w.end();
}

/** Asserts that parsing `blob` throws an FdtError at `offset` (in `node`, when given). */
function expectFdtError(blob: Uint8Array, offset: number, node?: string, message?: RegExp): FdtError {
  let caught: unknown;
  try {
    unflatten_device_tree(blob);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(FdtError);
  const err = caught as FdtError;
  expect(err).toBeInstanceOf(KemuError);
  expect(err.kind).toBe('bad-firmware');
  expect({ offset: `0x${err.offset.toString(16)}`, node: err.node })
    .toEqual({ offset: `0x${offset.toString(16)}`, node });
  expect(err.message).toContain(`at offset 0x${offset.toString(16)}`);
  if (node !== undefined) expect(err.message).toContain(`in node ${node}`);
  if (message !== undefined) expect(err.message).toMatch(message);
  return err;
}

describe('malformed blobs throw FdtError at the right offset', () => {
  test('the writer makes a valid blob (so the cases below break one thing each)', () => {
    const t = unflatten_device_tree(buildFdt(minimal).blob);
    expect(t.allNodes().map((n) => n.full_name)).toEqual(['/', '/a']);
    expect(of_property_read_u32(node(t, '/a'), 'x')).toEqual({ err: 0, value: 1 });
    // version 16 (no size_dt_struct) is accepted too
    expect(unflatten_device_tree(buildFdt(minimal, { version: 16 }).blob).allNodes()).toHaveLength(2);
  });

  test('header: magic, truncation, totalsize, versions, block offsets and sizes', () => {
    const omap = dtbBytes('omap4');
    const patched = (field: number, value: number, src = omap): Uint8Array => {
      const b = src.slice();
      new DataView(b.buffer).setUint32(field, value);
      return b;
    };
    expectFdtError(new Uint8Array(0), 0, undefined, /too short for the FDT magic/);
    expectFdtError(omap.slice(0, 3), 3, undefined, /too short/);
    expectFdtError(patched(0, 0xfeedd00d), 0, undefined, /bad magic 0xfeedd00d \(expected 0xd00dfeed\)/);
    expectFdtError(omap.slice(0, 0x14), 0x14, undefined, /too short for the FDT header/);
    expectFdtError(omap.slice(0, 0x26), 0x26, undefined, /0x28-byte version 17 header/);
    expectFdtError(omap.slice(0, 1000), 4, undefined,
      new RegExp(`totalsize 0x${omap.length.toString(16)} is larger than the blob \\(0x3e8 bytes`));
    expectFdtError(patched(4, 0x20), 4, undefined, /smaller than the 0x28-byte header/);
    expectFdtError(patched(0x14, 15), 0x14, undefined, /version 15 is not supported/);
    expectFdtError(patched(0x18, 18), 0x18, undefined, /last_comp_version 18/);
    expectFdtError(patched(0x18, 17, patched(0x14, 16)), 0x18, undefined, /greater than version 16/);
    expectFdtError(patched(8, 0x10000), 8, undefined, /off_dt_struct 0x10000 is outside the blob/);
    expectFdtError(patched(8, 0x10), 8, undefined, /off_dt_struct 0x10 is outside/);
    expectFdtError(patched(8, 0x3a), 8, undefined, /off_dt_struct 0x3a is not 4-byte aligned/);
    expectFdtError(patched(0xc, omap.length + 1), 0xc, undefined, /off_dt_strings 0x[0-9a-f]+ is outside/);
    expectFdtError(patched(0x10, 0x2c), 0x10, undefined, /off_mem_rsvmap 0x2c is not 8-byte aligned/);
    expectFdtError(patched(0x20, 0x1000), 0x20, undefined, /strings block .* runs past totalsize/);
    expectFdtError(patched(0x24, 0x1000), 0x24, undefined, /structure block .* runs past totalsize/);
    // trailing bytes after totalsize are ignored, like the kernel does
    const longer = new Uint8Array(omap.length + 8);
    longer.set(omap);
    expect(unflatten_device_tree(longer).allNodes().length).toBe(unflatten_device_tree(omap).allNodes().length);
  });

  test('an unterminated memory reservation block', () => {
    const { blob, view } = buildFdt(minimal);
    // point the reservation block at the last 16 bytes... of a blob made 8 bytes longer, with no zero entry
    const b = new Uint8Array(blob.length + 24).fill(0xaa);
    b.set(blob);
    const v = new DataView(b.buffer);
    const rsv = (blob.length + 7) & ~7;
    v.setUint32(4, b.length);
    v.setUint32(0x10, rsv);
    expect(view.getUint32(0x10)).toBe(0x28);
    expectFdtError(b, rsv + 16, undefined, /memory reservation block is not terminated/);
  });

  test('property name offset past the strings block, and an unterminated name', () => {
    let at = 0;
    const past = buildFdt((w) => {
      w.begin('');
      w.begin('mmu@4a066000');
      at = w.prop('reg', cells(1, 2), 0x1234).nameoff;
      w.end();
      w.end();
    });
    const err = expectFdtError(past.blob, at, '/mmu@4a066000');
    expect(err.message).toBe(`DTB: property name offset 0x1234 is past the strings block (size 0x0) ` +
      `at offset 0x${at.toString(16)} in node /mmu@4a066000`);

    const { blob, offStrings } = buildFdt((w) => {
      w.begin('');
      w.prop('compatible', str('k'));
      w.prop('model', str('m'));
      w.end();
    });
    // drop the NUL that ends the last name ("model") from the strings block
    new DataView(blob.buffer).setUint32(0x20, blob.length - offStrings - 1);
    expectFdtError(blob, offStrings + 'compatible\0'.length, '/', /not NUL-terminated within the strings block/);
  });

  test('a property value or header running past the structure block', () => {
    let len = 0;
    const { blob, view } = buildFdt((w) => {
      w.begin('');
      len = w.prop('x', cells(1)).len;
      w.end();
    });
    view.setUint32(len, 0x100);
    expectFdtError(blob, len, '/', /property "x" length 0x100 runs past the end of the structure block/);

    let tail = 0;
    const cut = buildFdt((w) => {
      w.begin('');
      tail = w.u32(3); // FDT_PROP with no len/nameoff after it
    }, { noEnd: true });
    expectFdtError(cut.blob, tail + 4, '/', /property header runs past/);
  });

  test('an unterminated node name', () => {
    let at = 0;
    const { blob } = buildFdt((w) => {
      w.begin('');
      at = w.u32(1);
      w.raw([0x61, 0x62, 0x63, 0x64]); // "abcd" and no NUL up to the end of the block
    }, { noEnd: true });
    expectFdtError(blob, at + 4, '/', /node name is not NUL-terminated/);
  });

  test('unbalanced BEGIN/END, missing FDT_END, data after FDT_END, second root', () => {
    let endAt = 0;
    const open = buildFdt((w) => {
      w.begin('');
      w.begin('ocp');
      w.end();
      w.begin('mmu@1');
      endAt = w.fdtEnd();
    }, { noEnd: true });
    expectFdtError(open.blob, endAt, '/mmu@1', /FDT_END before all nodes ended/);

    let extra = 0;
    const closed = buildFdt((w) => {
      minimal(w);
      extra = w.end();
    });
    expectFdtError(closed.blob, extra, undefined, /FDT_END_NODE with no open node/);

    let after = 0;
    const noEnd = buildFdt((w) => {
      minimal(w);
      after = w.at;
    }, { noEnd: true });
    expectFdtError(noEnd.blob, after, undefined, /no FDT_END token/);

    let trailing = 0;
    const data = buildFdt((w) => {
      minimal(w);
      trailing = w.fdtEnd() + 4;
      w.nop();
    }, { noEnd: true });
    expectFdtError(data.blob, trailing, undefined, /4 bytes of data after FDT_END/);

    let second = 0;
    const two = buildFdt((w) => {
      minimal(w);
      second = w.begin('');
      w.end();
    });
    expectFdtError(two.blob, second, undefined, /second root node/);

    let early = 0;
    const none = buildFdt((w) => {
      w.nop();
      early = w.fdtEnd();
    }, { noEnd: true });
    expectFdtError(none.blob, early, undefined, /FDT_END before any node/);
  });

  test('unknown tokens and properties outside nodes', () => {
    let bad = 0;
    const { blob } = buildFdt((w) => {
      w.begin('');
      w.begin('ocp');
      bad = w.u32(7);
      w.end();
      w.end();
    });
    expectFdtError(blob, bad, '/ocp', /unknown token 0x7/);

    let stray = 0;
    const outside = buildFdt((w) => {
      stray = w.prop('x', cells(1)).token;
      minimal(w);
    });
    expectFdtError(outside.blob, stray, undefined, /FDT_PROP outside any node/);
  });

  test('nodes nested too deep', () => {
    let deepest = 0;
    const { blob } = buildFdt((w) => {
      w.begin('');
      for (let d = 1; d <= FDT_MAX_DEPTH; d++) {
        const at = w.begin(`n${d}`);
        if (d === FDT_MAX_DEPTH) deepest = at;
      }
      for (let d = 0; d <= FDT_MAX_DEPTH; d++) w.end();
    });
    const path = '/' + Array.from({ length: FDT_MAX_DEPTH - 1 }, (_, i) => `n${i + 1}`).join('/');
    expectFdtError(blob, deepest, path, /nested deeper than 64 levels/);

    // one level less is fine
    const ok = buildFdt((w) => {
      w.begin('');
      for (let d = 1; d < FDT_MAX_DEPTH; d++) w.begin(`n${d}`);
      for (let d = 0; d < FDT_MAX_DEPTH; d++) w.end();
    });
    expect(unflatten_device_tree(ok.blob).allNodes()).toHaveLength(FDT_MAX_DEPTH);
  });

  test('phandles: duplicates, bad sizes and values, disagreeing linux,phandle', () => {
    let dup = 0;
    const { blob } = buildFdt((w) => {
      w.begin('');
      w.begin('mmu@1');
      w.prop('phandle', cells(5));
      w.end();
      w.begin('mmu@2');
      dup = w.prop('phandle', cells(5)).value;
      w.end();
      w.end();
    });
    expectFdtError(blob, dup, '/mmu@2', /duplicate phandle 0x5 \(already used by \/mmu@1\)/);

    let len = 0;
    const wide = buildFdt((w) => {
      w.begin('');
      len = w.prop('phandle', cells(1, 2)).len;
      w.end();
    });
    expectFdtError(wide.blob, len, '/', /"phandle" property is 8 bytes/);

    let zero = 0;
    const z = buildFdt((w) => {
      w.begin('');
      zero = w.prop('linux,phandle', cells(0xffffffff)).value;
      w.end();
    });
    expectFdtError(z.blob, zero, '/', /invalid phandle 0xffffffff/);

    let second = 0;
    const both = buildFdt((w) => {
      w.begin('');
      w.prop('linux,phandle', cells(1));
      second = w.prop('phandle', cells(2)).value;
      w.end();
    });
    expectFdtError(both.blob, second, '/', /disagree/);

    const same = buildFdt((w) => {
      w.begin('');
      w.begin('a');
      w.prop('linux,phandle', cells(3));
      w.prop('phandle', cells(3));
      w.end();
      w.end();
    });
    expect(unflatten_device_tree(same.blob).find_node_by_phandle(3)?.full_name).toBe('/a');
  });

  test('names: duplicate property, property after a subnode, duplicate sibling, named root, empty names', () => {
    let at = 0;
    const dupProp = buildFdt((w) => {
      w.begin('');
      w.prop('x', cells(1));
      at = w.prop('x', cells(2)).token;
      w.end();
    });
    expectFdtError(dupProp.blob, at, '/', /duplicate property "x"/);

    const late = buildFdt((w) => {
      w.begin('');
      w.begin('a');
      w.end();
      at = w.prop('x', cells(1)).token;
      w.end();
    });
    expectFdtError(late.blob, at, '/', /property "x" comes after a subnode/);

    const twins = buildFdt((w) => {
      w.begin('');
      w.begin('a');
      w.end();
      at = w.begin('a') + 4;
      w.end();
      w.end();
    });
    expectFdtError(twins.blob, at, '/', /duplicate node name "a"/);

    const named = buildFdt((w) => {
      at = w.begin('root') + 4;
      w.end();
    });
    expectFdtError(named.blob, at, undefined, /root node has name "root"/);

    const empty = buildFdt((w) => {
      w.begin('');
      at = w.begin('') + 4;
      w.end();
      w.end();
    });
    expectFdtError(empty.blob, at, '/', /invalid node name ""/);

    const emptyProp = buildFdt((w) => {
      w.begin('');
      w.prop('x', cells(1));
      w.end();
    });
    // point the property name at the NUL that ends "x"
    new DataView(emptyProp.blob.buffer).setUint32(STRUCT + 16, 1);
    expectFdtError(emptyProp.blob, emptyProp.offStrings + 1, '/', /empty property name/);
  });
});

describe('a deterministic sweep over a damaged omap4.dtb', () => {
  /** Parses and classifies: 'tree' or 'FdtError'; anything else fails the test with the culprit. */
  function classify(blob: Uint8Array, what: string): 'tree' | 'FdtError' {
    try {
      unflatten_device_tree(blob);
      return 'tree';
    } catch (e) {
      if (e instanceof FdtError) return 'FdtError';
      throw new Error(`${what}: ${String(e)}`, { cause: e });
    }
  }

  test('truncation at every length, byte flips in the header and the structure block', () => {
    const omap = dtbBytes('omap4');
    const view = new DataView(omap.buffer, omap.byteOffset, omap.byteLength);
    const offStruct = view.getUint32(8);
    const sizeStruct = view.getUint32(0x24);
    const offStrings = view.getUint32(0xc);
    const sizeStrings = view.getUint32(0x20);
    const outcomes = { tree: 0, FdtError: 0 };

    for (let n = 0; n < omap.length; n++) {
      // as is (totalsize now lies), and with the header patched to fit the shorter blob
      outcomes[classify(omap.slice(0, n), `truncated to ${n}`)]++;
      if (n >= 0x28) {
        const b = omap.slice(0, n);
        const v = new DataView(b.buffer);
        v.setUint32(4, n);
        v.setUint32(0x24, Math.max(0, Math.min(sizeStruct, n - offStruct)));
        v.setUint32(0x20, Math.max(0, Math.min(sizeStrings, n - offStrings)));
        outcomes[classify(b, `truncated to ${n}, header patched`)]++;
      }
    }
    expect(outcomes.tree).toBe(0); // every strict truncation is noticed...
    expect(classify(omap, 'whole')).toBe('tree'); // ...and the whole blob is fine

    const flip = (pos: number, mask: number): void => {
      const b = omap.slice();
      b[pos]! ^= mask;
      outcomes[classify(b, `byte 0x${pos.toString(16)} ^ 0x${mask.toString(16)}`)]++;
    };
    for (let pos = 0; pos < 0x28; pos++) for (const mask of [0x01, 0x10, 0x80, 0xff]) flip(pos, mask);
    for (let i = 0; i < 400; i++) {
      const pos = offStruct + ((i * 97) % sizeStruct); // 97 is prime: a spread of struct positions
      flip(pos, [0x01, 0x02, 0x80, 0xff][i % 4]!);
    }
    for (let i = 0; i < 100; i++) flip(offStrings + ((i * 13) % sizeStrings), 0xff);
    expect(outcomes.FdtError).toBeGreaterThan(2000);
    expect(outcomes.tree).toBeGreaterThan(50); // some flips only change property values
  });
});
