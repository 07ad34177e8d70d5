/**
 * The contract every video method meets (per-frame, Clockwork, TDNet): frames of one video go in
 * one at a time, labels come out, and each frame reports which of the method's units (stages,
 * sub-networks) ran and the multiply-adds that cost.
 */
import { tf } from '@pixelwise/core';
import type { Tensor2D, Tensor4D } from '@pixelwise/core';
import type { Segmentor } from '@pixelwise/models';

export interface FrameOutput {
  /** Class ids `[H, W]` (int32); the caller disposes it. */
  labels: Tensor2D;
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
  /** Segments the next frame: uint8-range RGB `[1, H, W, 3]`. */
  step(rgb: Tensor4D): FrameOutput;
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

/** Per-frame inference: the whole image model on every frame (the baseline). */
export class PerFrame implements VideoSegmenter {
  readonly units = ['model'] as const;
  readonly unitMacs: readonly number[];
  readonly sharedMacs = 0;
  constructor(
    private readonly model: Segmentor,
    macs: number,
  ) {
    this.unitMacs = [macs];
  }
  reset(): void {}
  step(rgb: Tensor4D): FrameOutput {
    const labels = tf.tidy(() => tf.squeeze(this.model.predict(rgb), [0]) as Tensor2D);
    return { labels, ran: ['model'], macs: this.unitMacs[0] ?? 0 };
  }
  dispose(): void {
    this.model.dispose();
  }
}
