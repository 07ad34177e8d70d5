/**
 * Runs a video method over videos and measures it the way the video papers report: mean IoU
 * against the ground truth, temporal consistency of consecutive predictions through the
 * ground-truth flow (`@pixelwise/eval` TemporalConsistency), wall time per frame (the method's
 * step and the read-back of its labels; file reading and scoring excluded), multiply-adds per
 * frame from the units that ran, and a per-frame record.
 */
import { tf } from '@pixelwise/core';
import type { FlowField } from '@pixelwise/core/io';
import { ConfusionMatrix, segmentationMetrics, summarizeLatencies, TemporalConsistency, type LabelArray, type LatencyStats, type SegmentationMetrics, type TemporalConsistencyResult } from '@pixelwise/eval';
import { toUint8Rgb } from '@pixelwise/models';
import type { VideoSegmenter } from './video-segmenter.js';

export interface VideoFrameInput {
  /** Frame name (file name without extension). */
  name: string;
  image: { width: number; height: number; data: Uint8Array };
  /** Ground-truth class ids `[H*W]` (ignore index for void), when annotated. */
  labels?: LabelArray;
  /** Flow from this frame to the next (absent on the last frame). */
  flowToNext?: FlowField;
}

export interface VideoInput {
  name: string;
  frames: number;
  frame(t: number): Promise<VideoFrameInput>;
}

/** One frame of the record (the `frame-record` artifact's `frames`). */
export interface FrameRecord {
  video: string;
  frame: number;
  ran: string[];
  ms: number;
  /** Multiply-adds spent on the frame. */
  macs: number;
  /** Mean IoU of this frame alone; null without ground truth. */
  meanIoU: number | null;
}

/** The baseline's share of a run (see {@link RunVideosOptions.baseline}). */
export interface BaselineResult {
  metrics: SegmentationMetrics;
  latency: LatencyStats;
  macsPerFrame: number;
}

export interface VideoRunResult {
  metrics: SegmentationMetrics;
  /** With a baseline: its mIoU and timing, measured on the same frames in the same run. */
  baseline?: BaselineResult;
  temporalConsistency?: TemporalConsistencyResult;
  latency: LatencyStats;
  macsPerFrame: number;
  /** Per unit: share of frames on which it ran. */
  unitFractions: number[];
  frames: FrameRecord[];
}

export interface RunVideosOptions {
  numClasses: number;
  ignoreIndex?: number;
  names?: readonly string[];
  /** Untimed steps on the first frame before measuring (kernel set-up). Default 2. */
  warmup?: number;
  /**
   * A second segmenter (e.g. per-frame inference, or TDNet's teacher) stepped on every frame
   * too, alternating which of the two goes first, so that both timings share the machine's
   * noise and their ratio can be trusted on a busy machine.
   */
  baseline?: VideoSegmenter;
  /** Called with each frame's record, its predicted labels and the frame itself. */
  onFrame?: (record: FrameRecord, labels: Int32Array, done: number, total: number, frame: VideoFrameInput) => void | Promise<void>;
}

export async function runVideos(seg: VideoSegmenter, videos: readonly VideoInput[], o: RunVideosOptions): Promise<VideoRunResult> {
  const ignoreIndex = o.ignoreIndex ?? 255;
  const total = videos.reduce((s, v) => s + v.frames, 0);
  if (total === 0) throw new Error('no frames to run');
  const cm = new ConfusionMatrix({ numClasses: o.numClasses, ignoreIndex });
  const tc = new TemporalConsistency({ numClasses: o.numClasses, ignoreIndex });
  let tcPairs = 0;
  const base = o.baseline ? { seg: o.baseline, cm: new ConfusionMatrix({ numClasses: o.numClasses, ignoreIndex }), ms: [] as number[], macs: 0 } : undefined;
  const segmenters = base ? [seg, base.seg] : [seg];
  const first = videos.find((v) => v.frames > 0);
  if (first && (o.warmup ?? 2) > 0) {
    const f = await first.frame(0);
    for (const s of segmenters) {
      for (let i = 0; i < (o.warmup ?? 2); i++) await timedStep(s, f.image);
      s.reset();
    }
  }
  const records: FrameRecord[] = [];
  const counts = seg.units.map(() => 0);
  for (const v of videos) {
    segmenters.forEach((s) => s.reset());
    let previous: { labels: Int32Array; flow?: FlowField; name: string } | undefined;
    for (let t = 0; t < v.frames; t++) {
      const f = await v.frame(t);
      const baselineFirst = base !== undefined && records.length % 2 === 1;
      const runBaseline = async () => {
        if (!base) return;
        const b = await timedStep(base.seg, f.image);
        base.ms.push(b.ms);
        base.macs += b.macs;
        if (f.labels) base.cm.add(f.labels, b.labels, { width: f.image.width });
      };
      if (baselineFirst) await runBaseline();
      const { labels, ms, ran, macs } = await timedStep(seg, f.image);
      if (!baselineFirst) await runBaseline();
      let meanIoU: number | null = null;
      if (f.labels) {
        const source = `${v.name}/${f.name}`;
        cm.add(f.labels, labels, { width: f.image.width, gtSource: source, predSource: source });
        const one = new ConfusionMatrix({ numClasses: o.numClasses, ignoreIndex });
        one.add(f.labels, labels, { width: f.image.width, gtSource: source, predSource: source });
        const m = segmentationMetrics(one).meanIoU;
        meanIoU = Number.isNaN(m) ? null : m;
      }
      if (previous?.flow) {
        tc.addPair(previous.labels, labels, previous.flow, { current: `${v.name}/${previous.name}`, next: `${v.name}/${f.name}`, flow: `${v.name}/${previous.name}.flo` });
        tcPairs++;
      }
      previous = { labels, name: f.name, ...(f.flowToNext ? { flow: f.flowToNext } : {}) };
      ran.forEach((u) => {
        const i = seg.units.indexOf(u);
        if (i >= 0) counts[i] = (counts[i] ?? 0) + 1;
      });
      const record: FrameRecord = { video: v.name, frame: t, ran, ms, macs, meanIoU };
      records.push(record);
      await o.onFrame?.(record, labels, records.length, total, f);
    }
  }
  segmenters.forEach((s) => s.reset());
  return {
    metrics: segmentationMetrics(cm, o.names ?? []),
    ...(base ? { baseline: { metrics: segmentationMetrics(base.cm, o.names ?? []), latency: summarizeLatencies(base.ms), macsPerFrame: base.macs / records.length } } : {}),
    ...(tcPairs > 0 ? { temporalConsistency: tc.result(o.names ?? []) } : {}),
    latency: summarizeLatencies(records.map((r) => r.ms), o.warmup ?? 2),
    macsPerFrame: records.reduce((s, r) => s + r.macs, 0) / records.length,
    unitFractions: counts.map((c) => c / records.length),
    frames: records,
  };
}

/** One step with its wall time (step + read-back of the labels; the upload of the frame excluded). */
async function timedStep(seg: VideoSegmenter, image: VideoFrameInput['image']): Promise<{ labels: Int32Array; ms: number; ran: string[]; macs: number }> {
  const rgb = toUint8Rgb(image);
  const t0 = performance.now();
  const out = await seg.step(rgb, { data: image.data, shape: [1, image.height, image.width] });
  const labels = out.labels instanceof Int32Array ? out.labels : new Int32Array(out.labels.dataSync());
  const ms = performance.now() - t0;
  tf.dispose(out.labels instanceof Int32Array ? [rgb] : [rgb, out.labels]);
  return { labels, ms, ran: out.ran, macs: out.macs };
}
