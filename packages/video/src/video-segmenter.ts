/**
 * The contract every video method meets (per-frame, Clockwork, TDNet): frames of one video go in
 * one at a time, labels come out, and each frame reports which of the method's units (stages,
 * sub-networks) ran and the multiply-adds that cost.
 */
import { tf } from '@pixelwise/core';
import type { Tensor2D, Tensor4D } from '@pixelwise/core';
import { Segmentor, type ImageSegmenter, type RgbBatch } from '@pixelwise/models';

export interface FrameOutput {
  /** Class ids `[H, W]`: an int32 tensor (the caller disposes it) or, from ONNX Runtime, row-major values. */
  labels: Tensor2D | Int32Array;
  /** Names of the units that ran on this frame, in unit order. */
  ran: string[];
  /** Multiply-adds spent on this frame. */
  macs: number;
}

export interface VideoSegmenter {
  /** The method's units, e.g. `stage1..3` (Clockwork) or `subnet1..m` (TDNet). */
  readonly units: readonly string[];
  /** Multiply-adds of each unit when it runs, in `units` order. */
  readonly unitMacs: readonly number[];
  /** Multiply-adds spent on every frame whatever ran (fusion, attention, head). */
  readonly sharedMacs: number;
  /** Forget every cached feature: the next frame starts a new video. */
  reset(): void;
  /**
   * Segments the next frame: uint8-range RGB `[1, H, W, 3]` as a tensor, and the same bytes
   * (`frame`, what an ONNX Runtime method feeds; read from `rgb` when absent).
   */
  step(rgb: Tensor4D, frame?: RgbBatch): FrameOutput | Promise<FrameOutput>;
  dispose(): void;
}

/** Multiply-adds of a frame on which `ran` (flags in unit order) ran. */
export function frameMacs(s: Pick<VideoSegmenter, 'unitMacs' | 'sharedMacs'>, ran: readonly boolean[]): number {
  return ran.reduce((sum, r, i) => sum + (r ? (s.unitMacs[i] ?? 0) : 0), s.sharedMacs);
}

/** Names of the units whose flag is set. */
export function ranUnits(units: readonly string[], ran: readonly boolean[]): string[] {
  return units.filter((_, i) => ran[i] === true);
}

/** The frame's bytes: `frame` when given, else read from the tensor. */
export function frameBytes(rgb: Tensor4D, frame?: RgbBatch): RgbBatch {
  return frame ?? { data: Uint8Array.from(rgb.dataSync()), shape: [rgb.shape[0], rgb.shape[1], rgb.shape[2]] };
}

/**
 * Per-frame inference: the whole image model on every frame (the baseline). A `Segmentor` runs on
 * TensorFlow.js; an `ImageSegmenter` on its engine (ONNX Runtime: one session, reused), with
 * `onDispose` freeing the model it was built on.
 */
export class PerFrame implements VideoSegmenter {
  readonly units = ['model'] as const;
  readonly unitMacs: readonly number[];
  readonly sharedMacs = 0;
  constructor(
    private readonly model: Segmentor | ImageSegmenter,
    macs: number,
    private readonly onDispose: () => void = () => undefined,
  ) {
    this.unitMacs = [macs];
  }
  reset(): void {}
  step(rgb: Tensor4D, frame?: RgbBatch): FrameOutput | Promise<FrameOutput> {
    const m = this.model;
    const macs = this.unitMacs[0] ?? 0;
    if (m instanceof Segmentor) return { labels: tf.tidy(() => tf.squeeze(m.predict(rgb), [0]) as Tensor2D), ran: ['model'], macs };
    return m.run(frameBytes(rgb, frame)).then(({ labels }) => ({ labels, ran: ['model'], macs }));
  }
  dispose(): void {
    if (this.model instanceof Segmentor) this.model.dispose();
    else void this.model.dispose();
    this.onDispose();
  }
}
