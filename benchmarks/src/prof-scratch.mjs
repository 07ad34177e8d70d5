import { setBackend, tf } from '@pixelwise/core';
import { createModel, segmentorLoss, TRAIN } from '@pixelwise/models';
await setBackend('wasm');
const [name, b, s] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const model = createModel(name, { numClasses: 8, ...(name.includes('resnet') || name.startsWith('psp') ? { aux: true } : {}) });
const x = tf.randomUniform([b, s, s, 3]);
const y = tf.cast(tf.floor(tf.randomUniform([b, s, s], 0, 8)), 'int32');
const opt = tf.train.momentum(0.01, 0.9);
const step = () => { const l = opt.minimize(() => segmentorLoss(model.forward(x, { training: true, deterministic: true }), y), true, model.trainableVariables()); l.dataSync(); l.dispose(); };
step();
let t0 = performance.now(); step(); const plain = performance.now() - t0;
const prof = await tf.profile(step);
const by = new Map();
for (const k of prof.kernels) { const t = await k.kernelTimeMs; const ms = typeof t === 'number' ? t : (t?.error ? 0 : 0); const e = by.get(k.name) ?? { ms: 0, n: 0 }; e.ms += ms; e.n++; by.set(k.name, e); }
const rows = [...by].sort((a, b) => b[1].ms - a[1].ms);
const total = rows.reduce((a, r) => a + r[1].ms, 0);
console.log(`${name} b${b} ${s}x${s}: step ${plain.toFixed(0)} ms, kernels ${total.toFixed(0)} ms, peak ${(prof.peakBytes/2**20).toFixed(0)} MiB`);
for (const [k, v] of rows.slice(0, 14)) console.log(`${k.padEnd(28)} ${v.ms.toFixed(1).padStart(8)} ms ${(100*v.ms/total).toFixed(1).padStart(5)}% x${v.n}`);
