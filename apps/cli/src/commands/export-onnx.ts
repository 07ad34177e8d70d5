/**
 * `pixelwise export --model NAME [--weights CKPT] --size WxH --out FILE.onnx [--num-classes C]
 * [--backend B] [--json]`: the model as one ONNX file (opset 17) for ONNX Runtime or any other
 * runtime: uint8 RGB `[N, H, W, 3]` in with the normalisation inside, `scores` `[N, C, H, W]` and
 * `labels` `[N, H, W]` out, the model's name, options, class names, input size and normalisation
 * in its metadata. Weights through `loadModel` (safetensors or .pth); none: random initialisation.
 * Written atomically. (`pixelwise export` without `--model` exports saved runs: commands/export.ts.)
 */
import { setBackend } from '@pixelwise/core';
import { createModel, exportOnnx, resolveModelOptions, type Segmentor } from '@pixelwise/models';
import { loadSegmentor, writeFileAtomic } from '@pixelwise/models/node';
import { CliError } from '../errors.js';
import { backendFlag, defineCommand, flag, type Parsed } from '../flags.js';
import { modelFlag } from '../model-flags.js';

const FLAGS = {
  model: modelFlag('registry name', ['segmentation', 'video']),
  weights: flag.path('weights (.safetensors or .pth; a pixelwise checkpoint or a torchvision state dict); default: random initialisation', { arg: '<ckpt>' }),
  size: flag.size('input size the graph takes (one graph per size)', { required: true }),
  out: flag.path('the .onnx file to write', { required: true, arg: '<file>' }),
  numClasses: flag.int('classes (default: from the checkpoint, else 21)', 1, 255),
  backend: backendFlag(),
  json: flag.bool('print one JSON object: the file, its bytes and its metadata'),
};

export async function exportOnnxCommand(o: Parsed<typeof FLAGS>): Promise<void> {
  if (!o.out.toLowerCase().endsWith('.onnx')) throw new CliError(`--out: expected a .onnx file, got '${o.out}'`);
  await setBackend(o.backend);
  const overrides = o.numClasses ? { numClasses: o.numClasses } : {};
  let model: Segmentor;
  let options: Record<string, unknown>;
  let classNames: string[] | undefined;
  if (o.weights === undefined) {
    options = resolveModelOptions(o.model, overrides);
    model = createModel(o.model, options);
  } else {
    const loaded = await loadSegmentor(o.weights, { model: o.model, flag: '--weights', overrides });
    loaded.warnings.forEach((w) => process.stderr.write(`export: warning: ${w}\n`));
    ({ model, options } = loaded);
    classNames = loaded.info?.classNames;
  }
  const [h, w] = o.size;
  try {
    let exported: ReturnType<typeof exportOnnx>;
    try {
      exported = exportOnnx(model, o.model, options, [h, w], classNames && classNames.length === model.numClasses ? { classNames } : {});
    } catch (e) {
      // SegNet and DeconvNet take sizes divisible by 32 (DeconvNet at least 224): a bad --size.
      const msg = (e as Error).message;
      if (/input height and width must be/.test(msg)) throw new CliError(`--size ${w}x${h}: ${msg}`);
      throw e;
    }
    await writeFileAtomic(o.out, exported.bytes);
    const summary = { file: o.out, bytes: exported.bytes.length, ...exported.metadata };
    if (o.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else process.stderr.write(`export: wrote ${o.out} (${(exported.bytes.length / 2 ** 20).toFixed(1)} MiB): ${o.model} at ${w}x${h}, ${model.numClasses} classes; ${exported.metadata.input}; ${exported.metadata.outputs}\n`);
  } finally {
    model.dispose();
  }
}

export const registerExportOnnx = defineCommand({ name: 'export', description: 'export a model as ONNX (--model NAME --size WxH --out FILE.onnx); without --model: saved runs as CSV or JSON', flags: FLAGS, run: exportOnnxCommand });
