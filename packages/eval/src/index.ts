/**
 * @pixelwise/eval — segmentation metrics that run without TensorFlow.js.
 */
export { measure, percentile, summarizeLatencies } from './latency.js';
export type { LatencyStats, MeasureOptions } from './latency.js';
