/** `--save` on eval, eval-video and train: one run, written in one transaction, id returned. */
import { basename, resolve } from 'node:path';
import type { ConfusionMatrix, SegmentationMetrics } from '@pixelwise/eval';

export interface SaveRunOptions {
  kind: 'eval' | 'eval-video' | 'train';
  metrics: SegmentationMetrics | undefined;
  extra?: Record<string, number | null>;
  vpq?: { vpq: number | null; vpqThings: number | null; vpqStuff: number | null; temporalConsistency?: number | null };
  /** Summary metrics when no full SegmentationMetrics are at hand (training's validation). */
  valSummary?: { meanIoU: number; pixelAccuracy: number; meanAccuracy: number };
  confusion?: ConfusionMatrix;
  model?: string;
  modelFamily?: string;
  backend?: string;
  inputSize?: { width: number; height: number };
  batch?: number;
  dataset: string;
  datasetKind?: 'images' | 'video';
  classNames: string[];
  tags: string[];
  command: string;
}

/** Saves the run (loading the database code only now); returns its id. */
export async function saveRun(o: SaveRunOptions): Promise<number | string> {
  const db = await import('@pixelwise/db');
  const { withDb } = await import('./open.js');
  const m = o.metrics;
  const confusion = o.confusion ? confusionInput(o.confusion) : undefined;
  return withDb(async (conn) => {
    const { id } = await db.saveRun(conn, {
      kind: o.kind,
      ...(o.model ? { model: { name: o.model, ...(o.modelFamily ? { family: o.modelFamily } : {}) } } : {}),
      ...(o.backend ? { backend: o.backend } : {}),
      ...(o.inputSize ? { inputSize: o.inputSize } : {}),
      ...(o.batch ? { batch: o.batch } : {}),
      dataset: { name: o.dataset, kind: o.datasetKind ?? (o.kind === 'eval-video' ? 'video' : 'images'), classNames: o.classNames },
      command: o.command,
      tags: o.tags,
      metrics: {
        pixelAccuracy: nan(m?.pixelAccuracy ?? o.valSummary?.pixelAccuracy),
        meanAccuracy: nan(m?.meanAccuracy ?? o.valSummary?.meanAccuracy),
        meanIoU: nan(m?.meanIoU ?? o.valSummary?.meanIoU),
        frequencyWeightedIoU: nan(m?.frequencyWeightedIoU),
        ...(m ? { numPixels: m.numPixels } : {}),
        vpq: nan(o.vpq?.vpq),
        vpqThings: nan(o.vpq?.vpqThings),
        vpqStuff: nan(o.vpq?.vpqStuff),
        temporalConsistency: nan(o.vpq?.temporalConsistency),
        fps: null,
        ...(o.extra ? { extra: o.extra } : {}),
      },
      perClass: perClassInput(m),
      ...(confusion ? { confusion } : {}),
    });
    return id;
  });
}

/** A data set's display name: the preset, else the ground-truth folder's name. */
export function datasetName(preset: string | undefined, gtDir: string): string {
  return preset ?? basename(resolve(gtDir));
}

/** NaN and missing values as the database's null. */
export const nan = (v: number | undefined | null): number | null => (v == null || Number.isNaN(v) ? null : v);

/** Per-class rows of a run from evaluation metrics (NaN IoU as null). */
export function perClassInput(m: SegmentationMetrics | undefined) {
  return (m?.perClass ?? []).map((c) => ({ id: c.id, name: c.name, iou: nan(c.iou), accuracy: nan(c.accuracy), gtPixels: c.gtPixels, predPixels: c.predPixels }));
}

/** The confusion matrix as stored with a run (up to 256 classes; larger ones are not stored). */
export function confusionInput(cm: ConfusionMatrix): { numClasses: number; counts: number[] } | undefined {
  return cm.numClasses <= 256 ? { numClasses: cm.numClasses, counts: Array.from(cm.toDense()) } : undefined;
}
