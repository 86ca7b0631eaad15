/**
 * Scenarios for VT-d queued invalidation: builders with parameters (for tests,
 * benchmarks and the CLI) and the catalog entry `qi-zero-count`.
 *
 * A scenario runs as `swapper/0`: it powers on one remapping unit (dmar0, its
 * QI engine as a hardware task), enables queued invalidation, and spawns one
 * task per CPU, `cpu0`, `cpu1`, …, each submitting to the queue.
 */
import { Container } from '../../../src/inversify.js';
import type { Kernel } from '../../../src/kernel/kernel.js';
import type { Task } from '../../../src/kernel/sched/task.js';
import { PhysMemory } from '../../../src/kernel/memory/phys-memory.js';
import { KemuError } from '../../../src/kernel/errors.js';
import type { Scenario } from '../../../src/explore/run-schedule.js';
import type { ScenarioEntry } from '../../../src/machine/catalog.js';
import { findVariant } from '../../../src/machine/kernel-variants.js';
import { count, counts, toggle } from '../../../src/machine/parameters.js';
import { DmarHardware } from './dmar-hw.js';
import { IntelIommu, type QInval } from './intel-iommu.js';
import { dmar_enable_qi, iommu_enable_translation, qi_desc_iotlb, qi_submit_sync } from './dmar.js';
import { intel_iommu_dma_drain } from './svm.js';
import { DMA_TLB_PSI_FLUSH, ECAP_DT, ECAP_PDS, ECAP_QIS, ECAP_SMTS, QI_FREE, type qi_desc } from './iommu-defs.js';
import { QI_RECLAIM_POLICY, intelQiModule, type QiReclaimPolicy } from './qi-reclaim.js';

/** Resolves the QI behaviour of a kernel variant through its container module. */
export function resolveQiPolicy(variant: string): QiReclaimPolicy {
  findVariant(variant);
  const container = new Container();
  container.load(intelQiModule(variant));
  return container.get<QiReclaimPolicy>(QI_RECLAIM_POLICY);
}

export interface QiUnitOptions {
  /** The variant's QI behaviour (resolveQiPolicy). */
  readonly policy: QiReclaimPolicy;
  /** QI_LENGTH of the build and the engine's ring size (default 256). */
  readonly queueLength?: number;
  /** 256-bit descriptors (ECAP.SMTS, default true) or the legacy 128-bit queue. */
  readonly scalableMode?: boolean;
  /** Unit name (default `dmar0`). */
  readonly name?: string;
}

/**
 * Builds one remapping unit inside a run: physical memory, the hardware with
 * its QI engine powered on, and the driver's intel_iommu. QI is not enabled yet.
 */
export function createQiUnit(k: Kernel, options: QiUnitOptions): IntelIommu {
  const name = options.name ?? 'dmar0';
  const phys = new PhysMemory();
  const ecap = ECAP_QIS | ECAP_DT | ECAP_PDS | (options.scalableMode === false ? 0n : ECAP_SMTS);
  const hw = new DmarHardware({ name, phys, ecap, queueEntries: options.queueLength });
  hw.powerOn(k);
  return new IntelIommu({ name, seq_id: 0, hw, phys, qiPolicy: options.policy, qiLength: options.queueLength });
}

/** `count` page-selective IOTLB invalidations of consecutive pages in domain 1 (what a batch of unmaps flushes). */
export function iotlbBatch(iommu: IntelIommu, count: number): qi_desc[] {
  const descs: qi_desc[] = [];
  for (let i = 0; i < count; i++) descs.push(qi_desc_iotlb(iommu, 1, BigInt(i) << 12n, 0, DMA_TLB_PSI_FLUSH));
  return descs;
}

/** A probed device the ITE path can look up by requester id (device_rbtree). */
export interface QiProbedDevice {
  readonly sid: number;
  readonly name?: string;
  /** pci_device_is_present(): false for a surprise-removed device. */
  readonly present: boolean;
}

