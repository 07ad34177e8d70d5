/**
 * Clockwork convnets (Shelhamer, Rakelly, Hoffman & Darrell, ECCV 2016 Workshops) on FCN-8s:
 * the network is cut into three stages at pool3, pool4 and fc7 (§3.1); each stage's output and
 * score map are cached, stages run by a schedule (see `clockwork-schedule.ts`), and every frame's
 * prediction is the skip fusion of the latest score maps, fresh or cached (§3.2: "the prediction
 * for the current frame is the fusion of these computations on multiple frames").
 */
import { tf } from '@pixelwise/core';
import type { Tensor2D, Tensor4D } from '@pixelwise/core';
import { FCN, FCN_STAGES, modelComplexity, type FcnStageIndex, type ModelOptions } from '@pixelwise/models';
import { changedFraction, checkSchedule, readsPreviousFrame, scheduledStages, type ClockworkScheduleOptions } from './clockwork-schedule.js';
import { frameMacs, ranUnits, type FrameOutput, type VideoSegmenter } from './video-segmenter.js';

export const CLOCKWORK_UNITS = ['stage1', 'stage2', 'stage3'] as const;

/** Multiply-adds of an FCN's stages (score layer included) and of the fusion, at one input size. */
export interface StageMacs {
  stages: [number, number, number];
  fusion: number;
  /** The full forward pass (= sum of the above). */
  full: number;
}

/**
 * Per-stage multiply-adds of a registered FCN at `[height, width]`, counted like
 * `modelComplexity` (cumulative stage runs, differences; the fusion is the rest).
 */
export function clockworkStageMacs(model: string, options: ModelOptions, size: [number, number]): StageMacs {
  const upTo = (k: number) =>
    modelComplexity(model, options, size, (narrow, x) => {
      if (!(narrow instanceof FCN)) throw new Error(`clockwork needs an FCN model (fcn8s, fcn8s-lite, ...), got '${model}'`);
      let f = x;
      for (const i of FCN_STAGES.slice(0, k)) {
        f = narrow.stageFeatures(i, f);
        narrow.stageScore(i, f);
      }
    }).macs;
  const c = [upTo(1), upTo(2), upTo(3)];
  const full = modelComplexity(model, options, size).macs;
  const [a, b, d] = c as [number, number, number];
  return { stages: [a, b - a, d - b], fusion: full - d, full };
}

export class Clockwork implements VideoSegmenter {
  readonly units = CLOCKWORK_UNITS;
  readonly unitMacs: readonly number[];
  readonly sharedMacs: number;
  /** Latest output of each stage (features) and its score map. */
  private features: Array<Tensor4D | undefined> = [undefined, undefined, undefined];
  private scores: Array<Tensor4D | undefined> = [undefined, undefined, undefined];
  /** Adaptive clock: stage-1 labels at the last update of the deep stages. */
  private reference?: Int32Array;
  private t = 0;
  /** Fraction of changed stage-1 labels on the last frame (adaptive schedule), for records. */
  lastChangedFraction?: number;

  constructor(
    private readonly model: FCN,
    private readonly schedule: ClockworkScheduleOptions,
    macs: StageMacs,
  ) {
    if (model.stride !== 8) throw new Error(`clockwork needs FCN-8s (three score maps to fuse), got FCN-${model.stride}s`);
    checkSchedule(schedule, FCN_STAGES.length);
    this.unitMacs = macs.stages;
    this.sharedMacs = macs.fusion;
  }

  reset(): void {
    tf.dispose([...this.features, ...this.scores].filter((x): x is Tensor4D => x !== undefined));
    this.features = [undefined, undefined, undefined];
    this.scores = [undefined, undefined, undefined];
    this.reference = undefined;
    this.lastChangedFraction = undefined;
    this.t = 0;
  }

  step(rgb: Tensor4D): FrameOutput {
    const t = this.t++;
    const previous = [...this.features];
    const fresh: Array<Tensor4D | undefined> = [undefined, undefined, undefined];
    const freshScores: Array<Tensor4D | undefined> = [undefined, undefined, undefined];
    let ran: boolean[] = [];
    const labels = tf.tidy(() => {
      const x = this.model.normalize(rgb);
      const runStage = (k: FcnStageIndex, input: Tensor4D) => {
        const f = tf.keep(this.model.stageFeatures(k, input));
        fresh[k] = f;
        freshScores[k] = tf.keep(this.model.stageScore(k, f) as Tensor4D);
      };
      runStage(0, x);
      let stage1Labels: Int32Array | undefined;
      const stage1 = () => (stage1Labels ??= new Int32Array(tf.argMax(freshScores[0] as Tensor4D, 3).dataSync()));
      let changed: number | undefined;
      if (this.schedule.schedule === 'adaptive' && t > 0 && this.reference) changed = changedFraction(stage1(), this.reference);
      this.lastChangedFraction = changed;
      ran = scheduledStages(this.schedule, t, FCN_STAGES.length, changed);
      for (const k of FCN_STAGES) {
        if (k === 0 || !ran[k]) continue;
        const below = (k - 1) as FcnStageIndex;
        const input = readsPreviousFrame(this.schedule, t, k) ? previous[below] : (fresh[below] ?? this.features[below]);
        if (!input) throw new Error(`clockwork: stage ${k + 1} has no input on frame ${t}`);
        runStage(k, input);
      }
      if (this.schedule.schedule === 'adaptive' && ran.every(Boolean)) this.reference = stage1();
      const scores = FCN_STAGES.map((k) => freshScores[k] ?? this.scores[k]) as Tensor4D[];
      return tf.squeeze(tf.argMax(this.model.fuseScores(scores, x), 3), [0]) as Tensor2D;
    });
    for (const k of FCN_STAGES) {
      if (!fresh[k]) continue;
      this.features[k]?.dispose();
      this.scores[k]?.dispose();
      this.features[k] = fresh[k];
      this.scores[k] = freshScores[k];
    }
    return { labels, ran: ranUnits(this.units, ran), macs: frameMacs(this, ran) };
  }

  dispose(): void {
    this.reset();
    this.model.dispose();
  }
}
