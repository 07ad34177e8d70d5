/**
 * The model registry: one explicit map from name to builder for every task (segmentation, video,
 * flow) — no decorators, no side-effect registration. Each entry carries its task, family, width
 * and a zod schema of the options it takes at construction (validated; what a checkpoint's
 * sidecar records). Every paper model has a `-lite` twin: the same architecture at a width that
 * trains in minutes on a 2-core CPU. An unknown name or option lists the valid ones.
 */
import { z } from 'zod';
import { measureComplexity, type Complexity } from './complexity.js';
import { FlowNetS } from './flow/flownets.js';
import { declareShapesOnly } from './module.js';
import { DilationNet } from './segmentors/dilation.js';
import { FCN } from './segmentors/fcn.js';
import { Hypercolumn } from './segmentors/hypercolumn.js';
import { LayerCascade } from './segmentors/layer-cascade.js';
import { PSPNet } from './segmentors/pspnet.js';
import { DeconvNet, SegNet } from './segmentors/segnet-deconvnet.js';
import type { Segmentor } from './segmentors/segmentor.js';
import { TDNet } from './segmentors/tdnet.js';
import { LRASPPMobileNetV3, TorchvisionResNetSegmentor } from './segmentors/torchvision.js';

export type ModelTask = 'segmentation' | 'video' | 'flow';

/** An unknown model name or an option a model does not take: the message lists the valid ones. */
export class ModelConfigError extends Error {
  override readonly name = 'ModelConfigError';
}

/** Options a registry entry may take (each entry's schema says which, with defaults). */
export interface ModelOptions {
  /** Classes to predict (segmentation and video). Default 21 (PASCAL VOC). */
  numClasses?: number;
  /** Auxiliary head(s) for training (PSPNet: default on; torchvision models: off). */
  aux?: boolean;
  /** Deep Layer Cascade: exit confidence (default 0.95) and inference mode (default cascade). */
  rho?: number;
  mode?: 'cascade' | 'full' | 'masked';
  /** Hypercolumn classifier: linear (default), mlp (zoom-out) or grid (location-specific, K x K). */
  classifier?: 'linear' | 'mlp' | 'grid';
  /** K of the hypercolumn grid classifier (default 5). */
  grid?: number;
  /** Override the entry's width multiplier (measures shapes cheaply; not recorded). */
  width?: number;
}

/** Resolved options handed to a builder: the entry's validated options, `numClasses` and `width`. */
type Resolved = Required<Pick<ModelOptions, 'numClasses' | 'width'>> & ModelOptions;

export interface ModelEntry {
  task: ModelTask;
  /** Architecture family, for grouping and leaderboard filters. */
  family: string;
  /** One line: what it is and where it comes from. */
  description: string;
  /** Width multiplier of this entry (1 = the paper's). */
  width: number;
  /** The options this entry takes besides `numClasses` (defaults filled in). */
  options: z.ZodObject;
  /** Options under which multiply-adds are counted (Deep Layer Cascade: full mode, the upper bound). */
  countAs?: ModelOptions;
  /** Video students: the registry name of the teacher they distil from. */
  teacher?: string;
  build: (options: Resolved) => Segmentor | FlowNetS;
}

const none = z.strictObject({});
const withAux = (on: boolean) => z.strictObject({ aux: z.boolean().default(on) });
const cascade = z.strictObject({ rho: z.number().min(0).max(1).default(0.95), mode: z.enum(['cascade', 'full', 'masked']).default('cascade') });
const hypercolumn = z
  .strictObject({ classifier: z.enum(['linear', 'mlp', 'grid']).default('linear'), grid: z.number().int().min(1).max(16).optional() })
  .refine((o) => o.grid === undefined || o.classifier === 'grid', { message: 'grid applies to the grid classifier (classifier: grid)', path: ['grid'] });

type Entry = Omit<ModelEntry, 'task' | 'options'> & Partial<Pick<ModelEntry, 'task' | 'options'>>;
const seg = (e: Entry): ModelEntry => ({ task: 'segmentation', options: none, ...e });

/** `name` and `name-lite` (width x`lite`) of one paper architecture. */
function withLite(name: string, family: string, description: string, build: ModelEntry['build'], lite = 0.125): Record<string, ModelEntry> {
  return { [name]: seg({ family, description, width: 1, build }), [`${name}-lite`]: seg({ family, description: `${description} (CPU-sized: width x${lite})`, width: lite, build }) };
}

