/**
 * A client that hands its device a buffer by DMA while it probes, the way a
 * driver loading firmware into its device does: it maps the image with
 * dma_map_single() in probe, and unmaps and frees it once the device has
 * fetched it, from delayed work. b46064a18810's message names no driver, only
 * the pattern (a client probing in parallel with its IOMMU that already uses
 * the DMA API, through dma-direct); this stands in for it, with a compatible
 * of kemu's own. The device's fetch itself is not modelled: that an address
 * is wrong shows when the unmap goes through other DMA ops than the map.
 */
import { ContainerModule } from '../../src/inversify.js';
import { dev_info, type Device } from '../../src/base/device.js';
import { DelayedWork, schedule_delayed_work, type WorkStruct } from '../../src/base/workqueue.js';
import { dma_map_single, dma_unmap_single, DMA_MAPPING_ERROR } from '../../src/iommu/dma-mapping.js';
import { HZ } from '../../src/kernel/clock.js';
import { ENOMEM } from '../../src/kernel/errno.js';
import { SlabObject, kfree, kzalloc, type StructType } from '../../src/kernel/memory/slab.js';
import { initcall, type Initcall } from '../../src/machine/initcall.js';
import { INITCALL } from '../../src/machine/tokens.js';
import { PlatformDriver, platform_driver_register, platform_set_drvdata, type PlatformDevice } from '../../buses/platform/platform.js';
import type { OfDeviceId } from '../../src/base/driver.js';

/** The image the device fetches: one page. */
const FW_SIZE = 0x1000;

/** A page of firmware, kmalloc'd. */
class FirmwareImage extends SlabObject {
  static readonly struct: StructType = { name: 'firmware image', size: FW_SIZE, fields: {} };

  constructor() {
    super(FirmwareImage.struct);
  }
}

/** The driver's per-device state. */
class FwDmaClient {
  /** The DMA address the device fetches from. */
  dma_addr = DMA_MAPPING_ERROR;
  readonly fetched: DelayedWork;

  constructor(readonly dev: Device, readonly image: FirmwareImage) {
    this.fetched = new DelayedWork(`${dev.name} fw_fetched`, (work) => fw_fetched(work, this));
  }
}

/** The device has fetched its image: unmap and free it. */
async function fw_fetched(_work: WorkStruct, client: FwDmaClient): Promise<void> {
  await dma_unmap_single(client.dev, client.dma_addr, FW_SIZE, 'DMA_TO_DEVICE');
  kfree(client.image);
}

/** Maps the image for the device and lets it fetch it (the fetch takes 10 ms). */
async function fw_dma_client_probe(pdev: PlatformDevice): Promise<number> {
  const client = new FwDmaClient(pdev, kzalloc(FirmwareImage));
  client.dma_addr = await dma_map_single(pdev, client.image, FW_SIZE, 'DMA_TO_DEVICE');
  if (client.dma_addr === DMA_MAPPING_ERROR) {
    kfree(client.image);
    return -ENOMEM;
  }
  dev_info(pdev, `firmware at DMA address 0x${client.dma_addr.toString(16)}`);
  platform_set_drvdata(pdev, client);
  await schedule_delayed_work(client.fetched, Math.ceil(HZ / 100));
  return 0;
}

export const fw_dma_client_match: readonly OfDeviceId[] = [{ compatible: 'kemu,fw-dma-client' }];

/** The driver's module_platform_driver (device_initcall). */
async function fw_dma_client_init(): Promise<number> {
  return await platform_driver_register(new PlatformDriver('fw-dma-client', fw_dma_client_probe, { of_match_table: fw_dma_client_match }));
}

export const fwDmaClientModule = new ContainerModule(({ bind }) => {
  bind<Initcall>(INITCALL).toConstantValue(initcall('device', 'fw_dma_client_init', fw_dma_client_init));
});
