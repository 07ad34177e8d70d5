/**
 * `pixelwise data synth --out DIR [--kind images|video] [--count N] [--frames T] [--size WxH]
 * [--classes C] [--seed S] [--val FRACTION] [--void-border PX] [--force]`: synthetic images, or
 * videos with ground-truth flow, in the real label formats, with a manifest.json (DESIGN.md,
 * "Data formats").
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { writeSynthDataset } from '@pixelwise/models/node';
import { isVideoDataset, writeSynthVideo } from '@pixelwise/video/node';
import { CliError } from '../errors.js';
import { flag, parseFlags, registerFlags, type Parsed } from '../flags.js';
import { createProgress } from '../progress.js';
import { CLICK_FLAGS, clicksCommand } from './data-clicks.js';

const FLAGS = {
  out: flag.path('output directory (must be empty or missing, unless --force)', { required: true, arg: '<dir>' }),
  kind: { description: 'images, or video (frames, track ids, forward/backward flow)', arg: '<kind>', default: 'images', schema: z.enum(['images', 'video'], { message: 'expected images or video' }) },
  count: flag.int('number of images (default 100), or of videos with --kind video (default 10), over both splits', 1, 1_000_000),
  frames: flag.int('frames per video (--kind video; default 10)', 2, 100_000),
  size: flag.size('image size', { default: '256x256' }),
  classes: flag.int('number of classes, 2..255 (sky, road, grass, car, building, person, water, sign, ...)', 2, 255, { default: '8' }),
  seed: flag.int('random seed; image i depends only on (seed, i)', 0, 2 ** 32 - 1, { default: '0' }),
  val: { description: 'fraction of the images (videos) in val/', arg: '<fraction>', default: '0.1', schema: z.string().regex(/^(0(\.\d+)?|\.\d+)$/, 'expected a fraction in [0, 1), e.g. 0.1').transform(Number) },
  voidBorder: flag.int('void (255) band around objects, like PASCAL VOC', 0, 16, { default: '0' }),
  force: flag.bool('replace the data set in --out (its manifest.json, train/ and val/)'),
  quiet: flag.bool('no progress on stderr'),
};

export async function synthCommand(o: Parsed<typeof FLAGS>): Promise<void> {
  const started = performance.now();
  const [height, width] = o.size;
  const common = { out: o.out, width, height, classes: o.classes, seed: o.seed, split: { val: o.val }, overwrite: o.force ?? false };
  if (o.kind === 'video') {
    if (o.voidBorder !== 0) throw new CliError('--void-border: only with --kind images (video labels have no void band)');
    const count = o.count ?? 10;
    const frames = o.frames ?? 10;
    const m = await withProgress(count * frames, 'frames', o.quiet, (onProgress) => writeSynthVideo({ ...common, count, frames, onProgress }));
    report(`${m.count} videos of ${m.frames} frames ${width}x${height} with forward/backward flow`, m);
    return;
  }
  if (o.frames !== undefined) throw new CliError('--frames: only with --kind video');
  const count = o.count ?? 100;
  const m = await withProgress(count, 'images', o.quiet, (onProgress) => writeSynthDataset({ ...common, count, voidBorder: o.voidBorder, onProgress }));
  report(`${m.count} images ${width}x${height}`, m);

  function report(what: string, manifest: { splits: { train: string[]; val: string[] } }): void {
    process.stdout.write(
      `wrote ${what}, ${o.classes} classes (train ${manifest.splits.train.length}, val ${manifest.splits.val.length}) to ${o.out} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
  }
}

/** Runs `write` with a progress bar on stderr. */
async function withProgress<T>(total: number, unit: string, quiet: boolean | undefined, write: (onProgress: (done: number) => void) => Promise<T>): Promise<T> {
  const progress = createProgress(total, { label: 'synth', unit, disabled: quiet ?? false });
  try {
    return await write((done) => progress.update(done));
  } finally {
    progress.done();
  }
}

export function registerData(program: Command): void {
  const data = program.command('data').description('generate synthetic images or video in the real label formats (data synth), click annotations (data clicks)');
  const synth = data
    .command('synth')
    .description('write a synthetic segmentation data set: train/ and val/ with images/*.png, labels/*.png (video: images/<video>/, gt/<video>/*_sem.png + *_inst.png, flow/, flow-bw/), and manifest.json');
  registerFlags(synth, FLAGS).action(async (raw: Record<string, unknown>) => synthCommand(parseFlags(FLAGS, raw, true)));
  const clicks = data.command('clicks').description('click annotations (WeClick): one click per thing instance and stuff region of each annotated frame, as label PNGs (255 elsewhere), and clicks.json');
  registerFlags(clicks, CLICK_FLAGS).action(async (raw: Record<string, unknown>) => {
    const o = parseFlags(CLICK_FLAGS, raw, true);
    return clicksCommand(o, isVideoDataset(o.data));
  });
}