const ENTRIES: Record<string, ModelEntry> = {
  ...withLite('fcn32s', 'fcn', 'FCN-32s, VGG-16 (Long et al., CVPR 2015)', (o) => new FCN(32, o)),
  ...withLite('fcn16s', 'fcn', 'FCN-16s, VGG-16 with pool4 skip (Long et al., CVPR 2015 §4.2)', (o) => new FCN(16, o)),
  ...withLite('fcn8s', 'fcn', 'FCN-8s, VGG-16 with pool4 + pool3 skips (Long et al., CVPR 2015 §4.2)', (o) => new FCN(8, o)),
  ...withLite('deconvnet', 'deconvnet', 'DeconvNet: VGG-16 encoder, unpooling + deconvolution decoder (Noh et al., ICCV 2015)', (o) => new DeconvNet(o)),
  ...withLite('segnet', 'segnet', 'SegNet: VGG-16 encoder-decoder reusing pooling indices (Badrinarayanan et al., TPAMI 2017)', (o) => new SegNet(o)),
  ...withLite('dilation-frontend', 'dilation', 'Dilation front-end: dilated VGG-16, output stride 8 (Yu & Koltun, ICLR 2016)', (o) => new DilationNet({ ...o, context: 'none' })),
  ...withLite('dilation-context-basic', 'dilation', 'Dilation front-end + basic context module (Yu & Koltun, ICLR 2016 §3)', (o) => new DilationNet({ ...o, context: 'basic' })),
  ...withLite('dilation-context-large', 'dilation', 'Dilation front-end + large context module (Yu & Koltun, ICLR 2016 §3)', (o) => new DilationNet({ ...o, context: 'large' })),
  pspnet: seg({ family: 'pspnet', description: 'PSPNet: dilated ResNet-50 + pyramid pooling (1,2,3,6) + auxiliary head (Zhao et al., CVPR 2017)', width: 1, options: withAux(true), build: (o) => new PSPNet({ ...o, depth: 50 }) }),
  'pspnet-lite': seg({
    family: 'pspnet',
    description: 'PSPNet on a dilated ResNet-18 at width x0.25, head 64 channels (CPU-sized)',
    width: 0.25,
    options: withAux(true),
    build: (o) => new PSPNet({ ...o, depth: 18, channels: Math.max(8, Math.round(256 * o.width)) }),
  }),
  ...Object.fromEntries(
    Object.entries(withLite('hypercolumn', 'hypercolumn', 'Hypercolumns on an AlexNet-style net: pool2, conv4, fc7 (Hariharan et al., CVPR 2015)', (o) => new Hypercolumn(o))).map(([k, e]) => [k, { ...e, options: hypercolumn }]),
  ),
  'layer-cascade': seg({
    family: 'layer-cascade',
    description: 'Deep Layer Cascade: 3-stage residual net (3/4/6 blocks, 64-256 channels), per-stage heads, region convolution, rho 0.95 (Li et al., CVPR 2017)',
    width: 1,
    options: cascade,
    countAs: { mode: 'full' },
    build: (o) => new LayerCascade({ ...o, blocks: [3, 4, 6] }),
  }),
  'layer-cascade-lite': seg({ family: 'layer-cascade', description: 'Deep Layer Cascade at width x0.5 with 2/2/2 blocks (CPU-sized)', width: 0.5, options: cascade, countAs: { mode: 'full' }, build: (o) => new LayerCascade({ ...o, blocks: [2, 2, 2] }) }),
  fcn_resnet50: seg({ family: 'torchvision', description: 'torchvision fcn_resnet50: dilated ResNet-50 (output stride 8) + FCNHead; loads torchvision weights', width: 1, options: withAux(false), build: (o) => new TorchvisionResNetSegmentor('fcn', o) }),
  deeplabv3_resnet50: seg({ family: 'torchvision', description: 'torchvision deeplabv3_resnet50: dilated ResNet-50 + ASPP head; loads torchvision weights', width: 1, options: withAux(false), build: (o) => new TorchvisionResNetSegmentor('deeplabv3', o) }),
  lraspp_mobilenet_v3_large: seg({ family: 'torchvision', description: 'torchvision lraspp_mobilenet_v3_large: dilated MobileNetV3-Large + LR-ASPP; loads torchvision weights', width: 1, build: (o) => new LRASPPMobileNetV3(o) }),
  'tdnet2-lite': {
    task: 'video',
    family: 'tdnet',
    description: 'TDNet TD2: 2 dilated ResNet-18 sub-networks at width x0.125 + attention propagation + PSP head 64 (students of pspnet-lite)',
    width: 0.25,
    options: none,
    teacher: 'pspnet-lite',
    build: (o) => new TDNet({ numClasses: o.numClasses, paths: 2, width: o.width, channels: 64 }),
  },
  'tdnet4-lite': {
    task: 'video',
    family: 'tdnet',
    description: 'TDNet TD4: 4 dilated ResNet-18 sub-networks at width x0.0625 + attention propagation + PSP head 64 (students of pspnet-lite)',
    width: 0.25,
    options: none,
    teacher: 'pspnet-lite',
    build: (o) => new TDNet({ numClasses: o.numClasses, paths: 4, width: o.width, channels: 64 }),
  },
  flownets: { task: 'flow', family: 'flownets', description: 'FlowNetS (Dosovitskiy et al., ICCV 2015): 10-conv contracting part, 4 upconvolution levels, flow at 5 scales', width: 1, options: none, build: (o) => new FlowNetS({ width: o.width }) },
  'flownets-lite': { task: 'flow', family: 'flownets', description: 'FlowNetS at width x0.125 (CPU-sized)', width: 0.125, options: none, build: (o) => new FlowNetS({ width: o.width }) },
};

