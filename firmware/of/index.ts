/**
 * The device tree's public API (`kemu/of`): building a tree in TypeScript or
 * reading a DTB, the machine's firmware module, and the drivers/of helpers
 * drivers call, under their kernel names (drivers/of/, v6.5).
 */
export { DeviceNode, DeviceTree } from './device-node.js';
export { buildDeviceTree, type DtCell, type DtNodeSpec, type DtValue } from './dt-builder.js';
export { loadDtbFile } from './load-dtb.js';
export { FdtError } from './fdt-error.js';
export { unflatten_device_tree } from './fdt.js';
export { DEVICE_TREE, ofFirmwareModule } from './module.js';
export { of_find_property, of_property_present, of_property_read_u32_array, of_property_read_u32,
  of_property_count_u32_elems, of_property_read_string, of_property_read_string_array, of_property_count_strings,
  of_property_match_string, of_device_is_compatible, of_device_is_available, of_node_name_eq, of_get_child_by_name,
  of_parse_phandle_with_args, of_parse_phandle_with_fixed_args, of_parse_phandle, of_count_phandle_with_args,
  MAX_PHANDLE_ARGS, type of_phandle_args, type OfPhandleResult, type OfResult } from './of-base.js';
export { dev_of_node, of_match_node, of_dma_configure, of_dma_configure_id } from './of-device.js';
export { NO_IOMMU, of_iommu_configure } from './of-iommu.js';
export { of_find_device_by_node, of_platform_populate, of_platform_default_populate } from './platform.js';
