/**
 * `pixelwise predict --model NAME --weights FILE --input IMG|DIR --out DIR [--logits]
 * [--crf [--crf-preset P ...]] [--num-classes C] [--backend B] [--engine onnx|tfjs] [--threads N]
 * [--device cpu|webgpu]`: label PNGs (8-bit class ids) and, with `--logits`, float32 `[C, H, W]` .npy
 * scores at input resolution; ONNX Runtime (one session per image size) when it loads, else
 * TensorFlow.js; `--crf` refines the labels with the dense CRF (predict-crf.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import { setBackend } from '@pixelwise/core';
import { decodePng, encodeLabelPng, writeNpy } from '@pixelwise/core/io';
import { readdirUtf8 } from '@pixelwise/eval/node';
import { chooseEngine, describeEngine, loadSegmentor, segmenterFor, writeFileAtomic } from '@pixelwise/models/node';
import { openAtomicOutput } from '../atomic-output.js';
import { CliError } from '../errors.js';
import { backendFlag, defineCommand, engineFlags, flag, type Parsed } from '../flags.js';
import { modelFlag } from '../model-flags.js';
import { PREDICT_CRF_FLAGS, predictCrf } from '../predict-crf.js';
import { createProgress } from '../progress.js';

const FLAGS = {
  model: modelFlag('registry name', ['segmentation', 'video']),
  weights: flag.path('weights (.safetensors; a pixelwise checkpoint or a torchvision state dict)', { required: true, arg: '<file>' }),
  input: flag.path('an RGB PNG or a directory of them (recursive)', { required: true }),
  out: flag.path('output directory (same relative names)', { required: true, arg: '<dir>' }),
  logits: flag.bool('also write the class scores as [C,H,W] float32 .npy'),
  numClasses: flag.int('classes (default: from the checkpoint: its sidecar, else its classifier)', 1, 255),
  quiet: flag.bool('no progress output'),
  backend: backendFlag(),
  ...engineFlags(),
  ...PREDICT_CRF_FLAGS,
};

/** A directory's entries; a file name that is not UTF-8 is a one-line CliError, not a later "no such file". */
const readdirChecked = (dir: string) => {
  try {
    return readdirUtf8(dir);
  } catch (e) {
    throw new CliError(`--input: ${e instanceof Error ? e.message : String(e)}`);
  }
};

async function listImages(input: string): Promise<Array<{ path: string; rel: string }>> {
  if (!existsSync(input)) throw new CliError(`--input: ${input} does not exist`);
  if (statSync(input).isFile()) return [{ path: input, rel: basename(input) }];
  const out: Array<{ path: string; rel: string }> = [];
  const walk = async (dir: string) => {
    for (const e of readdirChecked(dir)) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (extname(e.name).toLowerCase() === '.png') out.push({ path: p, rel: relative(input, p) });
    }
  };
  await walk(input);
  out.sort((a, b) => a.rel.localeCompare(b.rel));
  if (out.length === 0) throw new CliError(`--input: no .png images under ${input}`);
  return out;
}

/** RGB(A) 8-bit PNG -> RGB bytes; anything else is refused with the file and what it is. */
export function readRgb(bytes: Uint8Array, source: string): { width: number; height: number; data: Uint8Array } {
  const img = decodePng(bytes, source);
  if (img.channels < 3 || img.palette) {
    const kind = img.palette ? 'palette' : img.channels === 1 ? 'gray' : 'gray+alpha';
    throw new CliError(`${source}: expected an RGB image, found a ${kind} PNG (${img.depth}-bit)`);
  }
  const n = img.width * img.height;
  const rgb = new Uint8Array(n * 3);
  const scale = img.depth === 16 ? 1 / 257 : 1;
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.round((img.data[i * img.channels + c] ?? 0) * scale);
  return { width: img.width, height: img.height, data: rgb };
}

export async function predictCommand(o: Parsed<typeof FLAGS>): Promise<void> {
  const backend = await setBackend(o.backend);
  const engine = await chooseEngine(o);
  const loaded = await loadSegmentor(o.weights, { model: o.model, flag: '--weights', ...(o.numClasses ? { overrides: { numClasses: o.numClasses } } : {}) });
  const { model, warnings } = loaded;
  warnings.forEach((w) => process.stderr.write(`predict: warning: ${w}\n`));
  const segmenter = segmenterFor(engine, { model, name: loaded.name, options: loaded.options, ...(loaded.info?.classNames ? { classNames: loaded.info.classNames } : {}) });
  const crf = predictCrf(o);
  try {
    const images = await listImages(o.input);
    const bar = createProgress(images.length, { label: 'predict', unit: 'images', disabled: o.quiet === true });
    const out = await openAtomicOutput(o.out, '--out'); // all label maps or none: a corrupt 3rd image leaves --out as it was
    for (const [i, img] of images.entries()) {
      const rgb = readRgb(new Uint8Array(await readFile(img.path)), img.path);
      const p = await segmenter.run({ data: rgb.data, shape: [1, rgb.height, rgb.width] }, { scores: o.logits === true || crf !== undefined });
      const base = img.rel.replace(/\.png$/i, '');
      const writeLabels = (labels: ArrayLike<number>) => writeFileAtomic(join(out.dir, `${base}.png`), encodeLabelPng({ width: rgb.width, height: rgb.height, data: Uint8Array.from(labels) }));
      if (crf && p.scores) await crf.add(img.path, { width: rgb.width, height: rgb.height, numClasses: model.numClasses, image: rgb.data, logits: p.scores }, writeLabels);
      else await writeLabels(p.labels);
      if (p.scores && o.logits) await writeFileAtomic(join(out.dir, `${base}.npy`), writeNpy({ dtype: '<f4', shape: [model.numClasses, rgb.height, rgb.width], data: p.scores }));
      bar.update(i + 1);
    }
    await crf?.finish();
    await out.commit();
    bar.done();
    process.stderr.write(`predict: wrote ${images.length} label map${images.length === 1 ? '' : 's'}${crf ? ' (CRF)' : ''}${o.logits ? ' and logits' : ''} to ${o.out}; ${describeEngine(engine, backend.backend)}\n`);
  } finally {
    await crf?.close();
    await segmenter.dispose();
    model.dispose();
  }
}

export const registerPredict = defineCommand({ name: 'predict', description: 'segment images with a trained model: label PNGs, optionally float32 [C,H,W] logits (.npy)', flags: FLAGS, run: predictCommand });