export interface QiMachineOptions {
  readonly variant: string;
  /** The slot bookkeeping to run instead of the variant's (a mutant under test); default: the variant's. */
  readonly policy?: QiReclaimPolicy;
  /** State the queue's invariants (qiInvariants): checked after every step, at the cost of more schedules. */
  readonly invariants?: boolean;
  /** QI_LENGTH and ring size (default 8). */
  readonly queueLength?: number;
  readonly scalableMode?: boolean;
  /** Turn DMA remapping on first (GCMD.TE), as device-TLB flushes require (v6.7+). */
  readonly translation?: boolean;
  /** Devices in the unit's device_rbtree. */
  readonly devices?: readonly QiProbedDevice[];
  /** One body per CPU: task `cpuN` runs `cpus[N](iommu)`. */
  readonly cpus: ReadonlyArray<(iommu: IntelIommu) => Promise<unknown>>;
  /**
   * `twinOf[N] = M` (M < N): cpuN runs the same code on the same data as
   * cpuM, so the explorer may treat the two as interchangeable (symmetry
   * reduction, SpawnOptions.twinOf). Omitted or null: none.
   */
  readonly twinOf?: ReadonlyArray<number | null>;
}

/**
 * The general QI machine: one unit (dmar0) with queued invalidation enabled
 * by swapper/0, then one task per CPU running the given bodies.
 */
export function qiMachine(options: QiMachineOptions): Scenario {
  const policy = options.policy ?? resolveQiPolicy(options.variant);
  const queueLength = options.queueLength ?? 8;
  return async (k: Kernel) => {
    const iommu = createQiUnit(k, { policy, queueLength, scalableMode: options.scalableMode });
    for (const d of options.devices ?? []) {
      iommu.device_rbtree.set(d.sid, { dev_name: d.name ?? `0000:${hexByte(d.sid >> 8)}:${hexByte((d.sid >> 3) & 0x1f)}.${d.sid & 7}`, pci_device_is_present: () => d.present });
    }
    await dmar_enable_qi(iommu);
    if (options.invariants) qiInvariants(k, iommu.qi!);
    if (options.translation) await iommu_enable_translation(iommu);
    const tasks: Task[] = [];
    options.cpus.forEach((body, cpu) => {
      const twin = options.twinOf?.[cpu] ?? null;
      tasks.push(k.spawn(`cpu${cpu}`, () => body(iommu), { cpu, twinOf: twin === null ? undefined : tasks[twin] }));
    });
  };
}

const hexByte = (n: number): string => n.toString(16).padStart(2, '0');

/**
 * What must hold of a queue between any two steps, whatever the schedule
 * (state them from the scenario once dmar_enable_qi has allocated it): no
 * more free slots than the ring has, and no slot its owner still polls is
 * QI_FREE (reclaim must not take a wait slot from under its owner, the bug
 * 3cf74230c139 fixed).
 */
export function qiInvariants(k: Kernel, qi: QInval): void {
  k.invariant('free_cnt <= QI_LENGTH', [qi.free_cnt],
    () => qi.free_cnt.value <= qi.QI_LENGTH || `free_cnt = ${qi.free_cnt.value}, QI_LENGTH = ${qi.QI_LENGTH}`);
  k.invariant('no slot its owner polls is QI_FREE', [...qi.desc_status.words.all(), ...qi.polled_by.all()], () => {
    for (let slot = 0; slot < qi.QI_LENGTH; slot++) {
      const owner = qi.polled_by.at(slot).value;
      if (owner !== null && qi.desc_status.words.at(slot).value === QI_FREE) return `${owner} polls slot ${slot}, which is QI_FREE`;
    }
    return true;
  });
}

export interface QiZeroCountOptions {
  /** Descriptors each CPU submits per call, e.g. [1, 0]: cpu0 one IOTLB flush, cpu1 a bare wait. */
  readonly counts: readonly number[];
  readonly variant: string;
  /** QI_LENGTH and ring size; small values make the ring wrap (default 8). */
  readonly queueLength?: number;
  /** Calls to qi_submit_sync each CPU makes (default 1). */
  readonly submissions?: number;
  readonly scalableMode?: boolean;
  /** Receives each CPU's return values, when the caller wants to check them: `results[cpu]` gets one per call. */
  readonly results?: number[][];
  /** As in QiMachineOptions. */
  readonly policy?: QiReclaimPolicy;
  readonly invariants?: boolean;
}

