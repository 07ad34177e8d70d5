/**
 * @pixelwise/eval — segmentation metrics that run without TensorFlow.js (and without Node
 * built-ins: filesystem and worker helpers live in `@pixelwise/eval/node`).
 */
export { ConfusionMatrix, MAX_DENSE_CLASSES } from './confusion-matrix.js';
export type { AddOptions, ClassTotals, ConfusionMatrixData, ConfusionMatrixOptions, LabelArray } from './confusion-matrix.js';
export { LabelError } from './label-error.js';
export { formatMetricsTable, nanMean, segmentationMetrics } from './segmentation-metrics.js';
export type { ClassMetrics, SegmentationMetrics } from './segmentation-metrics.js';
export { measure, percentile, summarizeLatencies } from './latency.js';
export type { LatencyStats, MeasureOptions } from './latency.js';
export {
  CAMVID_CLASSES,
  CITYSCAPES_CLASSES,
  DATASETS,
  VOC_CLASSES,
  parseClassNames,
} from './datasets.js';
export type { DatasetName, DatasetPreset } from './datasets.js';
export { CITYSCAPES_ID_TO_TRAIN_ID, CITYSCAPES_LABELS, CITYSCAPES_TRAIN_CLASSES, cityscapesToTrainIds } from './cityscapes-labels.js';
export type { CityscapesLabel } from './cityscapes-labels.js';
export { VpqAccumulator } from './vpq.js';
export type { PanopticFrame, VpqClassResult, VpqOptions, VpqResult, VpqWindowResult } from './vpq.js';
export { TemporalConsistency, warpLabelsBack } from './temporal-consistency.js';
export type { TemporalConsistencyResult } from './temporal-consistency.js';
export { frameRecordSchema, parseFrameRecord } from './frame-record.js';
export type { FrameRecordFile } from './frame-record.js';
export { OracleAccumulator } from './oracle.js';
export { boundaryBand } from './boundary-band.js';
export type { OracleOptions, OracleResult } from './oracle.js';
