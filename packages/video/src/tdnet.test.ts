import { setBackend, tf } from '@pixelwise/core';
import type { Tensor2D, Tensor3D, Tensor4D } from '@pixelwise/core';
import { createModel, resetSeeds, type Sample, type TDNet } from '@pixelwise/models';
import { beforeAll, describe, expect, it } from 'vitest';
import { imageClips } from './clips.js';
import { distillLoss, distillTdnet, teacherBackbone } from './tdnet-distill.js';
import { TDNetStream, tdnetMacs } from './tdnet-video.js';

const SIZE = 48;

function randomVideo(n: number): Tensor4D[] {
  const base = tf.randomUniform([1, 96, 96, 3], 0, 255, 'int32', 3) as Tensor4D;
  const out = Array.from({ length: n }, (_, t) => tf.slice(base, [0, t, 2 * t, 0], [1, SIZE, SIZE, 3]) as Tensor4D);
  base.dispose();
  return out;
}

describe('TDNet (wasm)', () => {
  beforeAll(() => setBackend('wasm'));

  it.each(['tdnet2-lite', 'tdnet4-lite'])('%s: shapes; sub-network channels add up to the teacher backbone', (name) => {
    resetSeeds(1);
    const m = (createModel(name, { numClasses: 5 }) as TDNet);
    const teacher = createModel('pspnet-lite', { numClasses: 5 });
    const x = tf.randomNormal([2, SIZE, SIZE, 3], 0, 1, 'float32', 1) as Tensor4D;
    const teacherChannels = tf.tidy(() => teacherBackbone(teacher).features(x, { training: false })[4]?.shape[3]);
    expect(m.pathChannels * m.paths).toBe(teacherChannels);
    const e = m.encode(0, x);
    expect(e.features.shape).toEqual([2, SIZE / 8, SIZE / 8, m.pathChannels]);
    expect(e.query.shape).toEqual([2, SIZE / 8, SIZE / 8, m.keyChannels]);
    expect(e.value.shape).toEqual([2, SIZE / 8, SIZE / 8, m.featureChannels]);
    const out = tf.tidy(() => m.forward(x).out);
    expect(out.shape).toEqual([2, SIZE, SIZE, 5]);
    tf.dispose([x, out, e.features, e.query, e.key, e.value]);
    m.dispose();
    teacher.dispose();
  });

  it('stream: sub-network t mod m on frame t (all on frame 0), multiply-adds per the record, no leaks over 20 frames', async () => {
    resetSeeds(2);
    const model = (createModel('tdnet4-lite', { numClasses: 4 }) as TDNet);
    const macs = tdnetMacs(model, [SIZE, SIZE]);
    expect(macs.paths).toHaveLength(4);
    expect(macs.shared).toBeGreaterThan(0);
    const stream = new TDNetStream(model, macs);
    const video = randomVideo(20);
    ((await stream.step(video[0] as Tensor4D)).labels as Tensor2D).dispose(); // warm up kernels and caches
    stream.reset();
    const before = tf.memory().numTensors;
    const records = [];
    for (const f of video) {
      const r = await stream.step(f);
      const labels = r.labels as Tensor2D;
      expect(labels.shape).toEqual([SIZE, SIZE]);
      labels.dispose();
      records.push(r);
    }
    stream.reset();
    expect(tf.memory().numTensors).toBe(before);
    expect(records[0]?.ran).toEqual(['subnet1', 'subnet2', 'subnet3', 'subnet4']);
    records.slice(1).forEach((r, i) => expect(r.ran).toEqual([`subnet${((i + 1) % 4) + 1}`]));
    records.forEach((r) => expect(r.macs).toBe(macs.shared + r.ran.reduce((s, u) => s + (macs.paths[Number(u.slice(6)) - 1] ?? 0), 0)));
    tf.dispose(video);
    stream.dispose();
  });

  it('on a still video, frame m of the stream equals the still-image forward', async () => {
    resetSeeds(3);
    const model = (createModel('tdnet2-lite', { numClasses: 3 }) as TDNet);
    const stream = new TDNetStream(model, { paths: [0, 0], shared: 0 });
    const frame = tf.randomUniform([1, SIZE, SIZE, 3], 0, 255, 'int32', 9) as Tensor4D;
    const outs: Tensor2D[] = [];
    for (let i = 0; i < 3; i++) outs.push((await stream.step(frame)).labels as Tensor2D);
    const still = tf.tidy(() => tf.squeeze(model.predict(frame), [0]));
    expect(tf.tidy(() => tf.all(tf.equal(outs[2] as tf.Tensor, still)).dataSync()[0])).toBe(1);
    tf.dispose([...outs, still, frame]);
    stream.dispose();
  });

  it('grouped distillation: the loss is finite and falls on a fixed batch; training from image clips runs', async () => {
    resetSeeds(4);
    const student = (createModel('tdnet2-lite', { numClasses: 3 }) as TDNet);
    const teacher = createModel('pspnet-lite', { numClasses: 3 });
    const image = { width: 32, height: 32, data: new Uint8Array(32 * 32 * 3).map((_, i) => (i * 37) % 251) };
    const labels = { width: 32, height: 32, data: new Uint8Array(32 * 32).map((_, i) => (i % 32 < 16 ? 0 : i < 512 ? 1 : 2)) };
    const samples: Sample[] = [{ image, labels }];
    const clips = imageClips({ names: ['a'], read: async () => samples[0] as Sample }, 2);
    const frames = [0, 1].map((j) => tf.tensor4d(Float32Array.from(image.data, (v) => v / 255 + j * 0.01), [1, 32, 32, 3]));
    const y = tf.tensor3d(Int32Array.from(labels.data), [1, 32, 32], 'int32') as Tensor3D;
    const t = tf.tidy(() => ({ features: frames.map((x) => teacherBackbone(teacher).features(x, { training: false })[4] as Tensor4D), logits: teacher.forward(frames[1] as Tensor4D).out }));
    const opt = tf.train.adam(0.01);
    const losses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const l = opt.minimize(() => distillLoss(student, frames, y, t, i % 2, {}), true, student.trainableVariables());
      losses.push(l?.dataSync()[0] ?? NaN);
      l?.dispose();
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[5]).toBeLessThan(losses[0] as number);
    opt.dispose();
    tf.dispose([...frames, y, ...t.features, t.logits]);
    const history = await distillTdnet(student, teacher, clips, { config: { epochs: 1, batchSize: 1, lr: 1e-3, optimizer: 'adam' }, numClasses: 3, val: clips });
    expect(history).toHaveLength(1);
    expect(history[0]?.val?.meanIoU).toBeGreaterThanOrEqual(0);
    student.dispose();
    teacher.dispose();
  });
});
