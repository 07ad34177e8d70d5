/**
 * Segmentation metrics from one confusion matrix, exactly as defined in DESIGN.md
 * ("Evaluation definitions"): tp/fp/fn per class first, reductions second.
 *
 * Absent-class policy: a class with no ground-truth and no predicted pixels has IoU (and Dice)
 * NaN and is left out of the means; absent from the ground truth but predicted, it has IoU 0.
 * Accuracy (= recall) is NaN without ground-truth pixels, precision NaN without predicted pixels;
 * NaN values are left out of their means. NaN becomes `null` in JSON.
 */
import type { ClassTotals, ConfusionMatrix } from './confusion-matrix.js';

export interface ClassMetrics {
  id: number;
  name: string;
  /** C_ii / (gtPixels + predPixels - C_ii). */
  iou: number;
  /** Class accuracy = recall = C_ii / gtPixels. */
  accuracy: number;
  /** 2 C_ii / (gtPixels + predPixels), also called F1. */
  dice: number;
  /** C_ii / predPixels. */
  precision: number;
  /** Same as `accuracy`. */
  recall: number;
  /** Ground-truth pixels of the class (row sum). */
  gtPixels: number;
  /** Pixels predicted as the class (column sum). */
  predPixels: number;
  /** Correctly predicted pixels (C_ii). */
  truePositives: number;
}

/** A plain, JSON-serialisable result (apart from NaN, which JSON writes as null). */
export interface SegmentationMetrics {
  numClasses: number;
  ignoreIndex: number | null;
  /** Counted pixels (ground truth not ignored). */
  numPixels: number;
  /** sum(diag) / numPixels. */
  pixelAccuracy: number;
  meanAccuracy: number;
  meanIoU: number;
  /** sum_i f_i IoU_i, f_i = gtPixels_i / numPixels. */
  frequencyWeightedIoU: number;
  meanDice: number;
  meanPrecision: number;
  meanRecall: number;
  /** Counted pixels whose prediction was the ignore index (a miss for their class). */
  unpredictedPixels: number;
  /** In class-id order. */
  perClass: ClassMetrics[];
}

/** Mean of the non-NaN values; NaN when there are none. */
export function nanMean(values: readonly number[]): number {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (!Number.isNaN(v)) {
      sum += v;
      n++;
    }
  }
  return n === 0 ? Number.NaN : sum / n;
}

/**
 * Computes every metric from a confusion matrix (or its totals).
 * @param names - class names in id order; missing ones default to the id.
 */
export function segmentationMetrics(
  source: ConfusionMatrix | (ClassTotals & { numClasses: number; ignoreIndex: number | null }),
  names: readonly string[] = [],
): SegmentationMetrics {
  const t: ClassTotals = 'totals' in source ? source.totals() : source;
  const { numClasses, ignoreIndex } = source;
  const perClass: ClassMetrics[] = [];
  let diag = 0;
  let unpredicted = 0;
  for (let i = 0; i < numClasses; i++) {
    const tp = t.tp[i] ?? 0;
    const gt = t.gtPixels[i] ?? 0;
    const pred = t.predPixels[i] ?? 0;
    diag += tp;
    unpredicted += t.unpredicted[i] ?? 0;
    const union = gt + pred - tp;
    const accuracy = gt > 0 ? tp / gt : Number.NaN;
    perClass.push({
      id: i,
      name: names[i] ?? String(i),
      iou: union > 0 ? tp / union : Number.NaN,
      accuracy,
      dice: gt + pred > 0 ? (2 * tp) / (gt + pred) : Number.NaN,
      precision: pred > 0 ? tp / pred : Number.NaN,
      recall: accuracy,
      gtPixels: gt,
      predPixels: pred,
      truePositives: tp,
    });
  }
  const total = t.numPixels;
  let fw = 0;
  for (const c of perClass) if (c.gtPixels > 0) fw += (c.gtPixels / total) * c.iou;
  return {
    numClasses,
    ignoreIndex,
    numPixels: total,
    pixelAccuracy: total > 0 ? diag / total : Number.NaN,
    meanAccuracy: nanMean(perClass.map((c) => c.accuracy)),
    meanIoU: nanMean(perClass.map((c) => c.iou)),
    frequencyWeightedIoU: total > 0 ? fw : Number.NaN,
    meanDice: nanMean(perClass.map((c) => c.dice)),
    meanPrecision: nanMean(perClass.map((c) => c.precision)),
    meanRecall: nanMean(perClass.map((c) => c.recall)),
    unpredictedPixels: unpredicted,
    perClass,
  };
}

const pct = (v: number): string => (Number.isNaN(v) ? '-' : (100 * v).toFixed(2));

/**
 * A printable table: one row per class (IoU, accuracy, Dice, precision in percent; pixel
 * counts), then the summary lines. `-` marks an undefined (NaN) value.
 */
export function formatMetricsTable(m: SegmentationMetrics): string {
  const nameWidth = Math.max(5, ...m.perClass.map((c) => c.name.length));
  const idWidth = Math.max(2, String(m.numClasses - 1).length);
  const cols = ['IoU', 'Acc', 'Dice', 'Prec'];
  const header = `${'id'.padStart(idWidth)}  ${'class'.padEnd(nameWidth)}  ${cols.map((c) => c.padStart(7)).join('')}  ${'gt px'.padStart(12)}  ${'pred px'.padStart(12)}`;
  const rows = m.perClass.map(
    (c) =>
      `${String(c.id).padStart(idWidth)}  ${c.name.padEnd(nameWidth)}  ${[c.iou, c.accuracy, c.dice, c.precision].map((v) => pct(v).padStart(7)).join('')}  ${String(c.gtPixels).padStart(12)}  ${String(c.predPixels).padStart(12)}`,
  );
  const summary = [
    `pixel accuracy          ${pct(m.pixelAccuracy)}%`,
    `mean accuracy           ${pct(m.meanAccuracy)}%`,
    `mean IoU                ${pct(m.meanIoU)}%`,
    `frequency-weighted IoU  ${pct(m.frequencyWeightedIoU)}%`,
    `mean Dice (F1)          ${pct(m.meanDice)}%`,
    `pixels                  ${m.numPixels}${m.unpredictedPixels > 0 ? ` (${m.unpredictedPixels} predicted as ignore)` : ''}`,
  ];
  return [header, '-'.repeat(header.length), ...rows, '', ...summary].join('\n');
}
