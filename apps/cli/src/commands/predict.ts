/**
 * `pixelwise predict --model NAME --weights FILE --input IMG|DIR --out DIR [--logits]
 * [--num-classes C] [--backend B]`: label PNGs (8-bit class ids) and, with `--logits`, float32
 * `[C, H, W]` .npy scores at input resolution.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import type { Command } from 'commander';
import { setBackend, tf, type BackendName, type Tensor4D } from '@pixelwise/core';
import { decodePng, encodeLabelPng, readSafetensors, writeNpy } from '@pixelwise/core/io';
import { readdirUtf8 } from '@pixelwise/eval/node';
import { createModel, isModelName, loadWeights, modelNames, toUint8Rgb } from '@pixelwise/models';
import { readCheckpointInfo, writeFileAtomic } from '@pixelwise/models/node';
import { z } from 'zod';
import { openAtomicOutput } from '../atomic-output.js';
import { CliError } from '../errors.js';
import { backendFlag, backendOption, intFlag, modelFlag, parseFlags } from '../options.js';
import { createProgress } from '../progress.js';

const schema = z.object({
  model: modelFlag(isModelName, modelNames),
  weights: z.string().min(1),
  input: z.string().min(1),
  out: z.string().min(1),
  logits: z.boolean().optional(),
  numClasses: intFlag('--num-classes', 1, 255).optional(),
  backend: backendFlag,
  quiet: z.boolean().optional(),
});

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

export async function predictCommand(raw: Record<string, unknown>): Promise<void> {
  const o = parseFlags(schema, raw);
  if (!existsSync(o.weights)) throw new CliError(`--weights: ${o.weights} does not exist`);
  await setBackend(o.backend as BackendName);
  const bytes = new Uint8Array(await readFile(o.weights));
  const info = await readCheckpointInfo(o.weights);
  if (info && info.model !== o.model) throw new CliError(`${o.weights}: a ${info.model} checkpoint, not ${o.model}`);
  const keys = [...readSafetensors(bytes, o.weights).tensors.keys()];
  const aux = keys.some((k) => k.startsWith('aux_classifier.') || k.startsWith('auxiliary_head.'));
  const numClasses = o.numClasses ?? info?.numClasses ?? 21;
  const model = createModel(o.model, { numClasses, aux });
  try {
    loadWeights(model, bytes, o.weights);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  const images = await listImages(o.input);
  const bar = createProgress(images.length, { label: 'predict', unit: 'images', disabled: o.quiet === true });
  const out = await openAtomicOutput(o.out, '--out'); // all label maps or none: a corrupt 3rd image leaves --out as it was
  for (const [i, img] of images.entries()) {
    const rgb = readRgb(new Uint8Array(await readFile(img.path)), img.path);
    const [labels, chw] = tf.tidy(() => {
      const scores = model.forward(model.normalize(toUint8Rgb(rgb) as Tensor4D)).out;
      const lab = tf.squeeze(tf.argMax(scores, 3), [0]);
      return [lab, o.logits ? tf.transpose(tf.squeeze(scores, [0]), [2, 0, 1]) : tf.zeros([0])];
    });
    const ids = Uint8Array.from(labels.dataSync());
    const base = img.rel.replace(/\.png$/i, '');
    await writeFileAtomic(join(out.dir, `${base}.png`), encodeLabelPng({ width: rgb.width, height: rgb.height, data: ids }));
    if (o.logits) await writeFileAtomic(join(out.dir, `${base}.npy`), writeNpy({ dtype: '<f4', shape: [numClasses, rgb.height, rgb.width], data: chw.dataSync() as Float32Array }));
    tf.dispose([labels, chw]);
    bar.update(i + 1);
  }
  await out.commit();
  bar.done();
  model.dispose();
  process.stderr.write(`predict: wrote ${images.length} label map${images.length === 1 ? '' : 's'}${o.logits ? ' and logits' : ''} to ${o.out}\n`);
}

export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description('segment images with a trained model: label PNGs, optionally float32 [C,H,W] logits (.npy)')
    .requiredOption('--model <name>', 'registry name')
    .requiredOption('--weights <file>', 'weights (.safetensors; pixelwise checkpoint or torchvision state dict)')
    .requiredOption('--input <path>', 'an RGB PNG or a directory of them (recursive)')
    .requiredOption('--out <dir>', 'output directory (same relative names)')
    .option('--logits', 'also write the class scores as [C,H,W] float32 .npy')
    .option('--num-classes <n>', 'classes (default: from the checkpoint, else 21)')
    .option('--quiet', 'no progress output')
    .addOption(backendOption())
    .action(predictCommand);
}
