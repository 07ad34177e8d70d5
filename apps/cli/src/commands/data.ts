/**
 * `pixelwise data synth --out DIR [--kind images|video] [--count N] [--size WxH] [--classes C]
 * [--seed S] [--val FRACTION] [--void-border PX] [--force]`: synthetic images in the real label
 * formats, with a manifest.json (DESIGN.md, "Data formats").
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { z } from 'zod';
import { writeSynthDataset } from '@pixelwise/models/node';
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
  kind: z.enum(['images', 'video']),
  count: int('--count', 1, 1_000_000),
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
  if (o.kind === 'video') {
    throw new CliError('data synth --kind video: synthetic video arrives with @pixelwise/video (issue 6); use --kind images for now');
  }
  const [width, height] = o.size;
  const progress = createProgress(o.count, { label: 'synth', unit: 'images', disabled: o.quiet ?? false });
  const t0 = performance.now();
  let manifest;
  try {
    manifest = await writeSynthDataset({
      out: o.out,
      count: o.count,
      width,
      height,
      classes: o.classes,
      seed: o.seed,
      split: { val: o.val },
      voidBorder: o.voidBorder,
      overwrite: o.force ?? false,
      onProgress: (done) => progress.update(done),
    });
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  } finally {
    progress.done();
  }
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(
    `wrote ${manifest.count} images ${width}x${height}, ${o.classes} classes (train ${manifest.splits.train.length}, val ${manifest.splits.val.length}) to ${o.out} in ${seconds.toFixed(1)} s\n`,
  );
}

export function registerData(program: Command): void {
  const data = program.command('data').description('generate synthetic images or video in the real label formats (data synth)');
  data
    .command('synth')
    .description('write a synthetic segmentation data set: train/ and val/ with images/*.png, labels/*.png, and manifest.json')
    .requiredOption('--out <dir>', 'output directory (must be empty or missing, unless --force)')
    .addOption(new Option('--kind <kind>', 'images, or video (arrives with @pixelwise/video)').choices(['images', 'video']).default('images'))
    .option('--count <n>', 'number of images over both splits', '100')
    .option('--size <WxH>', 'image size', '256x256')
    .option('--classes <c>', 'number of classes, 2..255 (sky, road, grass, car, building, person, water, sign, ...)', '8')
    .option('--seed <s>', 'random seed; image i depends only on (seed, i)', '0')
    .option('--val <fraction>', 'fraction of the images in val/', '0.1')
    .option('--void-border <px>', 'void (255) band around objects, like PASCAL VOC', '0')
    .option('--force', 'replace the data set in --out (its manifest.json, train/ and val/)')
    .option('--quiet', 'no progress on stderr')
    .action(synthCommand);
}
