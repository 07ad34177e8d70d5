/**
 * The steps of `pixelwise demo` and their sizes: each step a `pixelwise` command line, with the
 * files that show it is done (so a second run skips it) and whether it saves runs.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';

export interface DemoScale {
  images: { count: number; size: number; classes: number; val: number };
  video: { count: number; frames: number; size: number; val: number };
  epochs: number;
  tdnetEpochs: number;
  benchIters: number;
  clockworkThreshold: number;
}

/** Sizes of the demo: small enough for 15 minutes on two cores (docs: README, Quick start). */
export const DEMO: DemoScale = {
  images: { count: 130, size: 96, classes: 8, val: 0.2 },
  video: { count: 4, frames: 12, size: 96, val: 0.5 },
  epochs: 5,
  tdnetEpochs: 4,
  benchIters: 20,
  clockworkThreshold: 0.1,
};

/** `--quick`: the same steps at toy size (a smoke test of the whole loop in about a minute). */
export const DEMO_QUICK: DemoScale = {
  images: { count: 12, size: 48, classes: 4, val: 0.34 },
  video: { count: 2, frames: 4, size: 48, val: 0.5 },
  epochs: 1,
  tdnetEpochs: 1,
  benchIters: 2,
  clockworkThreshold: 0.1,
};

export interface Step {
  /** Short label for the progress display. */
  label: string;
  args: string[];
  /** Files whose presence means the step's output is still there. */
  outputs: string[];
  /** Writes runs to the database (redone when the database changes). */
  saves?: boolean;
}

export interface DemoState {
  version: 1;
  database: string;
  done: Record<string, { seconds: number; summary: string }>;
}

export const stepKey = (s: Step): string => createHash('sha256').update(JSON.stringify(s.args)).digest('hex').slice(0, 16);

/** How the demo's inference steps (bench, video) run their models: `--engine`, `--threads`, `--device`. */
export interface DemoEngine {
  engine?: string | undefined;
  threads?: number | undefined;
  device?: string | undefined;
}

/** The engine flags to pass on: only those given (so the steps' cache keys stay as they were otherwise). */
function engineArgs(e: DemoEngine): string[] {
  return [...(e.engine ? ['--engine', e.engine] : []), ...(e.threads !== undefined ? ['--threads', String(e.threads)] : []), ...(e.device && e.device !== 'cpu' ? ['--device', e.device] : [])];
}

/** The demo's steps, in order. */
export function demoSteps(dir: string, backend: string, scale: DemoScale = DEMO, engine: DemoEngine = {}): Step[] {
  const d = (...p: string[]) => join(dir, ...p);
  const inference = engineArgs(engine);
  const { images, video } = scale;
  const imgSize = `${images.size}x${images.size}`;
  const ck = (m: string) => d('checkpoints', `${m}.safetensors`);
  const steps: Step[] = [
    {
      label: 'synthetic images',
      args: ['data', 'synth', '--out', d('images'), '--count', String(images.count), '--size', imgSize, '--classes', String(images.classes), '--val', String(images.val), '--seed', '1', '--force'],
      outputs: [d('images', 'manifest.json')],
    },
    {
      label: 'synthetic video',
      args: ['data', 'synth', '--kind', 'video', '--out', d('video'), '--count', String(video.count), '--frames', String(video.frames), '--size', `${video.size}x${video.size}`, '--classes', String(images.classes), '--val', String(video.val), '--seed', '2', '--force'],
      outputs: [d('video', 'manifest.json')],
    },
  ];
  const imageModels = ['fcn32s-lite', 'fcn8s-lite', 'pspnet-lite', 'layer-cascade-lite'];
  for (const m of imageModels) {
    steps.push({
      label: `train ${m}`,
      args: ['train', '--model', m, '--data', d('images'), '--epochs', String(scale.epochs), '--batch', '8', '--size', imgSize, '--optimizer', 'adam', '--backend', backend, '--out', ck(m), '--save', '--tag', 'demo', '--json'],
      outputs: [ck(m), ck(m).replace(/\.safetensors$/, '.json')],
      saves: true,
    });
  }
  steps.push({
    label: 'train tdnet2-lite (distilled from pspnet-lite)',
    // Pseudo-video clips of the images: far more clips than the demo's few short videos.
    args: ['train', '--model', 'tdnet2-lite', '--teacher', ck('pspnet-lite'), '--data', d('images'), '--epochs', String(scale.tdnetEpochs), '--batch', '8', '--optimizer', 'adam', '--backend', backend, '--out', ck('tdnet2-lite'), '--json'],
    outputs: [ck('tdnet2-lite')],
  });
  for (const m of imageModels) {
    steps.push({
      label: `evaluate + benchmark ${m}`,
      args: ['bench', '--model', m, '--weights', ck(m), '--data', d('images'), '--size', imgSize, '--backend', backend, ...inference, '--iters', String(scale.benchIters), '--previews', d('previews', m), '--save', '--tag', 'demo', '--json'],
      outputs: [ck(m)],
      saves: true,
    });
  }
  const videoRun = (label: string, method: string, model: string, extra: string[]): Step => ({
    label,
    args: ['video', '--method', method, ...extra, '--model', model, '--weights', ck(model), '--data', d('video'), '--backend', backend, ...inference, '--save-stage-maps', d('stage-maps', label.replace(/[^a-z0-9]+/gi, '-')), '--save', '--tag', 'demo', '--json'],
    outputs: [ck(model)],
    saves: true,
  });
  steps.push(videoRun('video per-frame fcn8s-lite', 'per-frame', 'fcn8s-lite', []));
  steps.push(videoRun('video clockwork adaptive', 'clockwork', 'fcn8s-lite', ['--schedule', 'adaptive', '--threshold', String(scale.clockworkThreshold)]));
  steps.push(videoRun('video tdnet2-lite', 'tdnet', 'tdnet2-lite', []));
  return steps;
}

