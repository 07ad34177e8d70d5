/**
 * Supervised training of a flow network on frame pairs with ground-truth forward flow:
 * random crops (multiples of 64) and horizontal flips, Adam, multi-scale EPE; evaluation of
 * full-frame EPE against the ground truth, with the zero-flow baseline from the same pixels.
 * Browser-safe: data come through {@link FlowPairSource}; the CLI's `train` runs {@link flowTask}
 * through the one loop with checkpoints.
 */
import { tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import type { FlowField, RgbImage } from '@pixelwise/core/io';
import { fit, FLOWNET_STRIDE, stackFrames, type EpochRecord, type FitConfig, type FlowNetS, type Rng, type TrainingTask } from '@pixelwise/models';
import { cropFlow, cropRgb, randomWindow } from './crop-window.js';
import { EpeAccumulator, isKnownFlow, multiscaleEpe } from './flow-loss.js';

/** Two consecutive frames and the ground-truth flow from the first to the second. */
export interface FlowPair {
  name: string;
  first: RgbImage;
  second: RgbImage;
  flow: FlowField;
}

/** Frame pairs by index (e.g. `openFlowPairs` of `@pixelwise/video/node`). */
export interface FlowPairSource {
  names: string[];
  /** `[width, height]` of every frame, when known (sizes the default training crop). */
  size?: [number, number];
  read(i: number): Promise<FlowPair>;
}

export interface FlowTrainConfig {
  epochs: number;
  batchSize: number;
  /** Adam learning rate (FlowNet: 1e-4; a short CPU run wants about 1e-3). */
  lr: number;
  /** Training crop `[height, width]`, multiples of 64. */
  crop: [number, number];
  /**
   * Horizontal flip probability (default 0). Flipping is a correct augmentation (u changes
   * sign; tested), but on the synthetic video it stalled short CPU runs: 48 pairs, 150 steps,
   * 128x64 crops: validation EPE 1.78 px without flips, 2.93 px with p = 0.5 (zero flow 2.72).
   */
  flip?: number;
  seed?: number;
  /**
   * Loss weight per scale, coarse (flow6) to fine (flow2). Default {@link EQUAL_SCALE_WEIGHTS}:
   * the paper code's weights (`MULTISCALE_WEIGHTS`, 0.32 ... 0.005) favour the coarse scales,
   * and a few minutes of CPU training then leave flow2, the scale used at inference, untrained
   * (one synthetic pair, 60 steps: full-frame EPE 1.37 px with them, 0.65 px with equal weights,
   * zero flow 1.38 px).
   */
  scaleWeights?: number[];
}

export interface FlowEpochRecord {
  epoch: number;
  /** Mean multi-scale loss over the epoch's steps. */
  loss: number;
  seconds: number;
  /** Validation EPE (pixels) when a validation source is given, with the zero-flow baseline. */
  val?: FlowEvaluation;
}

export interface FlowTrainRun {
  config: FlowTrainConfig;
  val?: FlowPairSource;
  onStep?: (info: { epoch: number; step: number; stepsPerEpoch: number; loss: number }) => void;
  onEpoch?: (record: FlowEpochRecord) => Promise<void> | void;
}

/** Equal loss weights for the five scales of FlowNetS. */
export const EQUAL_SCALE_WEIGHTS = [1, 1, 1, 1, 1];

/** A batch of pairs: network input `[N, H, W, 6]`, flow `[N, H, W, 2]` and known mask `[N, H, W, 1]`. */
export interface FlowBatch {
  input: Tensor4D;
  flow: Tensor4D;
  known: Tensor4D;
}

/**
 * Flow training as a task of the one loop (`fit` of @pixelwise/models): Adam at a constant rate,
 * no weight decay (FlowNet's schedule is a step decay over 1.2M iterations; a CPU-sized run keeps
 * the rate), random crops and flips, multi-scale EPE; validation EPE with the zero-flow baseline.
 */
export function flowTask(model: FlowNetS, data: FlowPairSource, run: { config: Pick<FlowTrainConfig, 'crop' | 'flip' | 'scaleWeights'>; val?: FlowPairSource }): TrainingTask<FlowBatch> {
  const c = run.config;
  if (data.names.length === 0) throw new Error('training set has no frame pairs');
  const [ch, cw] = c.crop;
  if (ch % FLOWNET_STRIDE !== 0 || cw % FLOWNET_STRIDE !== 0 || ch < FLOWNET_STRIDE || cw < FLOWNET_STRIDE) {
    throw new Error(`training crop ${cw}x${ch}: width and height must be positive multiples of ${FLOWNET_STRIDE}`);
  }
  const val = run.val;
  return {
    size: data.names.length,
    loadBatch: async (indices, rngOf) => stackPairs((await Promise.all(indices.map((i) => data.read(i)))).map((p, k) => augmentPair(p, c.crop, c.flip ?? 0, rngOf(indices[k] as number)))),
    disposeBatch: (b) => tf.dispose([b.input, b.flow, b.known]),
    objectives: [{ role: '', model, loss: (b) => tf.tidy(() => multiscaleEpe(model.forward(b.input).flows, b.flow, b.known, model.divFlow, c.scaleWeights ?? EQUAL_SCALE_WEIGHTS)) }],
    ...(val ? { validate: async (onProgress) => ({ ...(await evaluateFlow(model, val, onProgress)) }) } : {}),
  };
}

/** What flow training fixes in the loop's settings: Adam, constant rate, no weight decay. */
export const FLOW_OPTIMIZER = { optimizer: 'adam', polyPower: 0, weightDecay: 0 } as const;

/** The loop's settings for flow training. */
export function flowFitConfig(c: FlowTrainConfig): FitConfig {
  return { epochs: c.epochs, batchSize: c.batchSize, lr: c.lr, ...FLOW_OPTIMIZER, ...(c.seed !== undefined ? { seed: c.seed } : {}) };
}

/** Trains `model` through the one loop; returns one record per epoch. */
export async function trainFlow(model: FlowNetS, data: FlowPairSource, run: FlowTrainRun): Promise<FlowEpochRecord[]> {
  const task = flowTask(model, data, run);
  const state = await fit(task, flowFitConfig(run.config), {
    onStep: (s) => run.onStep?.(s),
    onEpoch: (r) => run.onEpoch?.(asFlowRecord(r)),
  });
  return state.history.map(asFlowRecord);
}

/** A loop epoch record as a flow record (validation = {@link FlowEvaluation}). */
export function asFlowRecord(r: EpochRecord): FlowEpochRecord {
  return { epoch: r.epoch, loss: r.loss, seconds: r.seconds, ...(r.val ? { val: r.val as unknown as FlowEvaluation } : {}) };
}

/** EPE in pixels over known ground-truth pixels of all pairs, of the model and of zero flow. */
export interface FlowEvaluation {
  epe: number;
  zeroFlowEpe: number;
  pairs: number;
  pixels: number;
}

/** Predicts every pair at full resolution and pools the EPE over all known pixels. */
export async function evaluateFlow(model: FlowNetS, data: FlowPairSource, onProgress?: (done: number, total: number) => void): Promise<FlowEvaluation> {
  const epe = new EpeAccumulator();
  for (let i = 0; i < data.names.length; i++) {
    const pair = await data.read(i);
    epe.add(predictFlow(model, pair.first, pair.second), pair.flow);
    onProgress?.(i + 1, data.names.length);
  }
  return { ...epe.result(), pairs: data.names.length };
}

/** Flow from `first` to `second` (same size, any size), in pixels. */
export function predictFlow(model: FlowNetS, first: RgbImage, second: RgbImage): FlowField {
  if (first.width !== second.width || first.height !== second.height) {
    throw new Error(`frames differ in size: ${first.width}x${first.height} and ${second.width}x${second.height}`);
  }
  const { width, height } = first;
  const out = tf.tidy(() => model.predict(tf.tensor4d(first.data, [1, height, width, 3], 'int32'), tf.tensor4d(second.data, [1, height, width, 3], 'int32')));
  const data = new Float32Array(out.dataSync());
  out.dispose();
  return { width, height, data };
}

/** A random crop of a pair, flipped horizontally with probability `flip` (u changes sign). */
export function augmentPair(pair: FlowPair, crop: [number, number], flip: number, rng: Rng): FlowPair {
  const win = randomWindow([pair.first.width, pair.first.height], crop, flip, rng, pair.name);
  return { name: pair.name, first: cropRgb(pair.first, win), second: cropRgb(pair.second, win), flow: cropFlow(pair.flow, win) };
}

/** Same-size pairs -> network input `[N, H, W, 6]`, flow `[N, H, W, 2]` (unknown zeroed) and known mask `[N, H, W, 1]`. */
function stackPairs(pairs: FlowPair[]): { input: Tensor4D; flow: Tensor4D; known: Tensor4D } {
  const first = pairs[0] as FlowPair;
  const { width, height } = first.first;
  const n = pairs.length;
  const a = new Int32Array(n * width * height * 3);
  const b = new Int32Array(n * width * height * 3);
  const flow = new Float32Array(n * width * height * 2);
  const known = new Float32Array(n * width * height);
  pairs.forEach((p, i) => {
    if (p.first.width !== width || p.first.height !== height) throw new Error(`${p.name}: ${p.first.width}x${p.first.height}, batch is ${width}x${height}`);
    a.set(p.first.data, i * width * height * 3);
    b.set(p.second.data, i * width * height * 3);
    for (let q = 0; q < width * height; q++) {
      const u = p.flow.data[2 * q] as number;
      const v = p.flow.data[2 * q + 1] as number;
      if (!isKnownFlow(u, v)) continue;
      const r = i * width * height + q;
      flow[2 * r] = u;
      flow[2 * r + 1] = v;
      known[r] = 1;
    }
  });
  return tf.tidy(() => {
    const shape: [number, number, number, number] = [n, height, width, 3];
    return {
      input: stackFrames(tf.tensor4d(a, shape, 'int32'), tf.tensor4d(b, shape, 'int32')),
      flow: tf.tensor4d(flow, [n, height, width, 2]),
      known: tf.tensor4d(known, [n, height, width, 1]),
    };
  });
}
