/**
 * `pixelwise weights convert IN.pth OUT.safetensors [--json]`: a PyTorch checkpoint's state dict
 * (torchvision's or mmsegmentation's `.pth`, zip or legacy format) as safetensors, tensors and
 * key names unchanged, so `safetensors.torch.load_file` gives back the same state dict. Nothing
 * in the checkpoint is executed; a file that is not a plain state dict is refused with one line.
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { torchToSafetensors } from '@pixelwise/core/io';
import { readBytes, writeFileAtomic } from '@pixelwise/models/node';
import { CliError } from '../errors.js';
import { flag, parseFlags, registerFlags } from '../flags.js';

export interface ConvertResult {
  input: string;
  output: string;
  format: 'zip' | 'legacy';
  tensors: number;
  bytes: number;
}

/** Reads IN, writes OUT atomically (nothing is written when IN is refused). */
export async function convertWeights(input: string, output: string): Promise<ConvertResult> {
  if (resolve(input) === resolve(output)) throw new CliError(`${output}: the output would overwrite the input`);
  // A refused checkpoint is a FormatError (or DatasetError for an unreadable file): exit 2, one line.
  const { bytes, checkpoint, stateDict } = torchToSafetensors(await readBytes(input), input);
  await writeFileAtomic(output, bytes);
  return { input, output, format: checkpoint.format, tensors: stateDict.size, bytes: bytes.length };
}

const FLAGS = { json: flag.bool('print one JSON object') };

export function registerWeights(program: Command): void {
  const weights = program.command('weights').description('weight files: convert PyTorch checkpoints to safetensors');
  const convert = weights
    .command('convert')
    .description("write a .pth checkpoint's state dict (under state_dict/model, without DataParallel's module.) as safetensors")
    .argument('<in>', 'PyTorch checkpoint (torch.save: zip or legacy format)')
    .argument('<out>', 'safetensors file to write');
  registerFlags(convert, FLAGS).action(async (input: string, output: string, raw: Record<string, unknown>) => {
    const opts = parseFlags(FLAGS, raw);
    const r = await convertWeights(input, output);
    if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
    else process.stdout.write(`wrote ${r.output}: ${r.tensors} tensors, ${r.bytes >= 1e6 ? `${(r.bytes / 1e6).toFixed(1)} MB` : `${(r.bytes / 1e3).toFixed(1)} kB`}, from a ${r.format} checkpoint\n`);
  });
}
