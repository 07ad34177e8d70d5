/**
 * Deep Layer Cascade (Li et al., "Not All Pixels are Equal: Difficulty-aware Semantic
 * Segmentation via Deep Layer Cascade", CVPR 2017 §3): a residual network cut into three stages,
 * each with its own classifier. After a stage, pixels whose top class probability reaches `rho`
 * are final ("easy"); only the others go on. Later stages run region convolution on those
 * pixels: inside the region a residual block computes `relu(x + F(x))` with F's convolutions
 * evaluated only there (zero elsewhere, §3.2), outside it passes its input through.
 *
 * `mode: 'cascade'` uses the sparse region path (cost follows the region); `'full'` sends every
 * pixel through every stage and labels them with the last stage; `'masked'` is the dense
 * equivalent of the cascade (convolution then mask), which training uses.
 */
import { tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { onnx, type OnnxGraph } from '@pixelwise/core/onnx';
import { scaleWidth } from '../backbones/backbone.js';
import { Conv2d } from '../layers/conv.js';
import { ConvNormAct } from '../layers/conv-norm-act.js';
import { Sequential, type ForwardContext } from '../module.js';
import { upsampleTo } from '../layers/resize.js';
import { CascadeStage, type OnnxRegion } from './region-block.js';
import { Segmentor, type SegmentorOutput, type StageStats } from './segmentor.js';

export type CascadeMode = 'cascade' | 'full' | 'masked';

export interface LayerCascadeOptions {
  numClasses?: number;
  /** Width multiplier of the stage widths (64, 128, 256 at 1). */
  width?: number;
  /** Residual blocks per stage. Default [2, 2, 2]. */
  blocks?: [number, number, number];
  /** Confidence at which a pixel exits. Default 0.95 (the paper's). */
  rho?: number;
  mode?: CascadeMode;
}

/**
 * A cascade's per-forward statistics (returned as `SegmentorOutput.stats`): stage fractions and
 * map of stages 1-3; `skippedMacs` are the region convolutions of stages 2 and 3 skipped at the
 * pixels that had already exited (mean over the batch; zero in full mode); `stageMacs` the
 * multiply-adds of each stage's convolutions at every pixel.
 */
export type CascadeStats = StageStats;

/** Stage colours of stage maps (stage 1, 2, 3): green, orange, red — docs/ARTIFACTS.md. */
export const STAGE_COLORS: readonly (readonly [number, number, number])[] = [
  [0x2c, 0xa0, 0x2c],
  [0xff, 0x7f, 0x0e],
  [0xd6, 0x27, 0x28],
];

/**
 * Which pixels exit where (§3.1): a pixel exits at the first stage whose top class probability
 * reaches `rho`. `probs[s]` are stage s's top-class probabilities `[N,h,w,1]`. Returns the 0/1
 * exit mask of each given stage, the pixels that reached each (`reach[0]` = all) and those still
 * `active` after them (they go on to the next stage; after the last stage, the last stage labels
 * them). Call inside `tf.tidy`.
 */
export function cascadeExits(probs: readonly Tensor4D[], rho: number): { exits: Tensor4D[]; reach: Tensor4D[]; active: Tensor4D } {
  const first = probs[0];
  if (!first) throw new Error('cascadeExits: no stages');
  let active: Tensor4D = tf.onesLike(first);
  const exits: Tensor4D[] = [];
  const reach: Tensor4D[] = [];
  for (const p of probs) {
    reach.push(active);
    const exit = tf.mul(active, tf.cast(tf.greaterEqual(p, rho), 'float32')) as Tensor4D;
    exits.push(exit);
    active = tf.sub(active, exit) as Tensor4D;
  }
  return { exits, reach, active };
}

/**
 * A cascade's statistics from its stage map (the stage, 0..2, that labelled each feature-grid
 * pixel of `[N, h, w]`) and the multiply-adds of each stage at every pixel: a stage's
 * convolutions ran on the pixels that reached it (stage 1: all of them). The TensorFlow.js
 * forward and the ONNX Runtime cascade share it.
 */
export function cascadeStats(stageMap: Uint8Array, shape: [number, number, number], stageMacs: readonly number[]): StageStats {
  const total = shape[0] * shape[1] * shape[2];
  const counts = stageMacs.map(() => 0);
  for (const s of stageMap) counts[s] = (counts[s] ?? 0) + 1;
  // Pixels that reached stage i: those labelled by stage i or a later one.
  const reached = counts.map((_, i) => counts.slice(i).reduce((a, b) => a + b, 0));
  const stageMacsSpent = stageMacs.map((m, i) => (i === 0 ? m : (m * (reached[i] ?? 0)) / total));
  const skippedMacs = stageMacs.reduce((a, m, i) => a + m - (stageMacsSpent[i] ?? 0), 0);
  return { stageFractions: counts.map((c) => c / total), stageMap: { data: stageMap, shape }, skippedMacs, stageMacs: [...stageMacs], stageMacsSpent };
}

/** RGB pixels `[h*w*3]` of a stage map (values 0, 1, 2) in the fixed stage colours. */
export function stageMapToRgb(stages: ArrayLike<number>): Uint8Array {
  const rgb = new Uint8Array(stages.length * 3);
  for (let i = 0; i < stages.length; i++) {
    const c = STAGE_COLORS[stages[i] ?? -1];
    if (!c) continue;
    rgb[i * 3] = c[0];
    rgb[i * 3 + 1] = c[1];
    rgb[i * 3 + 2] = c[2];
  }
  return rgb;
}

/** A copy of `t` that is not connected to the gradient tape (masks are constants in training). */
function detached<T extends tf.Tensor>(t: T): T {
  return tf.tensor(t.dataSync(), t.shape, t.dtype) as T;
}

export class LayerCascade extends Segmentor {
  readonly inputNorm = 'unit' as const;
  readonly numClasses: number;
  /** Confidence at which a pixel exits (fixed at construction). */
  readonly rho: number;
  readonly mode: CascadeMode;
  private readonly stem: Sequential;
  private readonly transitions: Conv2d[];
  private readonly stages: CascadeStage[];
  private readonly heads: Conv2d[];

  constructor(options: LayerCascadeOptions = {}) {
    super();
    this.numClasses = options.numClasses ?? 21;
    this.rho = options.rho ?? 0.95;
    this.mode = options.mode ?? 'cascade';
    const w = options.width ?? 1;
    const ch = [64, 128, 256].map((c) => scaleWidth(c, w, 8, 8));
    const [c1 = 64, c2 = 128, c3 = 256] = ch;
    const blocks = options.blocks ?? [2, 2, 2];
    // Stem to output stride 8, then stages at stride 8 with growing dilation (1, 2, 4).
    this.stem = this.add(
      'stem',
      new Sequential([
        new ConvNormAct(3, c1 / 2, { kernel: 3, stride: 2 }),
        new ConvNormAct(c1 / 2, c1, { kernel: 3, stride: 2 }),
        new ConvNormAct(c1, c1, { kernel: 3, stride: 2 }),
      ]),
    );
    const widths = [c1, c2, c3];
    this.transitions = widths.slice(1).map((c, i) => this.add(`transition${i + 2}`, new Conv2d(widths[i] ?? c, c, { kernel: 1, bias: false })));
    this.stages = widths.map((c, i) => this.add(`stage${i + 1}`, new CascadeStage(c, blocks[i] ?? 2, 2 ** i)));
    this.heads = widths.map((c, i) => this.add(`head${i + 1}`, new Conv2d(c, this.numClasses, { kernel: 1 })));
  }

  /**
   * Inference follows `mode`. Training runs the cascade with masked dense convolution (or every
   * pixel through every stage in full mode) and returns each stage's scores with the pixels that
   * reach it (`stages`): the trainer puts each stage's loss on those pixels only (§3.3).
   */
  protected logits(x: Tensor4D, ctx: ForwardContext): SegmentorOutput {
    const mode: CascadeMode = ctx.training && this.mode === 'cascade' ? 'masked' : this.mode;
    let stats: CascadeStats | undefined;
    const result = tf.tidy(() => {
      const size = [x.shape[1], x.shape[2]] as const;
      let f = this.stem.forward(x, ctx);
      const [n, h, w] = f.shape;
      const scores: Tensor4D[] = [];
      const probs: Tensor4D[] = [];
      let region: Tensor4D | undefined;
      for (let s = 0; s < 3; s++) {
        const stage = this.stages[s] as CascadeStage;
        // Channels change between stages: a 1x1 projection (dense; it is cheap).
        if (s > 0) f = (this.transitions[s - 1] as Conv2d).forward(f);
        for (const b of stage.blocks) f = b.forward(f, ctx, region, mode === 'cascade');
        const score = (this.heads[s] as Conv2d).forward(f);
        scores.push(score);
        probs.push(mode === 'full' ? tf.zerosLike(score.slice([0, 0, 0, 0], [n, h, w, 1])) : tf.max(tf.softmax(score), 3, true));
        if (s < 2 && mode !== 'full') {
          const { active } = cascadeExits(probs, this.rho);
          region = ctx.training ? detached(active) : active;
        }
      }
      // Full mode: nothing exits early (probabilities 0 < rho); the last stage labels the rest.
      const { exits, reach, active } = cascadeExits(probs.slice(0, 2), mode === 'full' ? 1.5 : this.rho);
      exits.push(active);
      reach.push(active);
      // Each pixel keeps the scores of the stage where it exited.
      const combined = tf.addN(scores.map((sc, i) => tf.mul(sc, exits[i] as Tensor4D))) as Tensor4D;
      const map = tf.addN([tf.mul(exits[1] as Tensor4D, 1), tf.mul(exits[2] as Tensor4D, 2)]).dataSync();
      stats = cascadeStats(Uint8Array.from(map), [n, h, w], this.stageMacs([h, w]));
      const stages = ctx.training
        ? scores.map((sc, i) => ({
            out: upsampleTo(sc, size),
            reach: tf.squeeze(tf.image.resizeNearestNeighbor(mode === 'full' ? tf.onesLike(reach[i] as Tensor4D) : detached(reach[i] as Tensor4D), [size[0], size[1]]), [3]) as tf.Tensor3D,
          }))
        : undefined;
      return { out: upsampleTo(combined, size), stages };
    });
    return { out: result.out, aux: [], ...(result.stages ? { stages: result.stages } : {}), ...(stats ? { stats } : {}) };
  }

  /** Multiply-adds of each stage's blocks at every pixel of an `[h, w]` feature grid. */
  stageMacs([h, w]: readonly [number, number]): number[] {
    return this.stages.map((st) => st.macsPerPixel * h * w);
  }

  /** The feature grid `[h, w]` of an `[H, W]` input: the stem's three 3x3 stride-2 convolutions (padding 1) halve each side, rounding up. */
  gridSize([h, w]: readonly [number, number]): [number, number] {
    const half = (n: number) => Math.floor((n - 1) / 2) + 1;
    return [half(half(half(h))), half(half(half(w)))];
  }

  /** Channels of stage `s`'s features. */
  stageWidth(s: number): number {
    return this.stages[s]?.blocks[0]?.channels ?? 0;
  }

  /** Dilation of stage `s`'s blocks, so also the padding of its pixel rows (the region's tap spacing). */
  stageDilation(s: number): number {
    return this.stages[s]?.dilation ?? 1;
  }

  /**
   * Stage `s` as ONNX nodes (one session per stage on ONNX Runtime): stage 0 reads the normalised
   * image, later stages the previous stage's features through their 1x1 transition. With a
   * `region` the blocks run as region convolution on the pixels it lists (Gather -> MatMul ->
   * ScatterND, `N` fixed); without, densely. Returns the features `[N, C, h, w]`, the scores
   * `[N, classes, h, w]` and the top class probability `[N, 1, h, w]` of the stage's head.
   */
  stageToOnnx(s: number, g: OnnxGraph, input: string, region?: OnnxRegion): { features: string; scores: string; top: string } {
    const stage = this.stages[s];
    const head = this.heads[s];
    if (!stage || !head) throw new Error(`LayerCascade: no stage ${s} (it has ${this.stages.length})`);
    let f = s === 0 ? this.stem.toOnnx(g, input) : (this.transitions[s - 1] as Conv2d).toOnnx(g, input);
    if (region) {
      const [n, c, h, w] = g.nchw(f, 'LayerCascade');
      let rows = onnx.pixelRows(g, f, stage.dilation);
      for (const b of stage.blocks) rows = b.regionToOnnx(g, rows, region);
      f = onnx.fromPixelRows(g, rows, [n as number, c, h, w], stage.dilation);
    } else {
      for (const b of stage.blocks) f = b.toOnnx(g, f);
    }
    const scores = head.toOnnx(g, f);
    return { features: f, scores, top: onnx.topProbability(g, scores) };
  }

  /**
   * The whole model as one graph. Full mode: every stage everywhere, the last stage's scores.
   * Cascade (and masked) mode: the masked dense equivalent of the cascade (exits by `rho` as
   * `GreaterOrEqual` masks, each pixel keeping the scores of the stage where it exited), which
   * gives the cascade's outputs but not its savings; ONNX Runtime's cascade runs the stages as
   * separate sessions with region convolution instead.
   */
  override scoresToOnnx(g: OnnxGraph, x: string): string {
    const [, , h, w] = g.nchw(x, 'LayerCascade');
    let f = this.stem.toOnnx(g, x);
    let active: string | undefined;
    const terms: string[] = [];
    for (let s = 0; s < this.stages.length; s++) {
      const stage = this.stages[s] as CascadeStage;
      if (s > 0) f = (this.transitions[s - 1] as Conv2d).toOnnx(g, f);
      for (const b of stage.blocks) f = b.toOnnx(g, f, this.mode === 'full' ? undefined : active);
      const scores = (this.heads[s] as Conv2d).toOnnx(g, f);
      if (this.mode === 'full') {
        if (s === this.stages.length - 1) terms.push(scores);
        continue;
      }
      if (s === this.stages.length - 1) {
        terms.push(onnx.mul(g, scores, active as string));
        break;
      }
      // cascadeExits: a pixel still active exits where its top probability reaches rho.
      const confident = onnx.cast(g, onnx.greaterOrEqual(g, onnx.topProbability(g, scores), g.scalar(this.rho, 'rho')), 'float32');
      const exit = active ? onnx.mul(g, active, confident) : confident;
      terms.push(onnx.mul(g, scores, exit));
      active = active ? onnx.sub(g, active, exit) : onnx.sub(g, g.scalar(1, 'one'), exit);
    }
    const combined = terms.slice(1).reduce((sum, t) => onnx.add(g, sum, t), terms[0] as string);
    return onnx.resize(g, combined, [h, w]);
  }
}
