/**
 * Clockwork convnets (Shelhamer, Rakelly, Hoffman & Darrell, ECCV 2016 Workshops) on FCN-8s:
 * the network is cut into three stages at pool3, pool4 and fc7 (§3.1); each stage's output and
 * score map are cached, stages run by a schedule (see `clockwork-schedule.ts`), and every frame's
 * prediction is the skip fusion of the latest score maps, fresh or cached (§3.2: "the prediction
 * for the current frame is the fusion of these computations on multiple frames").
 */
import { tf } from '@pixelwise/core';
import type { Tensor2D, Tensor4D } from '@pixelwise/core';
import { FCN, FCN_STAGES, modelComplexity, type FcnStageIndex, type ModelOptions, type RgbBatch } from '@pixelwise/models';
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

/**
 * How a Clockwork runs the stages of FCN-8s: on TensorFlow.js tensors (`tfjsClockworkStages`) or
 * ONNX Runtime sessions (`onnxClockworkStages`, one per stage, plus the fusion). Values of type
 * `T` (features, score maps, the frame) are kept until `release`.
 */
export interface ClockworkStages<T> {
  /** The frame as stage 1 reads it. */
  input(rgb: Tensor4D, frame?: RgbBatch): T | Promise<T>;
  /** Stage `k` on its input: its output features and its score map. */
  run(k: FcnStageIndex, input: T): { features: T; score: T } | Promise<{ features: T; score: T }>;
  /** The argmax labels of a score map (stage 1's, for the adaptive clock). */
  labels(score: T): Int32Array | Promise<Int32Array>;
  /** Skip fusion of the latest score map of each stage (fine to coarse): the frame's labels `[H, W]`. */
  fuse(scores: readonly T[], input: T): Tensor2D | Int32Array | Promise<Tensor2D | Int32Array>;
  /**
   * Optional: stage 1 on its input and the fusion of its score map with the deeper stages' given
   * ones (`[score2, score3]`, cached) in one pass: what `run(0, input)` then `fuse` give. Used on
   * frames that may skip the deep stages; an engine with a cost per call (ONNX Runtime: one
   * session run instead of two) implements it. If the deep stages do run, `fuse` runs again.
   */
  stage1AndFuse?(input: T, deep: readonly T[]): Promise<{ features: T; score: T; labels: Int32Array }>;
  release(values: readonly T[]): void;
}

/** FCN-8s's stages on TensorFlow.js. */
export function tfjsClockworkStages(model: FCN): ClockworkStages<Tensor4D> {
  if (model.stride !== 8) throw new Error(`clockwork needs FCN-8s (three score maps to fuse), got FCN-${model.stride}s`);
  return {
    input: (rgb) => model.normalize(rgb),
    run: (k, input) => tf.tidy(() => {
      const features = model.stageFeatures(k, input);
      return { features, score: model.stageScore(k, features) as Tensor4D };
    }),
    labels: (score) => tf.tidy(() => new Int32Array(tf.argMax(score, 3).dataSync())),
    fuse: (scores, x) => tf.tidy(() => tf.squeeze(tf.argMax(model.fuseScores(scores, x), 3), [0]) as Tensor2D),
    release: (values) => tf.dispose([...values]),
  };
}

export class Clockwork<T = Tensor4D> implements VideoSegmenter {
  readonly units = CLOCKWORK_UNITS;
  readonly unitMacs: readonly number[];
  readonly sharedMacs: number;
  private readonly stages: ClockworkStages<T>;
  /** Latest output of each stage (features) and its score map. */
  private features: Array<T | undefined> = [undefined, undefined, undefined];
  private scores: Array<T | undefined> = [undefined, undefined, undefined];
  /** Adaptive clock: stage-1 labels at the last update of the deep stages. */
  private reference?: Int32Array;
  private t = 0;
  /** Fraction of changed stage-1 labels on the last frame (adaptive schedule), for records. */
  lastChangedFraction?: number;