/**
 * The 0-count race of 3cf74230c139: one task per CPU (`cpu0`, `cpu1`, …),
 * each calling qi_submit_sync() with its count (count 0 through the
 * hypothetical DMA-drain caller, count n as n page-selective IOTLB
 * invalidations) while the QI engine runs asynchronously. On v6.11 a CPU with
 * count 0 can poll, forever, a status word another CPU's reclaim turned to
 * QI_FREE; on v6.12 it cannot.
 */
export function qiZeroCount(options: QiZeroCountOptions): Scenario {
  const submissions = options.submissions ?? 1;
  const queueLength = options.queueLength ?? 8;
  if (!Number.isInteger(queueLength) || queueLength < 4 || queueLength % 2 !== 0) {
    throw new KemuError('bad-usage', `a queue of ${queueLength} slots: QI_LENGTH must be an even whole number of at least 4`);
  }
  for (const c of options.counts) {
    if (!Number.isInteger(c) || c < 0 || c + 2 > queueLength) {
      throw new KemuError('bad-usage', `count ${c} does not fit a queue of ${queueLength} slots: a submission needs count + 2 free slots`);
    }
  }
  return qiMachine({
    variant: options.variant, queueLength, scalableMode: options.scalableMode, policy: options.policy, invariants: options.invariants,
    // CPUs that submit the same count run the same code on the same data.
    twinOf: options.counts.map((count, cpu) => {
      const first = options.counts.indexOf(count);
      return first < cpu ? first : null;
    }),
    cpus: options.counts.map((count, cpu) => async (iommu: IntelIommu) => {
      for (let n = 0; n < submissions; n++) {
        const rc = count === 0 ? await intel_iommu_dma_drain(iommu) : await qi_submit_sync(iommu, iotlbBatch(iommu, count), count, 0);
        options.results?.[cpu]?.push(rc);
      }
    }),
  });
}

/** Most CPUs `kemu run qi-zero-count --counts` takes. */
const MAX_CPUS = 8;

/** What `kemu run qi-zero-count` lets its user choose: each configuration of the patch's claims, and more. */
const QI_ZERO_COUNT_PARAMETERS = {
  counts: counts({ help: 'descriptors each CPU submits per call, one count per CPU (0: a bare wait, the DMA drain)', default: [1, 0], maxLength: MAX_CPUS }),
  queueLength: count({ help: 'QI_LENGTH, the ring\'s slots (256 upstream; an even number; small rings wrap)', default: 8, min: 4, max: 256 }),
  submissions: count({ help: 'qi_submit_sync() calls each CPU makes', default: 1, min: 1 }),
  legacyQueue: toggle({ help: 'the legacy 128-bit descriptor queue (ECAP.SMTS clear: IQA.DW = 0, 16-byte slots)' }),
  invariants: toggle({ help: 'check the queue\'s invariants after every step (qiInvariants): a report at the first state that breaks one' }),
};

/** The catalog entry: `kemu run qi-zero-count [--kernel v6.12] [--counts 1,1,0] …`. */
export const qiZeroCountEntry: ScenarioEntry<typeof QI_ZERO_COUNT_PARAMETERS> = {
  name: 'qi-zero-count',
  summary: 'VT-d qi_submit_sync with 0 descriptors racing a 1-descriptor submission: soft lockup before 3cf74230c139 (v6.12-rc1)',
  variants: ['v6.11', 'v6.12'],
  defaultVariant: 'v6.11',
  parameters: QI_ZERO_COUNT_PARAMETERS,
  build: (variant, p) => qiZeroCount({
    variant, counts: p.counts, queueLength: p.queueLength, submissions: p.submissions, scalableMode: !p.legacyQueue, invariants: p.invariants,
  }),
  strategy: 'dpor',
  // 3cf74230c139's description calls the two submitters T1 and T2 and the queue the Hardware; further CPUs go on.
  taskNames: { ...Object.fromEntries(Array.from({ length: MAX_CPUS }, (_, cpu) => [`cpu${cpu}`, `T${cpu + 1}`])), 'dmar0-qi': 'Hardware' },
};
