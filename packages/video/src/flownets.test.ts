import { setBackend, tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import type { FlowField } from '@pixelwise/core/io';
import { createRng } from '@pixelwise/models';
import { describe, expect, it } from 'vitest';
import { renderVideoFrame, sampleVideoSpec, videoFlow } from './data/synth-video.js';
import { endPointError, multiscaleEpe } from './flow-loss.js';
import { augmentPair, evaluateFlow, predictFlow, trainFlow } from './flow-train.js';
import type { FlowPair, FlowPairSource } from './flow-train.js';
import { createFlowModel, FlowNetS } from '@pixelwise/models';

describe('FlowNetS', () => {
  it('predicts flow at 1/64 ... 1/4 of the input and full resolution from predict(); no tensors leak', async () => {
    await setBackend('wasm');
    const model = new FlowNetS({ width: 0.0625 });
    const x = tf.randomNormal([2, 64, 128, 6]) as Tensor4D;
    const before = tf.memory().numTensors;
    const shapes = tf.tidy(() => model.forward(x).flows.map((f) => f.shape));
    expect(shapes).toEqual([
      [2, 1, 2, 2],
      [2, 2, 4, 2],
      [2, 4, 8, 2],
      [2, 8, 16, 2],
      [2, 16, 32, 2],
    ]);
    // Any size: padded to multiples of 64, cropped back.
    const a = tf.randomUniform([1, 40, 70, 3], 0, 255, 'int32') as Tensor4D;
    const out = model.predict(a, a);
    expect(out.shape).toEqual([1, 40, 70, 2]);
    out.dispose();
    a.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => model.forward(tf.zeros([1, 32, 64, 6]) as Tensor4D)).toThrow(/multiples of 64, found \[1, 32, 64, 6\]/);
    x.dispose();
    model.dispose();
  });

  it('has the paper layers by name and scales with width; unknown names list the valid ones', () => {
    const lite = createFlowModel('flownets-lite');
    const names = lite.namedSlots().map(([n]) => n);
    for (const layer of ['conv1.weight', 'conv3_1.weight', 'conv6_1.weight', 'predict_flow6.weight', 'deconv5.weight', 'upsampled_flow6_to_5.weight', 'predict_flow2.weight']) expect(names).toContain(layer);
    const conv1 = lite.namedSlots().find(([n]) => n === 'conv1.weight')?.[1].shape;
    expect(conv1).toEqual([7, 7, 6, 8]); // 64 x 0.125
    lite.dispose();
    expect(() => createFlowModel('flownetc')).toThrow("unknown flow model 'flownetc'; expected one of flownets, flownets-lite");
  });
});

describe('EPE', () => {
  it('endPointError skips unknown ground truth; zero flow is the mean magnitude', () => {
    const truth: FlowField = { width: 2, height: 2, data: new Float32Array([3, 4, 0, 0, 1e10, 1e10, -1, 0]) };
    expect(endPointError(undefined, truth)).toEqual({ sum: 6, pixels: 3 });
    expect(endPointError(truth, truth)).toEqual({ sum: 0, pixels: 3 });
    const pred: FlowField = { width: 2, height: 2, data: new Float32Array([0, 4, 1, 0, 5, 5, -1, 2]) };
    expect(endPointError(pred, truth)).toEqual({ sum: 3 + 1 + 2, pixels: 3 });
    expect(() => endPointError({ width: 1, height: 4, data: new Float32Array(8) }, truth)).toThrow('size mismatch: predicted flow is 1x4, ground truth 2x2');
  });

  it('multiscaleEpe matches a naive computation with pooled, masked targets', async () => {
    await setBackend('cpu');
    const truth = new Float32Array(4 * 4 * 2).map((_, i) => ((i * 7) % 5) - 2);
    const known = new Float32Array(16).map((_, i) => (i === 5 || i === 10 || i === 11 || i === 14 || i === 15 ? 0 : 1));
    const fine = new Float32Array(4 * 4 * 2).map((_, i) => ((i * 3) % 4) * 0.05);
    const coarse = new Float32Array(2 * 2 * 2).map((_, i) => i * 0.01);
    const loss = tf.tidy(() =>
      multiscaleEpe([tf.tensor4d(coarse, [1, 2, 2, 2]), tf.tensor4d(fine, [1, 4, 4, 2])], tf.tensor4d(truth.map((t, i) => t * (known[i >> 1] as number)), [1, 4, 4, 2]), tf.tensor4d(known, [1, 4, 4, 1]), 20, [0.5, 2]).dataSync()[0] as number,
    );
    // Fine scale: plain mean EPE over known pixels.
    let fineSum = 0;
    let fineN = 0;
    for (let p = 0; p < 16; p++) {
      if (!known[p]) continue;
      fineSum += Math.hypot((fine[2 * p] as number) - (truth[2 * p] as number) / 20, (fine[2 * p + 1] as number) - (truth[2 * p + 1] as number) / 20);
      fineN++;
    }
    // Coarse scale: 2x2 cells, target = mean of known truth; cell (1, 1) has no known pixel.
    let coarseSum = 0;
    let coarseN = 0;
    for (let cy = 0; cy < 2; cy++)
      for (let cx = 0; cx < 2; cx++) {
        let su = 0;
        let sv = 0;
        let n = 0;
        for (let dy = 0; dy < 2; dy++)
          for (let dx = 0; dx < 2; dx++) {
            const p = (2 * cy + dy) * 4 + 2 * cx + dx;
            if (!known[p]) continue;
            su += truth[2 * p] as number;
            sv += truth[2 * p + 1] as number;
            n++;
          }
        if (n === 0) continue;
        const c = cy * 2 + cx;
        coarseSum += Math.hypot((coarse[2 * c] as number) - su / n / 20, (coarse[2 * c + 1] as number) - sv / n / 20);
        coarseN++;
      }
    expect(coarseN).toBe(3);
    expect(loss).toBeCloseTo(0.5 * (coarseSum / coarseN) + 2 * (fineSum / fineN), 5);
  });
});

