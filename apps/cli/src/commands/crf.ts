/**
 * `pixelwise crf --image IMG.png --logits LOGITS.npy --out LABELS.png [--q-out Q.npy]
 * [--iterations N] [--preset NAME] [--pos-w W --pos-xy S --bi-w W --bi-xy S --bi-rgb S] [--json]`:
 * the fully connected CRF (Kraehenbuehl & Koltun 2011) on one image's network scores. LOGITS.npy
 * is float32 `[C, H, W]` at the image's size, as `predict --logits` writes it (softmax is applied
 * here); LABELS.png gets the argmax of the CRF marginals (8-bit class ids), Q.npy the marginals
 * in the same `[C, H, W]` layout. Both are written atomically, and only when everything was read
 * and computed. No TensorFlow.js here; `--tune` (crf-tune.ts) runs a network on held-out images.
 */
import { rm } from 'node:fs/promises';
import { argmaxClasses, refineLogits, type CrfParams } from '@pixelwise/core/crf';
import { decodeRgbPng, encodeLabelPng, readNpy, writeNpy } from '@pixelwise/core/io';
import { readBytes, writeFileAtomic } from '@pixelwise/models/node';
import { CRF_KERNEL_FLAGS, crfIterationsFlag, crfParams, crfPresetFlag, requireSwitch } from '../crf-flags.js';
import { CliError } from '../errors.js';
import { crfTuneCommand, TUNE_FLAGS, type CrfTuneOutput } from './crf-tune.js';
import { defineCommand, flag, type Parsed } from '../flags.js';

const FLAGS = {
  image: flag.path('the RGB image the scores are for (required without --tune)', { arg: '<png>' }),
  logits: flag.path('float32 [C,H,W] scores at the image size (`predict --logits`); softmax is applied here (required without --tune)', { arg: '<npy>' }),
  out: flag.path('output label PNG (argmax of the CRF marginals) (required without --tune)', { arg: '<png>' }),
  qOut: flag.path('also write the marginals Q as float32 [C,H,W] .npy', { arg: '<npy>' }),
  preset: crfPresetFlag(),
  iterations: crfIterationsFlag(),
  ...CRF_KERNEL_FLAGS,
  json: flag.bool('print one JSON object'),
  ...TUNE_FLAGS,
};

export interface CrfCommandResult {
  image: string;
  logits: string;
  out: string;
  qOut?: string;
  width: number;
  height: number;
  numClasses: number;
  params: CrfParams;
  /** Pixels whose label the CRF changed from the scores' argmax. */
  changedPixels: number;
  seconds: number;
}

/** Reads a file through `decode` (its FormatError, or a DatasetError for an unreadable file, names it). */
const readWith = async <T>(path: string, decode: (bytes: Uint8Array, source: string) => T): Promise<T> => decode(await readBytes(path), path);

export async function crfCommand(o: Parsed<typeof FLAGS>): Promise<CrfCommandResult | CrfTuneOutput> {
  if (o.tune) {
    requireSwitch(false, { image: o.image, logits: o.logits, out: o.out, qOut: o.qOut }, 'not used with --tune');
    return crfTuneCommand(o);
  }
  requireSwitch(false, { data: o.data, weights: o.weights, model: o.model, maxImages: o.maxImages, gridW1: o.gridW1, gridXy: o.gridXy, gridRgb: o.gridRgb, workers: o.workers }, 'only with --tune');
  const out = o.out;
  if (o.image === undefined || o.logits === undefined || out === undefined) throw new CliError('crf: needs --image, --logits and --out (or --tune)');
  const params = crfParams(o.preset, o.iterations, o);
  const image = await readWith(o.image, decodeRgbPng);
  const scores = await readWith(o.logits, readNpy);
  if (scores.dtype !== '<f4') throw new CliError(`${o.logits}: dtype ${scores.dtype}, expected float32 (<f4) scores [C, H, W] as \`predict --logits\` writes them`);
  const [c, h, w] = scores.shape;
  if (scores.shape.length !== 3 || c === undefined || h === undefined || w === undefined) {
    throw new CliError(`${o.logits}: shape [${scores.shape.join(', ')}], expected 3 dimensions [C, H, W]`);
  }
  if (h !== image.height || w !== image.width) throw new CliError(`${o.logits}: scores are ${w}x${h} (shape [${c}, ${h}, ${w}]), but ${o.image} is ${image.width}x${image.height}`);
  if (c < 1 || c > 256) throw new CliError(`${o.logits}: ${c} classes; 1..256 fit an 8-bit label PNG`);
  const t0 = performance.now();
  let result;
  try {
    result = refineLogits({ width: w, height: h, numClasses: c, image: image.data, logits: scores.data }, params);
  } catch (e) {
    throw new CliError(`${o.logits}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const before = argmaxClasses(scores.data, c);
  let changed = 0;
  for (let i = 0; i < before.length; i++) if (before[i] !== result.labels[i]) changed++;
  // Labels first; if the marginals cannot be written, the labels go too: all or nothing.
  await writeFileAtomic(out, encodeLabelPng({ width: w, height: h, data: result.labels }));
  if (o.qOut !== undefined) {
    await writeFileAtomic(o.qOut, writeNpy({ dtype: '<f4', shape: [c, h, w], data: result.marginals })).catch(async (e: unknown) => {
      await rm(out, { force: true });
      throw e;
    });
  }
  const res: CrfCommandResult = { image: o.image, logits: o.logits, out, width: w, height: h, numClasses: c, params, changedPixels: changed, seconds };
  if (o.qOut !== undefined) res.qOut = o.qOut;
  if (o.json) process.stdout.write(`${JSON.stringify(res)}\n`);
  else process.stdout.write(`wrote ${o.out}${o.qOut ? ` and ${o.qOut}` : ''}: ${w}x${h}, ${c} classes, ${params.iterations} iterations, ${changed} pixels changed, ${seconds.toFixed(2)} s\n`);
  return res;
}

export const registerCrf = defineCommand({ name: 'crf', description: "refine one image's scores with the fully connected CRF (mean field on the permutohedral lattice): label PNG, optional marginals .npy", flags: FLAGS, run: crfCommand });
