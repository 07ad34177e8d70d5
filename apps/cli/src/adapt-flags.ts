/**
 * `pixelwise train` flags of video domain adaptation (`--target DIR --adapt METHOD`), one table,
 * and the package options they become. Every choice of the method is a flag; the defaults are the
 * public re-implementations' (AdaptSegNet's discriminator, UnifiedVideoDA's adversarial weight,
 * consistency filter and confidence threshold): packages/video/README.md, "Video unsupervised domain adaptation".
 */
import { MODELS } from '@pixelwise/models';
import { GAN_LOSSES } from '@pixelwise/video';
import { ADAPTATIONS, isVideoDataset, LUCAS_KANADE, type Adaptation, type AdaptationRunOptions } from '@pixelwise/video/node';
import { CliError } from './errors.js';
import { flag, flagName } from './flags.js';

export const ADAPT_FLAGS = {
  target: flag.path('domain adaptation: the unlabelled target video data set (its labels are read only to validate)', { arg: '<dir>' }),
  adapt: flag.choice('domain adaptation from --data (labelled source video) to --target: source-only, image-adv (image-level adversarial), vat (video adversarial training), vat+vst (then video self-training)', ADAPTATIONS),
  init: flag.path('--adapt: start from this checkpoint of the same model (e.g. a source-only one)', { arg: '<ckpt>' }),
  frameGap: flag.int('--adapt: k, the frames between the pair (t-k, t) the video discriminator and the consistency filter see (default 1)', 1, 1000),
  advWeight: flag.number('--adapt image-adv|vat|vat+vst: weight of the adversarial loss in the segmenter loss (default 0.1)', 0, 100, { closed: true }),
  gan: flag.choice('--adapt image-adv|vat|vat+vst: adversarial loss: bce (default) or ls (least squares)', GAN_LOSSES),
  discSoftmax: flag.choice('--adapt vat|vat+vst: discriminator input: joint (one softmax over the 2C scores of t and t-k, the default) or per-frame', ['joint', 'per-frame']),
  discWidth: flag.int('--adapt image-adv|vat|vat+vst: discriminator channels of the first 4x4 stride-2 convolution, doubled three times (default 64: 64-128-256-512-1)', 1, 1024),
  discLr: flag.number('--adapt image-adv|vat|vat+vst: discriminator Adam learning rate, poly decay (default 1e-4)', 0, 10),
  vstRounds: flag.int('--adapt vat+vst: self-training rounds, each on fresh pseudo-labels (default 1)', 1, 100),
  vstEpochs: flag.int('--adapt vat+vst: epochs of each self-training round (default --epochs)', 1, 100000),
  vstLr: flag.number('--adapt vat+vst: learning rate of the self-training rounds (default --lr)', 0, 10),
  plThreshold: flag.number('--adapt vat+vst: keep pseudo-label pixels whose top probability is at least this (default 0.95)', 0, 1, { closed: true }),
  plClassPortion: flag.number('--adapt vat+vst: class-balanced pseudo-labels (CBST): keep the most confident portion P of the pixels predicted as each class, in place of --pl-threshold', 0, 1),
  plConsistency: flag.negated('--adapt vat+vst: no consistency filter (the confidence threshold only)'),
  plFlow: flag.string(`--adapt vat+vst: optical flow t -> t-k for the consistency filter: ${LUCAS_KANADE} (default) or a flow checkpoint (flownets-lite)`, { arg: '<flow>' }),
};

type AdaptFlags = { [K in keyof typeof ADAPT_FLAGS]?: unknown } & { model: string; data: string; size?: [number, number]; auxWeight: number; val: boolean };

/** Which of the table's flags apply to which methods (`--adapt`): one given elsewhere is an error. */
const APPLIES: Array<[keyof typeof ADAPT_FLAGS, readonly string[]]> = [
  ['advWeight', ['image-adv', 'vat', 'vat+vst']],
  ['gan', ['image-adv', 'vat', 'vat+vst']],
  ['discWidth', ['image-adv', 'vat', 'vat+vst']],
  ['discLr', ['image-adv', 'vat', 'vat+vst']],
  ['discSoftmax', ['vat', 'vat+vst']],
  ['vstRounds', ['vat+vst']],
  ['vstEpochs', ['vat+vst']],
  ['vstLr', ['vat+vst']],
  ['plThreshold', ['vat+vst']],
  ['plClassPortion', ['vat+vst']],
  ['plFlow', ['vat+vst']],
];

/**
 * The package options of an adaptation run, or undefined when `train` is not one (a segmentation
 * model on a video data set without `--adapt` trains on its frames: the target-supervised upper
 * bound when `--data` is the target).
 */
export function adaptationOptions(o: AdaptFlags): AdaptationRunOptions | undefined {
  const adapt = o.adapt as Adaptation | undefined;
  if (adapt === undefined) {
    const stray = (Object.keys(ADAPT_FLAGS) as Array<keyof typeof ADAPT_FLAGS>).find((k) => k !== 'plConsistency' && o[k] !== undefined);
    if (stray) throw new CliError(`${flagName(stray)}: only with --adapt (and --target)`);
    if (o.plConsistency === false) throw new CliError('--no-pl-consistency: only with --adapt vat+vst');
    return undefined;
  }
  if (MODELS[o.model]?.task !== 'segmentation') throw new CliError(`--adapt: adapts segmentation models; ${o.model} is a ${MODELS[o.model]?.task} model`);
  if (!isVideoDataset(o.data)) throw new CliError(`--adapt: --data must be a video data set (pixelwise data synth --kind video), ${o.data} is not`);
  if (o.target === undefined) throw new CliError('--adapt: needs --target, the unlabelled target video data set');
  if (!isVideoDataset(o.target as string)) throw new CliError(`--target: ${String(o.target)} is not a video data set (pixelwise data synth --kind video --domain target)`);
  for (const [k, methods] of APPLIES) if (o[k] !== undefined && !methods.includes(adapt)) throw new CliError(`${flagName(k)}: applies to --adapt ${methods.join('|')}, not ${adapt}`);
  if (o.plThreshold !== undefined && o.plClassPortion !== undefined) throw new CliError('--pl-threshold, --pl-class-portion: one or the other (a threshold for every class, or one per class)');
  if (o.plConsistency === false && adapt !== 'vat+vst') throw new CliError(`--no-pl-consistency: applies to --adapt vat+vst, not ${adapt}`);
  const num = (v: unknown) => v as number | undefined;
  const defined = <T extends object>(x: T) => Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined)) as Partial<T>;
  return {
    adapt,
    model: o.model,
    data: o.data,
    crop: o.size ?? [256, 256],
    auxWeight: o.auxWeight,
    validate: o.val,
    ...defined({
      target: o.target as string | undefined,
      init: o.init as string | undefined,
      gap: num(o.frameGap),
      adversarialWeight: num(o.advWeight),
      gan: o.gan as AdaptationRunOptions['gan'],
      softmax: o.discSoftmax as AdaptationRunOptions['softmax'],
      discriminatorWidth: num(o.discWidth),
      discriminatorLr: num(o.discLr),
      rounds: num(o.vstRounds),
      vstEpochs: num(o.vstEpochs),
      vstLr: num(o.vstLr),
    }),
    pseudo: defined({ threshold: num(o.plThreshold), classPortion: num(o.plClassPortion), consistency: o.plConsistency as boolean | undefined, flow: o.plFlow as string | undefined }),
  };
}