/** Frame pairs of one small synthetic video, in memory. */
function syntheticPairs(seed: number, frames: number): FlowPairSource {
  const spec = sampleVideoSpec({ width: 64, height: 64, classes: 8, frames, seed });
  const pairs: FlowPair[] = [];
  for (let t = 0; t + 1 < frames; t++) {
    const a = renderVideoFrame(spec, t);
    const b = renderVideoFrame(spec, t + 1);
    pairs.push({ name: `f${t}`, first: { width: 64, height: 64, data: a.image }, second: { width: 64, height: 64, data: b.image }, flow: videoFlow(spec, t, t + 1, a) });
  }
  return { names: pairs.map((p) => p.name), read: async (i) => pairs[i] as FlowPair };
}

describe('trainFlow', () => {
  it('a short training run lowers the EPE on its frame pairs', async () => {
    await setBackend('wasm');
    const data = syntheticPairs(3, 5);
    const model = new FlowNetS({ width: 0.125 });
    const tensors = tf.memory().numTensors;
    const before = await evaluateFlow(model, data);
    const history = await trainFlow(model, data, { config: { epochs: 20, batchSize: 4, lr: 1e-3, crop: [64, 64], flip: 0, seed: 1 } });
    const after = await evaluateFlow(model, data);
    expect(tf.memory().numTensors).toBe(tensors); // batches, losses and the optimizer are freed
    expect(history).toHaveLength(20);
    expect(after.epe).toBeLessThan(0.6 * before.epe);
    // ... and beats zero flow on these pairs (about 1.4 px against 2.7 px).
    expect(after.epe).toBeLessThan(0.75 * after.zeroFlowEpe);
    expect((history[19] as { loss: number }).loss).toBeLessThan((history[0] as { loss: number }).loss);
    expect(after.zeroFlowEpe).toBe(before.zeroFlowEpe);
    expect(after.pixels).toBeGreaterThan(0.8 * 4 * 64 * 64);
    const flow = predictFlow(model, (await data.read(0)).first, (await data.read(0)).second);
    expect([flow.width, flow.height, flow.data.length]).toEqual([64, 64, 64 * 64 * 2]);
    model.dispose();
  });

  it('crops and flips pairs consistently: the flipped flow negates u, unknown stays unknown', () => {
    const flow = new Float32Array(4 * 2 * 2).map((_, i) => (i % 2 === 0 ? i : -i));
    flow[0] = 1e10;
    flow[1] = 1e10;
    const img = new Uint8Array(4 * 2 * 3).map((_, i) => i);
    const pair: FlowPair = { name: 'p', first: { width: 4, height: 2, data: img }, second: { width: 4, height: 2, data: img }, flow: { width: 4, height: 2, data: flow } };
    const rng = createRng(0);
    const flipped = augmentPair(pair, [2, 4], 1, rng);
    // Row 0 reversed: pixel x takes source 3 - x; u negated.
    expect(Array.from(flipped.flow.data.slice(0, 8))).toEqual([-6, -7, -4, -5, -2, -3, 1e10, 1e10]);
    expect(Array.from(flipped.first.data.slice(0, 3))).toEqual([9, 10, 11]);
    expect(() => augmentPair(pair, [64, 64], 0, rng)).toThrow('p: frame 4x2 is smaller than the training crop 64x64');
  });

  it('rejects crops that are not multiples of 64 and empty data', async () => {
    const model = new FlowNetS({ width: 0.0625 });
    await expect(trainFlow(model, syntheticPairs(1, 2), { config: { epochs: 1, batchSize: 1, lr: 1e-3, crop: [48, 64] } })).rejects.toThrow('training crop 64x48: width and height must be positive multiples of 64');
    await expect(trainFlow(model, { names: [], read: async () => Promise.reject(new Error('none')) }, { config: { epochs: 1, batchSize: 1, lr: 1e-3, crop: [64, 64] } })).rejects.toThrow('training set has no frame pairs');
    model.dispose();
  });
});
