/** Worker thread of {@link evaluateImagePairs}: decodes and accumulates the pairs it is sent. */
import { parentPort, workerData } from 'node:worker_threads';
import { ConfusionMatrix } from '../confusion-matrix.js';
import { accumulatePair, type FromWorker, type ToWorker, type WorkerSetup } from './evaluate-images.js';

const setup = workerData as WorkerSetup;
const cm = new ConfusionMatrix(setup);
const port = parentPort;
if (port === null) throw new Error('image-worker must run in a worker thread');
port.on('message', (m: ToWorker) => {
  if (m.type === 'finish') {
    port.postMessage({ type: 'matrix', data: cm.toData() } satisfies FromWorker);
    return;
  }
  try {
    const pixels = accumulatePair(cm, m, setup);
    port.postMessage({ type: 'done', pixels } satisfies FromWorker);
  } catch (e) {
    port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e), name: e instanceof Error ? e.name : 'Error' } satisfies FromWorker);
  }
});
