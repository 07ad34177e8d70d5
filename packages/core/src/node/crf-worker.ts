/** Worker thread of {@link CrfWorkerPool}: runs the CRF jobs it is sent, one at a time. */
import { parentPort } from 'node:worker_threads';
import { DenseCrf, divMBest, refineLogits } from '../crf/index.js';
import type { CrfReply, CrfTask } from './crf-pool.js';

const port = parentPort;
if (port === null) throw new Error('crf-worker must run in a worker thread');

function run(task: CrfTask): void {
  if (task.kind === 'refine') {
    const { marginals, labels } = refineLogits(task.job, task.options);
    port?.postMessage({ id: task.id, marginals, labels } satisfies CrfReply, [marginals.buffer as ArrayBuffer, labels.buffer as ArrayBuffer]);
    return;
  }
  const crf = new DenseCrf(task.job, task.options);
  const unary = task.job.unary;
  if (task.kind === 'marginals') {
    const marginals = crf.inference(unary);
    port?.postMessage({ id: task.id, marginals } satisfies CrfReply, [marginals.buffer as ArrayBuffer]);
    return;
  }
  const proposals = divMBest(crf, unary, task.divmbest);
  const energyOf = (p: Uint8Array | Uint16Array) => {
    const e = crf.energy(unary, p);
    return e.unary + e.pairwise;
  };
  const energies = task.energies ? proposals.map(energyOf) : undefined;
  port?.postMessage({ id: task.id, proposals, ...(energies ? { energies } : {}) } satisfies CrfReply, proposals.map((p) => p.buffer as ArrayBuffer));
}

port.on('message', (task: CrfTask) => {
  try {
    run(task);
  } catch (e) {
    port.postMessage({ id: task.id, error: e instanceof Error ? e.message : String(e) } satisfies CrfReply);
  }
});
