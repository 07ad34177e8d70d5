/**
 * `pnpm bench`: runs the benchmarks and prints, for each, a Markdown table (stdout) ready for
 * docs/BENCHMARKS.md together with the command and machine. `--json` prints JSON instead.
 * Usage: node dist/index.js [--only NAME] [--iterations N] [--json]
 *        [--weights CKPT --data DIR [--engine tfjs|onnx] [--threads N]]   (the trained layer-cascade and its data, for `cascade`)
 *        [--weights DIR]               (.pth files of make_torchvision_fixtures.py --pth, for `weights-load`)
 *        [--weights CKPT]              (a trained FCN-8s, for `clockwork-onnx`; default: fcn8s-lite's initial weights)
 *        [--models A,B]                (train-step: only these models)
 */
import { parseArgs } from 'node:util';
import { benchCascade } from './cascade.js';
import { benchClockworkOnnx } from './clockwork-onnx.js';
import { benchCrf } from './crf.js';
import { benchEngines } from './engines.js';
import { benchEvalVsPillow } from './eval-vs-pillow.js';
import { benchDashboard } from './dashboard.js';
import { benchDbLoad } from './db-load.js';
import { benchModels } from './models.js';
import { benchPredictRss } from './predict-rss.js';
import { benchQueue } from './queue.js';
import { benchRegionConv } from './region-conv.js';
import { benchTrainStep } from './train-step.js';
import { benchWeightsLoad } from './weights-load.js';
import { modelNames } from '@pixelwise/models';
import type { BenchReport } from './report.js';

// `pnpm --filter @pixelwise/benchmarks bench -- --only X` (pnpm 10) passes the `--` on.
const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv[0] === '--' ? argv.slice(1) : argv,
  options: {
    only: { type: 'string' },
    iterations: { type: 'string', default: '20' },
    json: { type: 'boolean', default: false },
    weights: { type: 'string' },
    data: { type: 'string' },
    rhos: { type: 'string', default: '0.7,0.8,0.9,0.95,0.99' },
    rounds: { type: 'string', default: '3' },
    engine: { type: 'string', default: 'tfjs' },
    threads: { type: 'string' },
    // train-step: only these models (comma-separated), e.g. `--models fcn_resnet50`.
    models: { type: 'string' },
  },
});
const iterations = Number(values.iterations);
if (!Number.isInteger(iterations) || iterations < 1) {
  console.error(`--iterations: expected a positive integer, got '${values.iterations}'`);
  process.exit(2);
}

const benches: Record<string, () => Promise<BenchReport>> = {
  'region-conv': () => benchRegionConv({ backend: 'wasm', size: 128, channels: 64, warmup: 3, iterations, densities: [0.05, 0.25, 0.5, 1] }),
  'eval-vs-pillow': () => benchEvalVsPillow({ pairs: 48, width: 2048, height: 1024, numClasses: 19, rounds: Math.min(iterations, 5) }),
  models: () => benchModels({ size: [512, 512], iterations: Math.min(iterations, 5) }),
  cascade: () => {
    if (!values.weights || !values.data) {
      throw new Error('cascade: needs --weights CKPT --data DIR (a trained layer-cascade-lite and its synthetic data; see docs/BENCHMARKS.md)');
    }
    return benchCascade({
      model: 'layer-cascade-lite',
      weights: values.weights,
      data: values.data,
      size: [256, 256],
      rhos: (values.rhos ?? '').split(',').map(Number),
      iterations,
      rounds: Number(values.rounds),
      backend: 'wasm',
      engine: values.engine === 'onnx' ? 'onnx' : 'tfjs',
      ...(values.threads ? { threads: Number(values.threads) } : {}),
    });
  },
  'weights-load': () => {
    if (!values.weights) throw new Error('weights-load: needs --weights DIR (the .pth files of scripts/make_torchvision_fixtures.py --pth DIR; see docs/MODELS.md)');
    return benchWeightsLoad({ dir: values.weights, warmup: 1, iterations: Math.min(iterations, 5) });
  },
  'train-step': () =>
    benchTrainStep({
      cases: [
        { model: 'fcn8s-lite', batch: 8, size: 192 },
        { model: 'pspnet-lite', batch: 8, size: 192 },
        { model: 'layer-cascade-lite', batch: 8, size: 256 },
        { model: 'fcn_resnet50', batch: 2, size: 128, torch: true },
      ].filter((c) => !values.models || values.models.split(',').includes(c.model)),
      steps: 3,
      rounds: Math.min(iterations, 3),
    }),
  crf: () => benchCrf({ sizes: [256, 512, 768, 1024], numClasses: 21, iterations: 10, rounds: Math.min(iterations, 3), poolImages: 4, poolSize: 512, workers: 2 }),
  engines: () =>
    benchEngines({
      size: [512, 512],
      threads: [1, 2],
      torchvision: ['fcn_resnet50', 'deeplabv3_resnet50', 'lraspp_mobilenet_v3_large'],
      lite: modelNames('segmentation').filter((n) => n.endsWith('-lite')),
      warmup: 2,
      iterations: Math.min(iterations, 10),
      slowIterations: 3,
    }),
  'clockwork-onnx': () => benchClockworkOnnx({ ...(values.weights ? { weights: values.weights } : {}), size: [128, 128], threads: [1, 2], warmup: 3, iterations: Math.max(iterations, 40) }),
  'predict-rss': () => benchPredictRss({ model: 'lraspp_mobilenet_v3_large', size: [512, 512], images: 200, threads: 2 }),
  'db-load': () => benchDbLoad({ providers: ['sqlite', 'postgresql'], processes: 8, runsPerProcess: 50, totalRuns: 10_000, iterations }),
  queue: () => benchQueue({ jobs: 100, concurrency: 4, pollsMs: [500, 2000], samples: Math.min(iterations, 20) }),
  dashboard: () => benchDashboard({ providers: ['sqlite', 'postgresql'], totalRuns: 10_000, iterations }),
};
if (values.only && !benches[values.only]) {
  console.error(`--only: unknown benchmark '${values.only}'; available: ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}
const reports: BenchReport[] = [];
for (const [name, run] of Object.entries(benches)) {
  if (values.only && values.only !== name) continue;
  // These need files made beforehand (a trained model, large checkpoints), or take most of an hour
  // (engines: three engines on ResNet-50s): they run only when asked for.
  if (!values.only && ['cascade', 'weights-load', 'train-step', 'engines', 'predict-rss'].includes(name)) continue;
  reports.push(await run());
}
if (values.json) {
  console.log(JSON.stringify(reports, null, 2));
} else {
  for (const r of reports) {
    console.log(`### ${r.name}\n\nbackend: ${r.backend}; machine: ${r.machine}\nconfig: \`${JSON.stringify(r.config)}\`\n\n${r.markdown}\n`);
  }
}
