/**
 * A data-parallel training worker (see `parallel-gradients.ts`): rebuilds the main thread's setup
 * from its spec (same data, same model), takes the weights it is sent, and answers gradient
 * requests for its share of a step's samples with the same per-sample augmentation.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { setBackend, tf, type BackendName } from '@pixelwise/core';
import { sampleRng } from '../../train/fit.js';
import { localGradients } from '../../train/gradients.js';
import { buildSetup, ValuePool, type FromWorker, type SetupSpec, type ToWorker } from './spec.js';

const port = parentPort;
if (port === null) throw new Error('parallel worker: must run in a worker thread');
const { spec, backend } = workerData as { spec: SetupSpec; backend: BackendName };
const send = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
const fail = (e: unknown, id?: number) => send({ type: 'error', ...(id !== undefined ? { id } : {}), name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) });

try {
  await setBackend(backend);
  const setup = await buildSetup(spec);
  const local = localGradients(setup.task);
  const models = setup.task.objectives.map((o) => o.model);
  // The weights' arrays, once assigned, carry the gradients back (and the main thread the reverse).
  const pool = new ValuePool();
  let queue = Promise.resolve();
  port.on('message', (m: ToWorker) => {
    // One message at a time, in order (compute is async).
    queue = queue.then(async () => {
      if (m.type === 'weights') {
        tf.tidy(() => m.models.forEach((values, i) => models[i]?.namedSlots().forEach(([, s], j) => s.variable.assign(tf.tensor(values[j] as Float32Array | Int32Array, s.variable.shape, s.variable.dtype)))));
        m.models.forEach((values) => pool.give(values));
      } else if (m.type === 'compute') {
        try {
          const g = await local.compute(m.k, m.indices, { seed: m.seed, epoch: m.epoch, rngOf: sampleRng(m.seed, m.epoch) });
          const grads = g.grads.map((t) => pool.valuesOf(t) as Float32Array);
          tf.dispose(g.grads);
          send({ type: 'grads', id: m.id, grads, loss: g.loss, count: g.count }, grads.map((a) => a.buffer as ArrayBuffer));
        } catch (e) {
          fail(e, m.id);
        }
      } else if (m.type === 'endStep') {
        local.endStep();
      } else {
        setup.dispose();
        port.close();
      }
    });
  });
  send({ type: 'ready' });
} catch (e) {
  fail(e);
}