/** Registry entries by name (a plain object). */
export const MODELS: Readonly<Record<string, ModelEntry>> = ENTRIES;

/** Registered names, all tasks or one. */
export function modelNames(task?: ModelTask): string[] {
  return Object.keys(MODELS).filter((n) => task === undefined || MODELS[n]?.task === task);
}

export function isModelName(name: unknown, task?: ModelTask): name is string {
  return typeof name === 'string' && Object.hasOwn(MODELS, name) && (task === undefined || MODELS[name]?.task === task);
}

/** The entry of `name`; an unknown name throws, listing the valid ones (of `task`, when given). */
export function modelEntry(name: string, task?: ModelTask): ModelEntry {
  const e = MODELS[name];
  if (e && (task === undefined || e.task === task)) return e;
  if (task === undefined) throw new ModelConfigError(`unknown model '${name}'; valid models: ${modelNames().join(', ')}`);
  throw new ModelConfigError(`unknown ${task} model '${name}'; expected one of ${modelNames(task).join(', ')}`);
}

/**
 * The options `name` is built with: its schema's defaults filled in, `numClasses` added
 * (segmentation and video). Unknown options and bad values throw naming the model. This object is
 * what a checkpoint records, so `loadModel` can rebuild exactly the trained model.
 */
export function resolveModelOptions(name: string, options: ModelOptions = {}): Record<string, unknown> {
  const e = modelEntry(name);
  const { numClasses, width: _width, ...rest } = options;
  // `aux: false` holds of every model without auxiliary heads, so it is no error there.
  const defined = Object.fromEntries(Object.entries(rest).filter(([k, v]) => v !== undefined && !(k === 'aux' && v === false && !('aux' in e.options.shape))));
  const parsed = e.options.safeParse(defined);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const keys = Object.keys(e.options.shape);
    const unknown = issue?.code === 'unrecognized_keys' ? `takes no option ${issue.keys.map((k) => `'${k}'`).join(', ')}` : `option '${String(issue?.path[0] ?? '')}': ${issue?.message ?? 'invalid'}`;
    throw new ModelConfigError(`model '${name}' ${unknown} (its options: ${keys.length ? keys.join(', ') : 'none'})`);
  }
  if (e.task === 'flow') return parsed.data;
  const classes = numClasses ?? 21;
  if (!Number.isInteger(classes) || classes < 1 || classes > 65535) throw new ModelConfigError(`model '${name}': numClasses must be an integer in 1..65535, got ${classes}`);
  return { numClasses: classes, ...parsed.data };
}

/** Builds any registered model (segmentor or flow network) with validated options. */
export function buildModel(name: string, options: ModelOptions = {}): Segmentor | FlowNetS {
  const e = modelEntry(name);
  const resolved = resolveModelOptions(name, options) as ModelOptions;
  return e.build({ ...resolved, numClasses: resolved.numClasses ?? 0, width: options.width ?? e.width });
}

/** Builds a registered segmentation or video model; an unknown name throws, listing the valid ones. */
export function createModel(name: string, options: ModelOptions = {}): Segmentor {
  const e = modelEntry(name);
  if (e.task === 'flow') throw new ModelConfigError(`'${name}' is a flow model; build it with createFlowModel`);
  return buildModel(name, options) as Segmentor;
}

/** Builds a registered flow model; an unknown name lists the valid ones. */
export function createFlowModel(name: string): FlowNetS {
  modelEntry(name, 'flow');
  return buildModel(name) as FlowNetS;
}

/**
 * Parameters and multiply-adds of a registered segmentation model at `size` `[H, W]` (default
 * 512x512); `run` picks what is counted (see {@link measureComplexity}; default the full forward).
 */
export function modelComplexity(name: string, options: ModelOptions = {}, size: [number, number] = [512, 512], run?: Parameters<typeof measureComplexity>[3]): Complexity {
  const e = modelEntry(name);
  if (e.task === 'flow') throw new Error(`modelComplexity: '${name}' is a flow model`);
  const counted = { ...options, ...e.countAs };
  const model = declareShapesOnly(() => createModel(name, counted));
  const narrow = createModel(name, { ...counted, width: e.width / 16 });
  try {
    return measureComplexity(model, narrow, size, run);
  } finally {
    model.dispose();
    narrow.dispose();
  }
}