  /** `model`: an FCN-8s (run on TensorFlow.js) or its stages on another engine; `dispose` disposes it. */
  constructor(
    model: FCN | ClockworkStages<T>,
    private readonly schedule: ClockworkScheduleOptions,
    macs: StageMacs,
    private readonly onDispose: () => void = () => (model instanceof FCN ? model.dispose() : undefined),
  ) {
    this.stages = model instanceof FCN ? (tfjsClockworkStages(model) as unknown as ClockworkStages<T>) : model;
    checkSchedule(schedule, FCN_STAGES.length);
    this.unitMacs = macs.stages;
    this.sharedMacs = macs.fusion;
  }

  reset(): void {
    this.stages.release([...this.features, ...this.scores].filter((x): x is T => x !== undefined));
    this.features = [undefined, undefined, undefined];
    this.scores = [undefined, undefined, undefined];
    this.reference = undefined;
    this.lastChangedFraction = undefined;
    this.t = 0;
  }

  async step(rgb: Tensor4D, frame?: RgbBatch): Promise<FrameOutput> {
    const t = this.t++;
    const previous = [...this.features];
    const fresh: Array<T | undefined> = [undefined, undefined, undefined];
    const freshScores: Array<T | undefined> = [undefined, undefined, undefined];
    const x = await this.stages.input(rgb, frame);
    try {
      const runStage = async (k: FcnStageIndex, input: T) => {
        const r = await this.stages.run(k, input);
        fresh[k] = r.features;
        freshScores[k] = r.score;
      };
      // Known before stage 1 except for the adaptive clock, which decides after it.
      const known = this.schedule.schedule === 'adaptive' ? undefined : scheduledStages(this.schedule, t, FCN_STAGES.length);
      const mayOnlyStage1 = t > 0 && (known ? !known[1] && !known[2] : this.reference !== undefined);
      const deep = [this.scores[1], this.scores[2]];
      let fusedEarly: Int32Array | undefined;
      if (this.stages.stage1AndFuse && mayOnlyStage1 && deep[0] !== undefined && deep[1] !== undefined) {
        const r = await this.stages.stage1AndFuse(x, deep as T[]);
        fresh[0] = r.features;
        freshScores[0] = r.score;
        fusedEarly = r.labels;
      } else {
        await runStage(0, x);
      }
      let stage1Labels: Int32Array | undefined;
      const stage1 = async () => (stage1Labels ??= await this.stages.labels(freshScores[0] as T));
      let changed: number | undefined;
      if (this.schedule.schedule === 'adaptive' && t > 0 && this.reference) changed = changedFraction(await stage1(), this.reference);
      this.lastChangedFraction = changed;
      const ran = scheduledStages(this.schedule, t, FCN_STAGES.length, changed);
      for (const k of FCN_STAGES) {
        if (k === 0 || !ran[k]) continue;
        const below = (k - 1) as FcnStageIndex;
        const input = readsPreviousFrame(this.schedule, t, k) ? previous[below] : (fresh[below] ?? this.features[below]);
        if (input === undefined) throw new Error(`clockwork: stage ${k + 1} has no input on frame ${t}`);
        await runStage(k, input);
      }
      if (this.schedule.schedule === 'adaptive' && ran.every(Boolean)) this.reference = await stage1();
      const labels = fusedEarly !== undefined && !ran[1] && !ran[2] ? fusedEarly : await this.stages.fuse(FCN_STAGES.map((k) => (freshScores[k] ?? this.scores[k]) as T), x);
      for (const k of FCN_STAGES) {
        if (fresh[k] === undefined) continue;
        this.stages.release([this.features[k], this.scores[k]].filter((v): v is T => v !== undefined));
        this.features[k] = fresh[k];
        this.scores[k] = freshScores[k];
      }
      return { labels, ran: ranUnits(this.units, ran), macs: frameMacs(this, ran) };
    } finally {
      this.stages.release([x]);
    }
  }

  dispose(): void {
    this.reset();
    this.onDispose();
  }
}
