/** `--save` for evaluation results: one run, written in one transaction, id returned. */
import { basename, resolve } from 'node:path';
import type { ConfusionMatrix, SegmentationMetrics } from '@pixelwise/eval';

export interface SaveEvalOptions {
  kind: 'eval' | 'eval-video';
  metrics: SegmentationMetrics | undefined;
  extra?: Record<string, number | null>;
  vpq?: { vpq: number | null; vpqThings: number | null; vpqStuff: number | null; temporalConsistency?: number | null };
  confusion?: ConfusionMatrix;
  model?: string;
  dataset: string;
  classNames: string[];
  tags: string[];
  command: string;
}

/** Saves the run (loading the database code only now); returns its id. */
export async function saveEvalRun(o: SaveEvalOptions): Promise<number | string> {
  const { saveRun } = await import('@pixelwise/db');
  const { withDb } = await import('./open.js');
  const m = o.metrics;
  const nan = (v: number | undefined | null) => (v == null || Number.isNaN(v) ? null : v);
  const confusion = o.confusion && o.confusion.numClasses <= 256 ? { numClasses: o.confusion.numClasses, counts: Array.from(o.confusion.toDense()) } : undefined;
  return withDb(async (db) => {
    const { id } = await saveRun(db, {
      kind: o.kind,
      ...(o.model ? { model: { name: o.model } } : {}),
      dataset: { name: o.dataset, kind: o.kind === 'eval' ? 'images' : 'video', classNames: o.classNames },
      command: o.command,
      tags: o.tags,
      metrics: {
        pixelAccuracy: nan(m?.pixelAccuracy),
        meanAccuracy: nan(m?.meanAccuracy),
        meanIoU: nan(m?.meanIoU),
        frequencyWeightedIoU: nan(m?.frequencyWeightedIoU),
        ...(m ? { numPixels: m.numPixels } : {}),
        vpq: nan(o.vpq?.vpq),
        vpqThings: nan(o.vpq?.vpqThings),
        vpqStuff: nan(o.vpq?.vpqStuff),
        temporalConsistency: nan(o.vpq?.temporalConsistency),
        fps: null,
        ...(o.extra ? { extra: o.extra } : {}),
      },
      perClass: (m?.perClass ?? []).map((c) => ({ id: c.id, name: c.name, iou: nan(c.iou), accuracy: nan(c.accuracy), gtPixels: c.gtPixels, predPixels: c.predPixels })),
      ...(confusion ? { confusion } : {}),
    });
    return id;
  });
}

/** A data set's display name: the preset, else the ground-truth folder's name. */
export function datasetName(preset: string | undefined, gtDir: string): string {
  return preset ?? basename(resolve(gtDir));
}
