/**
 * WeClick's flags of `pixelwise train` (Liu et al., ACM MM 2021; packages/video/README.md):
 * `--labels DIR` (clicks from `pixelwise data clicks`, or the data set itself for full labels),
 * `--memory-flow N`, `--mfd W`, `--kd W`, and the setup options they give. Any of them on a video
 * data set selects WeClick training; none of them mixes with temporal-consistency training.
 */
import type { WeClickSetupOptions } from '@pixelwise/video/node';
import { CliError } from './errors.js';
import { flag, flagName, type Parsed } from './flags.js';

export const WECLICK_FLAGS = {
  labels: flag.path("segmentation models on video: labels folder in the data set's layout: a `pixelwise data clicks` output (WeClick: partial cross-entropy on the clicks), or the data set itself (full labels on the same samples)", { arg: '<dir>' }),
  memoryFlow: flag.int('WeClick: frames in the memory window, the target included (n; default 3: two previous frames); the teacher\'s predictions on them are warped to the target', 1, 16),
  mfd: flag.number('WeClick: weight of memory flow distillation (default 1 with --teacher and n >= 2; 0: off)', 0, 1000, { closed: true }),
  kd: flag.number('WeClick: weight of pixel-wise KD from --teacher on the target frame (default 0: off)', 0, 1000, { closed: true }),
};
type WeClickFlags = Parsed<typeof WECLICK_FLAGS>;

/** Keys of the WeClick flags that were given. */
export function weclickFlagsGiven(o: WeClickFlags): Array<keyof WeClickFlags> {
  return (Object.keys(WECLICK_FLAGS) as Array<keyof WeClickFlags>).filter((k) => o[k] !== undefined);
}

/**
 * The WeClick setup options of the train flags, or undefined when no WeClick flag was given.
 * @throws CliError when WeClick and temporal-consistency flags (`--temporal-loss`, `--distill`) are mixed.
 */
export function weclickOptions(o: WeClickFlags & { model: string; data: string; temporalLoss?: number | undefined; distill?: unknown; labelledEvery?: number | undefined; teacher?: string | undefined; teacherModel?: string | undefined; flow?: string | undefined; size?: [number, number] | undefined; auxWeight: number; val: boolean }): WeClickSetupOptions | undefined {
  const given = weclickFlagsGiven(o);
  if (given.length === 0) return undefined;
  const mixed = (['temporalLoss', 'distill', 'labelledEvery'] as const).find((k) => o[k] !== undefined);
  if (mixed) throw new CliError(`${flagName(mixed)}: temporal-consistency training does not mix with WeClick's ${given.map((k) => flagName(k)).join(', ')}`);
  const { labels, memoryFlow, mfd, kd, teacher, teacherModel, flow } = o;
  return {
    model: o.model,
    data: o.data,
    ...(labels !== undefined ? { labels } : {}),
    ...(memoryFlow !== undefined ? { memoryFlow } : {}),
    ...(mfd !== undefined ? { mfd } : {}),
    ...(kd !== undefined ? { kd } : {}),
    ...(teacher !== undefined ? { teacher } : {}),
    ...(teacherModel !== undefined ? { teacherModel } : {}),
    ...(flow !== undefined ? { flow } : {}),
    ...(o.size ? { crop: o.size } : {}),
    auxWeight: o.auxWeight,
    validate: o.val,
  };
}
