/**
 * `pixelwise data clicks --data DIR --out DIR [--per instance|component] [--radius R] [--seed S]
 * [--force]`: click annotations for WeClick (Liu et al., ACM MM 2021): for every annotated frame
 * a label PNG with one click per thing instance and per connected stuff region (class id on the
 * clicked pixels, 255 elsewhere) at an interior pixel, and clicks.json with the share of
 * labelled pixels (`writeClickLabels` of @pixelwise/video/node).
 */
import { writeClickLabels } from '@pixelwise/video/node';
import { z } from 'zod';
import { flag, type Parsed } from '../flags.js';
import { createProgress } from '../progress.js';

export const CLICK_FLAGS = {
  data: flag.path('data set to click on: a video data set (instance PNGs give one click per thing instance), or an image data set (synthetic, PASCAL VOC, Cityscapes: --per component)', { required: true, arg: '<dir>' }),
  out: flag.path('output folder for the click labels (must be empty or missing, unless --force)', { required: true, arg: '<dir>' }),
  per: { description: 'instance: one click per thing instance (instance PNGs) and per connected stuff region (default for video); component: one per connected region of every class (default for image data sets)', arg: '<what>', schema: z.enum(['instance', 'component'], { message: 'expected instance or component' }).optional() },
  radius: flag.int('disc radius around each click in pixels (0: one pixel)', 0, 64, { default: '0' }),
  seed: flag.int('random seed; frame i depends only on (seed, i)', 0, 2 ** 31 - 1, { default: '0' }),
  force: flag.bool('replace the click labels in --out (clicks.json, train/, val/)'),
  quiet: flag.bool('no progress on stderr'),
};

export async function clicksCommand(o: Parsed<typeof CLICK_FLAGS>, isVideo: boolean): Promise<void> {
  // The frame count is known once the data set is open: the bar starts at the first frame.
  let progress: ReturnType<typeof createProgress> | undefined;
  try {
    const onProgress = (done: number, total: number) => (progress ??= createProgress(total, { label: 'clicks', unit: 'frames', disabled: o.quiet ?? false })).update(done);
    const m = await writeClickLabels({ data: o.data, out: o.out, per: o.per ?? (isVideo ? 'instance' : 'component'), radius: o.radius, seed: o.seed, overwrite: o.force ?? false, onProgress });
    progress?.done();
    progress = undefined;
    process.stdout.write(`wrote ${m.clicks} clicks on ${m.frames} frames (${(m.clicks / Math.max(1, m.frames)).toFixed(1)} per frame, one per ${m.per === 'instance' ? 'thing instance and stuff region' : 'connected region'}, radius ${m.radius}) to ${o.out}: ${(m.labelledShare * 100).toFixed(3)}% of the annotated pixels labelled\n`);
  } finally {
    progress?.done();
  }
}
