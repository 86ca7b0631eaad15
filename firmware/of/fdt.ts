/**
 * The flattened device tree (DTB) reader. Pure: it takes bytes and returns a
 * DeviceTree; reading a file is load-dtb.ts's job. Every offset and length is checked
 * against its block before use, so malformed input always ends in an FdtError.
 */
import { DeviceNode, DeviceTree, type MemReserveEntry } from './device-node.js';
import { FdtError } from './fdt-error.js';

export const FDT_MAGIC = 0xd00dfeed;
export const FDT_BEGIN_NODE = 0x1;
export const FDT_END_NODE = 0x2;
export const FDT_PROP = 0x3;
export const FDT_NOP = 0x4;
export const FDT_END = 0x9;
/** Deepest node nesting accepted, root included (FDT_MAX_DEPTH in drivers/of/fdt.c). */
export const FDT_MAX_DEPTH = 64;

/** Oldest format version read (the first whose root node name is empty). */
const FDT_FIRST_VERSION = 16;
/** Newest format version this reader implements: blobs must be readable by it (last_comp_version). */
const FDT_LAST_VERSION = 17;

// Header field offsets.
const H_MAGIC = 0x00;
const H_TOTALSIZE = 0x04;
const H_OFF_DT_STRUCT = 0x08;
const H_OFF_DT_STRINGS = 0x0c;
const H_OFF_MEM_RSVMAP = 0x10;
const H_VERSION = 0x14;
const H_LAST_COMP_VERSION = 0x18;
const H_BOOT_CPUID_PHYS = 0x1c;
const H_SIZE_DT_STRINGS = 0x20;
const H_SIZE_DT_STRUCT = 0x24;

const hex = (n: number): string => `0x${n.toString(16)}`;
const utf8 = new TextDecoder('utf-8');

/**
 * Models unflatten_device_tree() (drivers/of/fdt.c, v6.5) together with the header
 * and structure-block checks of scripts/dtc/libfdt (fdt_check_header, fdt_next_tag).
 * Accepts format versions 16 and 17 (and later ones that declare themselves
 * readable by a version-17 reader). Stricter than the kernel where the kernel would
 * silently build a broken tree: properties after a subnode, duplicate property or
 * sibling names, malformed or duplicate phandles and trailing data after FDT_END are
 * all rejected.
 */
