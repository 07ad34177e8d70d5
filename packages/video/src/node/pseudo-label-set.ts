/**
 * A round of video self-training's pseudo-labels on disk: for every frame t >= k of the target's
 * training videos, `DIR/<video>/<frame>.png` (8-bit class ids, 255 where the consistency filter
 * or the confidence threshold dropped the pixel), and `DIR/pseudo-labels.json` written last (what
 * made them and how much was kept). Only the target's images are read; its `gt/` and flow never.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { decodeLabelPng, encodeLabelPng } from '@pixelwise/core/io';
import type { SampleSource, Segmentor } from '@pixelwise/models';
import { DatasetError, readBytes, readJsonFile, writeFileAtomic } from '@pixelwise/models/node';
import { z } from 'zod';
import type { FlowEstimator } from '../frame-pairs.js';
import { classBalancedThresholds } from '../uda/class-balance.js';
import { predictFrame, selectPseudoLabel, type FramePrediction, type PseudoLabelOptions } from '../uda/pseudo-labels.js';
import { openVideoDataset } from './video-dataset.js';

const indexSchema = z.object({
  format: z.literal('pixelwise-pseudo-labels'),
  version: z.literal(1),
  /** The checkpoint whose predictions they are. */
  from: z.string(),
  target: z.string(),
  gap: z.number().int().positive(),
  threshold: z.number(),
  /** Class-balanced selection (CBST): the portion of each class's pixels kept, and the thresholds it gave (null: class never predicted). */
  classPortion: z.number().optional(),
  classThresholds: z.array(z.number().nullable()).optional(),
  consistency: z.boolean(),
  flow: z.string(),
  frames: z.array(z.string()),
  /** Share of pixels kept, confident, and temporally consistent, over all frames. */
  kept: z.number(),
  confident: z.number(),
  consistent: z.number(),
});
export type PseudoLabelIndex = z.infer<typeof indexSchema>;

const INDEX = 'pseudo-labels.json';

export interface WritePseudoLabelsOptions extends PseudoLabelOptions {
  model: Segmentor;
  /** Checkpoint the model came from (recorded). */
  from: string;
  /** Target video data set (its train split is labelled). */
  target: string;
  out: string;
  gap: number;
  flow: FlowEstimator;
  /** Name of the flow estimator (recorded): `lucas-kanade` or a checkpoint. */
  flowName: string;
  /**
   * Class-balanced thresholds (CBST, `classBalancedThresholds`): keep the most confident portion
   * of each class's predicted pixels over the whole target set, in place of `threshold`.
   */
  classPortion?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Writes the pseudo-labels of every target training frame t >= gap; returns the index. With
 * `classPortion` every frame is predicted first (the class thresholds rank the whole set), then
 * selected and written.
 */
export async function writePseudoLabels(o: WritePseudoLabelsOptions): Promise<PseudoLabelIndex> {
  const d = await openVideoDataset(o.target, 'train');
  const jobs = d.videos.flatMap((v) => v.frames.slice(o.gap).map((f, j) => ({ video: v.name, frame: f, previous: v.frames[j] as string })));
  const predictJob = async (job: (typeof jobs)[number]): Promise<FramePrediction> => {
    const [current, previous] = await Promise.all([d.readImage(job.video, job.frame), d.readImage(job.video, job.previous)]);
    return predictFrame(o.model, current, previous, o.flow, o);
  };
  const threshold = o.threshold ?? 0.95;
  let thresholds: number | Float32Array = threshold;
  let predicted: FramePrediction[] | undefined;
  if (o.classPortion !== undefined) {
    predicted = [];
    for (const job of jobs) predicted.push(await predictJob(job));
    thresholds = classBalancedThresholds(predicted, o.model.numClasses, o.classPortion);
  }
  const sums = { kept: 0, confident: 0, consistent: 0 };
  for (const [i, job] of jobs.entries()) {
    const pl = selectPseudoLabel(predicted?.[i] ?? (await predictJob(job)), thresholds, o.ignoreIndex ?? 255);
    sums.kept += pl.kept;
    sums.confident += pl.confident;
    sums.consistent += pl.consistent;
    await writeFileAtomic(join(o.out, job.video, `${job.frame}.png`), encodeLabelPng({ width: pl.width, height: pl.height, data: pl.labels }));
    o.onProgress?.(i + 1, jobs.length);
  }
  const n = Math.max(1, jobs.length);
  const index: PseudoLabelIndex = {
    format: 'pixelwise-pseudo-labels',
    version: 1,
    from: o.from,
    target: o.target,
    gap: o.gap,
    threshold,
    ...(typeof thresholds === 'number' ? {} : { classPortion: o.classPortion, classThresholds: Array.from(thresholds, (t) => (Number.isFinite(t) ? t : null)) }),
    consistency: o.consistency ?? true,
    flow: o.flowName,
    frames: jobs.map((j) => `${j.video}/${j.frame}`),
    kept: sums.kept / n,
    confident: sums.confident / n,
    consistent: sums.consistent / n,
  };
  await writeFileAtomic(join(o.out, INDEX), `${JSON.stringify(index, null, 2)}\n`);
  return index;
}

/** The index of a complete pseudo-label directory, or undefined when there is none (not written, or interrupted). */
export async function readPseudoLabelIndex(dir: string): Promise<PseudoLabelIndex | undefined> {
  const path = join(dir, INDEX);
  if (!existsSync(path)) return undefined;
  const r = indexSchema.safeParse(await readJsonFile(path));
  if (!r.success) throw new DatasetError(`${path}: not a pseudo-label index (${r.error.issues[0]?.path.join('.') ?? ''}: ${r.error.issues[0]?.message ?? 'invalid'})`);
  return r.data;
}

/** The target's training frames with their pseudo-labels, as the trainer's sample source. */
export async function openPseudoLabelled(dir: string): Promise<SampleSource & { index: PseudoLabelIndex }> {
  const index = await readPseudoLabelIndex(dir);
  if (!index) throw new DatasetError(`${join(dir, INDEX)}: no pseudo-label index (not written, or interrupted)`);
  const d = await openVideoDataset(index.target, 'train');
  return {
    index,
    names: index.frames,
    read: async (i) => {
      const name = index.frames[i];
      if (name === undefined) throw new RangeError(`pseudo-label ${i} out of range 0..${index.frames.length - 1}`);
      const [video, frame] = name.split('/') as [string, string];
      const file = join(dir, video, `${frame}.png`);
      const image = await d.readImage(video, frame);
      const labels = decodeLabelPng(await readBytes(file), file);
      if (!(labels.data instanceof Uint8Array) || labels.width !== image.width || labels.height !== image.height) throw new DatasetError(`${file}: expected an 8-bit ${image.width}x${image.height} label PNG`);
      return { name, image, labels: { width: labels.width, height: labels.height, data: labels.data } };
    },
  };
}
