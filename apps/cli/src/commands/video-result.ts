/** What `pixelwise video` reports (its JSON result) and prints. */
import type { EngineInfo } from '@pixelwise/models';
import type { VideoMethod, VideoRunResult, VideoSegmenter } from '@pixelwise/video';

type Latency = { mean: number; p50: number; p90: number; p99: number };

export interface VideoResult {
  method: VideoMethod;
  schedule?: string;
  threshold?: number;
  model: string;
  /** Inference engine: onnx (ONNX Runtime) or tfjs (TensorFlow.js). */
  engine: 'onnx' | 'tfjs';
  /** `onnx-cpu`, `onnx-webgpu`, or the TensorFlow.js backend. */
  backend: string;
  executionProvider?: string;
  threads: number;
  device: string;
  data: string;
  split: string;
  videos: number;
  frames: number;
  /** `[width, height]` of the frames. */
  size: [number, number];
  meanIoU: number;
  pixelAccuracy: number;
  temporalConsistency: number | null;
  msPerFrame: number;
  gmacsPerFrame: number;
  /** Multiply-adds per frame relative to the image model on every frame (per-frame = 1). */
  macsFractionOfPerFrame: number;
  latencyMs: Latency;
  /** Per unit: share of frames on which it ran ("updates"), and its multiply-adds per run. */
  units: Array<{ name: string; fraction: number; gmacs: number }>;
  /** With --baseline-weights: the per-frame image model timed on the same frames, alternating with the method. */
  baseline?: { model: string; meanIoU: number; msPerFrame: number; gmacsPerFrame: number; latencyMs: Latency };
  /** msPerFrame / baseline msPerFrame (same run). */
  msRatioToBaseline?: number;
  frameRecord?: string;
  stageMaps?: string;
  runId?: number | string;
}

const latencyMs = (l: Latency): Latency => ({ mean: l.mean, p50: l.p50, p90: l.p90, p99: l.p99 });

/** The result of a run of `seg` (`size` `[height, width]`). */
export function videoResult(
  o: { method: VideoMethod; schedule?: string; threshold?: number | undefined; model: string; engine: EngineInfo; device: string; data: string; split: string; videos: number; size: [number, number]; perFrameMacs: number; baselineModel: string },
  seg: VideoSegmenter,
  r: VideoRunResult,
): VideoResult {
  const res: VideoResult = {
    method: o.method,
    ...(o.schedule ? { schedule: o.schedule } : {}),
    ...(o.threshold !== undefined ? { threshold: o.threshold } : {}),
    model: o.model,
    engine: o.engine.engine,
    backend: o.engine.backend,
    ...(o.engine.executionProvider ? { executionProvider: o.engine.executionProvider } : {}),
    threads: o.engine.threads,
    device: o.device,
    data: o.data,
    split: o.split,
    videos: o.videos,
    frames: r.frames.length,
    size: [o.size[1], o.size[0]],
    meanIoU: r.metrics.meanIoU,
    pixelAccuracy: r.metrics.pixelAccuracy,
    temporalConsistency: r.temporalConsistency?.temporalConsistency ?? null,
    msPerFrame: r.latency.mean,
    gmacsPerFrame: r.macsPerFrame / 1e9,
    macsFractionOfPerFrame: o.perFrameMacs > 0 ? r.macsPerFrame / o.perFrameMacs : 1,
    latencyMs: latencyMs(r.latency),
    units: seg.units.map((name, i) => ({ name, fraction: r.unitFractions[i] ?? 0, gmacs: (seg.unitMacs[i] ?? 0) / 1e9 })),
  };
  if (r.baseline) {
    const b = r.baseline;
    res.baseline = { model: o.baselineModel, meanIoU: b.metrics.meanIoU, msPerFrame: b.latency.mean, gmacsPerFrame: b.macsPerFrame / 1e9, latencyMs: latencyMs(b.latency) };
    res.msRatioToBaseline = res.msPerFrame / b.latency.mean;
  }
  return res;
}

const pct = (v: number | null) => (v === null || Number.isNaN(v) ? '-' : (100 * v).toFixed(2));

export function formatVideo(r: VideoResult): string {
  const what = r.method === 'clockwork' ? `clockwork (${r.schedule}${r.threshold !== undefined ? `, threshold ${r.threshold}` : ''})` : r.method;
  return [
    `${what} ${r.model} on ${r.videos} videos / ${r.frames} frames (${r.size[0]}x${r.size[1]}, ${r.data} ${r.split}), ${r.backend}`,
    `mIoU ${pct(r.meanIoU)}  TC ${pct(r.temporalConsistency)}  ${r.msPerFrame.toFixed(1)} ms/frame (p50 ${r.latencyMs.p50.toFixed(1)}, p90 ${r.latencyMs.p90.toFixed(1)})  ${r.gmacsPerFrame.toFixed(3)} GMACs/frame (${(100 * r.macsFractionOfPerFrame).toFixed(1)}% of per-frame)`,
    `updates: ${r.units.map((u) => `${u.name} ${(100 * u.fraction).toFixed(1)}%`).join(', ')}`,
    ...(r.baseline ? [`baseline per-frame ${r.baseline.model}: mIoU ${pct(r.baseline.meanIoU)}  ${r.baseline.msPerFrame.toFixed(1)} ms/frame (p50 ${r.baseline.latencyMs.p50.toFixed(1)})  ${r.baseline.gmacsPerFrame.toFixed(3)} GMACs/frame; time ratio ${(r.msRatioToBaseline ?? 0).toFixed(3)} (same frames, alternating)`] : []),
    ...(r.frameRecord ? [`frame record ${r.frameRecord}`] : []),
    ...(r.runId !== undefined ? [`saved run ${r.runId}`] : []),
    '',
  ].join('\n');
}
