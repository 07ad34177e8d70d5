/**
 * `predict --crf`: the dense CRF on each image's scores on the way to the label PNG (the CRF's
 * image is the input image), on worker threads while the network runs on the next image. Flags:
 * `--crf`, `--crf-preset`, `--crf-iterations` and the kernel parameters of `pixelwise crf`.
 */
import { CrfWorkerPool, type CrfLogitsJob } from '@pixelwise/core/node';
import type { CrfParams } from '@pixelwise/core/crf';
import { InFlight } from '@pixelwise/models/node';
import { CRF_KERNEL_FLAGS, crfIterationsFlag, crfParams, crfPresetFlag, requireSwitch } from './crf-flags.js';
import { CliError } from './errors.js';
import { flag, type Parsed } from './flags.js';

export const PREDICT_CRF_FLAGS = {
  crf: flag.bool('refine the labels with the dense CRF (mean field on the permutohedral lattice; docs/CRF.md); --logits still writes the network\'s scores'),
  crfPreset: crfPresetFlag(),
  crfIterations: crfIterationsFlag(),
  ...CRF_KERNEL_FLAGS,
};

export interface CrfStage {
  params: CrfParams;
  /** Queues one image; `write` gets its CRF labels. Waits while the workers are all busy. */
  add(source: string, job: CrfLogitsJob, write: (labels: Uint8Array | Uint16Array) => Promise<void>): Promise<void>;
  /** Waits for every queued image (throws the first failure), then stops the workers. */
  finish(): Promise<void>;
  /** Stops the workers (after a failure elsewhere). */
  close(): Promise<void>;
}

/** The CRF stage `--crf` asks for, or undefined (then no CRF flag may be given). */
export function predictCrf(o: Parsed<typeof PREDICT_CRF_FLAGS>): CrfStage | undefined {
  const { crf, crfPreset, crfIterations } = o;
  const kernel = { posW: o.posW, posXy: o.posXy, biW: o.biW, biXy: o.biXy, biRgb: o.biRgb };
  requireSwitch(crf, { crfPreset, crfIterations, ...kernel }, 'a CRF parameter; add --crf');
  if (!crf) return undefined;
  const params = crfParams(crfPreset, crfIterations, kernel);
  const pool = new CrfWorkerPool({ crf: params });
  const inFlight = new InFlight(2);
  return {
    params,
    add: (source, job, write) =>
      inFlight.add(async () => {
        const { labels } = await pool.refine(job).catch((e: unknown) => {
          throw new CliError(`${source}: ${e instanceof Error ? e.message : String(e)}`);
        });
        await write(labels);
      }),
    finish: async () => {
      await inFlight.drain().finally(() => pool.close());
    },
    close: () => pool.close(),
  };
}
