/**
 * `pixelwise data synth --out DIR [--kind images|video] [--count N] [--frames T] [--size WxH]
 * [--classes C] [--seed S] [--val FRACTION] [--void-border PX] [--force]`: synthetic images, or
 * videos with ground-truth flow, in the real label formats, with a manifest.json (DESIGN.md,
 * "Data formats").
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { writeSynthDataset } from '@pixelwise/models/node';
import { writeSynthVideo } from '@pixelwise/video/node';
import { CliError } from '../errors.js';
import { createProgress } from '../progress.js';

const int = (flag: string, min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+$/, `${flag}: expected an integer, found`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${flag}: expected an integer in ${min}..${max}`);

const synthOptions = z.object({
  out: z.string().min(1, '--out: expected a directory'),
  kind: z.enum(['images', 'video'], { message: '--kind: expected images or video' }),
  count: int('--count', 1, 1_000_000).optional(),
  frames: int('--frames', 2, 100_000).optional(),
  size: z
    .string()
    .regex(/^\d+x\d+$/, '--size: expected WIDTHxHEIGHT, e.g. 256x256')
    .transform((s) => s.split('x').map(Number) as [number, number])
    .refine(([w, h]) => w >= 8 && h >= 8 && w <= 8192 && h <= 8192, '--size: width and height must be in 8..8192'),
  classes: int('--classes', 2, 255),
  seed: int('--seed', 0, 2 ** 32 - 1),
  val: z
    .string()
    .regex(/^(0(\.\d+)?|\.\d+)$/, '--val: expected a fraction in [0, 1), e.g. 0.1')
    .transform(Number),
  voidBorder: int('--void-border', 0, 16),
  force: z.boolean().optional(),
  quiet: z.boolean().optional(),
});

export async function synthCommand(raw: Record<string, unknown>): Promise<void> {
  const r = synthOptions.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const flag = issue?.path[0] === undefined ? '' : `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    const message = issue?.message ?? 'invalid options';
    // Messages of our own refinements already start with the flag; add the value given.
    const given = flag && raw[String(issue?.path[0])] !== undefined ? ` (got '${String(raw[String(issue?.path[0])])}')` : '';
    throw new CliError(message.startsWith('--') ? `${message.replace(/, found$/, '')}${given}` : `${flag}: ${message}${given}`);
  }
  const o = r.data;
  const started = performance.now();
  const [width, height] = o.size;
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

/** Runs `write` with a progress bar on stderr; its errors become one-line CliErrors. */
async function withProgress<T>(total: number, unit: string, quiet: boolean | undefined, write: (onProgress: (done: number) => void) => Promise<T>): Promise<T> {
  const progress = createProgress(total, { label: 'synth', unit, disabled: quiet ?? false });
  try {
    return await write((done) => progress.update(done));
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  } finally {
    progress.done();
  }
}

export function registerData(program: Command): void {
  const data = program.command('data').description('generate synthetic images or video in the real label formats (data synth)');
  data
    .command('synth')
    .description('write a synthetic segmentation data set: train/ and val/ with images/*.png, labels/*.png (video: images/<video>/, gt/<video>/*_sem.png + *_inst.png, flow/, flow-bw/), and manifest.json')
    .requiredOption('--out <dir>', 'output directory (must be empty or missing, unless --force)')
    .option('--kind <kind>', 'images, or video (frames, track ids, forward/backward flow)', 'images')
    .option('--count <n>', 'number of images (default 100), or of videos with --kind video (default 10), over both splits')
    .option('--frames <t>', 'frames per video (--kind video; default 10)')
    .option('--size <WxH>', 'image size', '256x256')
    .option('--classes <c>', 'number of classes, 2..255 (sky, road, grass, car, building, person, water, sign, ...)', '8')
    .option('--seed <s>', 'random seed; image i depends only on (seed, i)', '0')
    .option('--val <fraction>', 'fraction of the images (videos) in val/', '0.1')
    .option('--void-border <px>', 'void (255) band around objects, like PASCAL VOC', '0')
    .option('--force', 'replace the data set in --out (its manifest.json, train/ and val/)')
    .option('--quiet', 'no progress on stderr')
    .action(synthCommand);
}