export function unflatten_device_tree(blob: Uint8Array): DeviceTree {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const u32 = (off: number): number => view.getUint32(off);
  const len = blob.byteLength;

  // --- header ---
  if (len < 4) throw new FdtError(`blob is ${len} bytes, too short for the FDT magic`, len);
  const magic = u32(H_MAGIC);
  if (magic !== FDT_MAGIC) throw new FdtError(`bad magic ${hex(magic)} (expected ${hex(FDT_MAGIC)})`, H_MAGIC);
  if (len < H_BOOT_CPUID_PHYS) {
    throw new FdtError(`blob is ${len} bytes, too short for the FDT header`, len);
  }
  const version = u32(H_VERSION);
  const lastComp = u32(H_LAST_COMP_VERSION);
  if (version < FDT_FIRST_VERSION) {
    throw new FdtError(`format version ${version} is not supported (need ${FDT_FIRST_VERSION} or later)`, H_VERSION);
  }
  if (lastComp > FDT_LAST_VERSION) {
    throw new FdtError(`last_comp_version ${lastComp} needs a reader newer than version ${FDT_LAST_VERSION}`,
      H_LAST_COMP_VERSION);
  }
  if (lastComp > version) {
    throw new FdtError(`last_comp_version ${lastComp} is greater than version ${version}`, H_LAST_COMP_VERSION);
  }
  const hdrSize = version >= 17 ? 0x28 : 0x24;
  if (len < hdrSize) {
    throw new FdtError(`blob is ${len} bytes, too short for the ${hex(hdrSize)}-byte version ${version} header`, len);
  }
  const totalsize = u32(H_TOTALSIZE);
  if (totalsize < hdrSize) {
    throw new FdtError(`totalsize ${hex(totalsize)} is smaller than the ${hex(hdrSize)}-byte header`, H_TOTALSIZE);
  }
  if (totalsize > len) {
    throw new FdtError(`totalsize ${hex(totalsize)} is larger than the blob (${hex(len)} bytes; truncated?)`,
      H_TOTALSIZE);
  }
  const blockStart = (field: number, what: string, align: number): number => {
    const off = u32(field);
    if (off < hdrSize || off > totalsize) {
      throw new FdtError(`${what} ${hex(off)} is outside the blob (header ends at ${hex(hdrSize)}, ` +
        `totalsize ${hex(totalsize)})`, field);
    }
    if (off % align !== 0) throw new FdtError(`${what} ${hex(off)} is not ${align}-byte aligned`, field);
    return off;
  };
  const offStruct = blockStart(H_OFF_DT_STRUCT, 'off_dt_struct', 4);
  const offStrings = blockStart(H_OFF_DT_STRINGS, 'off_dt_strings', 1);
  const offRsvmap = blockStart(H_OFF_MEM_RSVMAP, 'off_mem_rsvmap', 8);
  const bootCpuidPhys = u32(H_BOOT_CPUID_PHYS);
  const sizeStrings = u32(H_SIZE_DT_STRINGS);
  if (offStrings + sizeStrings > totalsize) {
    throw new FdtError(`strings block (${hex(offStrings)} + size ${hex(sizeStrings)}) runs past totalsize ` +
      hex(totalsize), H_SIZE_DT_STRINGS);
  }
  let sizeStruct: number;
  if (version >= 17) {
    sizeStruct = u32(H_SIZE_DT_STRUCT);
    if (offStruct + sizeStruct > totalsize) {
      throw new FdtError(`structure block (${hex(offStruct)} + size ${hex(sizeStruct)}) runs past totalsize ` +
        hex(totalsize), H_SIZE_DT_STRUCT);
    }
  } else {
    sizeStruct = totalsize - offStruct;
  }

  // --- memory reservation block ---
  const memReserve: MemReserveEntry[] = [];
  for (let p = offRsvmap; ; p += 16) {
    if (p + 16 > totalsize) {
      throw new FdtError(`memory reservation block is not terminated before totalsize ${hex(totalsize)}`, p);
    }
    const address = view.getBigUint64(p);
    const size = view.getBigUint64(p + 8);
    if (address === 0n && size === 0n) break;
    memReserve.push({ address, size });
  }

  // --- strings block ---
  const stringsEnd = offStrings + sizeStrings;
  const propName = (nameoff: number, fieldOff: number, node: DeviceNode): string => {
    if (nameoff >= sizeStrings) {
      throw new FdtError(`property name offset ${hex(nameoff)} is past the strings block (size ${hex(sizeStrings)})`,
        fieldOff, node.full_name);
    }
    const start = offStrings + nameoff;
    const nul = blob.subarray(start, stringsEnd).indexOf(0);
    if (nul < 0) {
      throw new FdtError(`property name at strings offset ${hex(nameoff)} is not NUL-terminated within the ` +
        'strings block', start, node.full_name);
    }
    if (nul === 0) throw new FdtError('empty property name', start, node.full_name);
    return utf8.decode(blob.subarray(start, start + nul));
  };

  // --- structure block ---
  const structEnd = offStruct + sizeStruct;
  const align4 = (n: number): number => n + ((4 - (n % 4)) % 4);
  const stack: DeviceNode[] = [];
  const hasSubnode: boolean[] = [];
  const childNames: Set<string>[] = [];
  const byPhandle = new Map<number, DeviceNode>();
  const here = (): string | undefined => (stack.length > 0 ? stack[stack.length - 1]!.full_name : undefined);
  let root: DeviceNode | undefined;
  let pos = offStruct;

  for (;;) {
    if (pos + 4 > structEnd) {
      throw new FdtError(`structure block (ends at ${hex(structEnd)}) has no FDT_END token`, pos, here());
    }
    const tokOff = pos;
    const token = u32(pos);
    pos += 4;

    if (token === FDT_BEGIN_NODE) {
      if (root !== undefined && stack.length === 0) {
        throw new FdtError('second root node (FDT_BEGIN_NODE after the root node ended)', tokOff);
      }
      const nul = blob.subarray(pos, structEnd).indexOf(0);
      if (nul < 0) {
        throw new FdtError('node name is not NUL-terminated within the structure block', pos, here());
      }
      const name = utf8.decode(blob.subarray(pos, pos + nul));
      if (stack.length === 0) {
        if (name !== '') throw new FdtError(`root node has name ${JSON.stringify(name)} (must be empty)`, pos);
        root = new DeviceNode('', null);
        stack.push(root);
      } else {
        const parent = stack[stack.length - 1]!;
        const names = childNames[childNames.length - 1]!;
        if (stack.length >= FDT_MAX_DEPTH) {
          throw new FdtError(`nodes nested deeper than ${FDT_MAX_DEPTH} levels`, tokOff, parent.full_name);
        }
        if (name === '' || name.includes('/')) {
          throw new FdtError(`invalid node name ${JSON.stringify(name)}`, pos, parent.full_name);
        }
        if (names.has(name)) throw new FdtError(`duplicate node name ${JSON.stringify(name)}`, pos, parent.full_name);
        names.add(name);
        hasSubnode[hasSubnode.length - 1] = true;
        stack.push(parent.addChild(name));
      }
      hasSubnode.push(false);
      childNames.push(new Set());
      pos = align4(pos + nul + 1);
    } else if (token === FDT_END_NODE) {
      if (stack.length === 0) throw new FdtError('FDT_END_NODE with no open node', tokOff);
      stack.pop();
      hasSubnode.pop();
      childNames.pop();
    } else if (token === FDT_PROP) {
      const node = stack[stack.length - 1];
      if (node === undefined) throw new FdtError('FDT_PROP outside any node', tokOff);
      if (pos + 8 > structEnd) {
        throw new FdtError('property header runs past the end of the structure block', pos, node.full_name);
      }
      const plen = u32(pos);
      const name = propName(u32(pos + 4), pos + 4, node);
      const valOff = pos + 8;
      if (valOff + plen > structEnd) {
        throw new FdtError(`property ${JSON.stringify(name)} length ${hex(plen)} runs past the end of the ` +
          `structure block (${hex(structEnd)})`, pos, node.full_name);
      }
      if (hasSubnode[hasSubnode.length - 1]) {
        throw new FdtError(`property ${JSON.stringify(name)} comes after a subnode`, tokOff, node.full_name);
      }
      if (node.properties.has(name)) {
        throw new FdtError(`duplicate property ${JSON.stringify(name)}`, tokOff, node.full_name);
      }
      node.properties.set(name, new Uint8Array(blob.subarray(valOff, valOff + plen)));
      if (name === 'phandle' || name === 'linux,phandle') {
        if (plen !== 4) {
          throw new FdtError(`${JSON.stringify(name)} property is ${plen} bytes (must be 4)`, pos, node.full_name);
        }
        const ph = u32(valOff);
        if (ph === 0 || ph === 0xffffffff) {
          throw new FdtError(`invalid phandle ${hex(ph)}`, valOff, node.full_name);
        }
        if (node.phandle !== 0 && node.phandle !== ph) {
          throw new FdtError(`"phandle" and "linux,phandle" disagree (${hex(node.phandle)} vs ${hex(ph)})`,
            valOff, node.full_name);
        }
        const owner = byPhandle.get(ph);
        if (owner !== undefined && owner !== node) {
          throw new FdtError(`duplicate phandle ${hex(ph)} (already used by ${owner.full_name})`,
            valOff, node.full_name);
        }
        byPhandle.set(ph, node);
        node.phandle = ph;
      }
      pos = align4(valOff + plen);
    } else if (token === FDT_NOP) {
      // nothing
    } else if (token === FDT_END) {
      if (stack.length > 0) {
        throw new FdtError('FDT_END before all nodes ended (unbalanced FDT_BEGIN_NODE/FDT_END_NODE)', tokOff, here());
      }
      if (root === undefined) throw new FdtError('FDT_END before any node', tokOff);
      if (version >= 17 && pos !== structEnd) {
        throw new FdtError(`${structEnd - pos} bytes of data after FDT_END (structure block ends at ` +
          `${hex(structEnd)})`, pos);
      }
      return new DeviceTree(root, { memReserve, bootCpuidPhys });
    } else {
      throw new FdtError(`unknown token ${hex(token)}`, tokOff, here());
    }
  }
}
