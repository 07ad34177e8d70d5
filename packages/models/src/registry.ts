/**
 * The model registry: one explicit map from name to builder (no decorators, no side-effect
 * registration). Every paper model has a `-lite` twin: the same architecture at a width that
 * trains in minutes on a 2-core CPU at 256x256; the full-size one is for published weights and GPUs.
 * `createModel` with an unknown name lists the valid ones.
 */
import { measureComplexity, type Complexity } from './complexity.js';
import { declareShapesOnly } from './module.js';
import { DilationNet } from './segmentors/dilation.js';
import { DeconvNet, SegNet } from './segmentors/encoder-decoder.js';
import { FCN } from './segmentors/fcn.js';
import { Hypercolumn } from './segmentors/hypercolumn.js';
import { LayerCascade } from './segmentors/layer-cascade.js';
import { PSPNet } from './segmentors/pspnet.js';
import type { Segmentor } from './segmentors/segmentor.js';
import { LRASPPMobileNetV3, TorchvisionResNetSegmentor } from './segmentors/torchvision.js';

export interface ModelOptions {
  /** Classes to predict. Default 21 (PASCAL VOC). */
  numClasses?: number;
  /** Auxiliary head(s) for training (PSPNet: default on; torchvision FCN: default off). */
  aux?: boolean;
  /** Override the entry's width multiplier (used to measure shapes cheaply). */
  width?: number;
}

export interface ModelEntry {
  /** Architecture family, for grouping and leaderboard filters. */
  family: string;
  /** One line: what it is and where it comes from. */
  description: string;
  /** Width multiplier of this entry (1 = the paper's). */
  width: number;
  build: (options: ModelOptions & { width: number; numClasses: number }) => Segmentor;
}

type Build = ModelEntry['build'];

function paper(family: string, description: string, build: Build, lite = 0.125): Record<string, ModelEntry> {
  return {
    full: { family, description, width: 1, build },
    lite: { family, description: `${description} (CPU-sized: width x${lite})`, width: lite, build },
  };
}

function withLite(name: string, entries: Record<string, ModelEntry>): Record<string, ModelEntry> {
  return { [name]: entries.full as ModelEntry, [`${name}-lite`]: entries.lite as ModelEntry };
}

const ENTRIES: Record<string, ModelEntry> = {
  ...withLite('fcn32s', paper('fcn', 'FCN-32s, VGG-16 (Long et al., CVPR 2015)', (o) => new FCN(32, o))),
  ...withLite('fcn16s', paper('fcn', 'FCN-16s, VGG-16 with pool4 skip (Long et al., CVPR 2015 §4.2)', (o) => new FCN(16, o))),
  ...withLite('fcn8s', paper('fcn', 'FCN-8s, VGG-16 with pool4 + pool3 skips (Long et al., CVPR 2015 §4.2)', (o) => new FCN(8, o))),
  ...withLite('deconvnet', paper('deconvnet', 'DeconvNet: VGG-16 encoder, unpooling + deconvolution decoder (Noh et al., ICCV 2015)', (o) => new DeconvNet(o))),
  ...withLite('segnet', paper('segnet', 'SegNet: VGG-16 encoder-decoder reusing pooling indices (Badrinarayanan et al., TPAMI 2017)', (o) => new SegNet(o))),
  ...withLite('dilation-frontend', paper('dilation', 'Dilation front-end: dilated VGG-16, output stride 8 (Yu & Koltun, ICLR 2016)', (o) => new DilationNet({ ...o, context: 'none' }))),
  ...withLite('dilation-context-basic', paper('dilation', 'Dilation front-end + basic context module (Yu & Koltun, ICLR 2016 §3)', (o) => new DilationNet({ ...o, context: 'basic' }))),
  ...withLite('dilation-context-large', paper('dilation', 'Dilation front-end + large context module (Yu & Koltun, ICLR 2016 §3)', (o) => new DilationNet({ ...o, context: 'large' }))),
  pspnet: {
    family: 'pspnet',
    description: 'PSPNet: dilated ResNet-50 + pyramid pooling (1,2,3,6) + auxiliary head (Zhao et al., CVPR 2017)',
    width: 1,
    build: (o) => new PSPNet({ ...o, depth: 50 }),
  },
  'pspnet-lite': {
    family: 'pspnet',
    description: 'PSPNet on a dilated ResNet-18 at width x0.25, head 64 channels (CPU-sized)',
    width: 0.25,
    build: (o) => new PSPNet({ ...o, depth: 18, channels: Math.max(8, Math.round(256 * o.width)) }),
  },
  ...withLite('hypercolumn', paper('hypercolumn', 'Hypercolumns on an AlexNet-style net: pool2, conv4, fc7 (Hariharan et al., CVPR 2015)', (o) => new Hypercolumn(o))),
  'layer-cascade': {
    family: 'layer-cascade',
    description: 'Deep Layer Cascade: 3-stage residual net (3/4/6 blocks, 64-256 channels), per-stage heads, region convolution, rho 0.95 (Li et al., CVPR 2017)',
    width: 1,
    build: (o) => new LayerCascade({ ...o, blocks: [3, 4, 6] }),
  },
  'layer-cascade-lite': {
    family: 'layer-cascade',
    description: 'Deep Layer Cascade at width x0.5 with 2/2/2 blocks (CPU-sized)',
    width: 0.5,
    build: (o) => new LayerCascade({ ...o, blocks: [2, 2, 2] }),
  },
  fcn_resnet50: {
    family: 'torchvision',
    description: 'torchvision fcn_resnet50: dilated ResNet-50 (output stride 8) + FCNHead; loads torchvision weights',
    width: 1,
    build: (o) => new TorchvisionResNetSegmentor('fcn', o),
  },
  deeplabv3_resnet50: {
    family: 'torchvision',
    description: 'torchvision deeplabv3_resnet50: dilated ResNet-50 + ASPP head; loads torchvision weights',
    width: 1,
    build: (o) => new TorchvisionResNetSegmentor('deeplabv3', o),
  },
  lraspp_mobilenet_v3_large: {
    family: 'torchvision',
    description: 'torchvision lraspp_mobilenet_v3_large: dilated MobileNetV3-Large + LR-ASPP; loads torchvision weights',
    width: 1,
    build: (o) => new LRASPPMobileNetV3(o),
  },
};

/** Registry entries by name (a plain object). */
export const MODELS: Readonly<Record<string, ModelEntry>> = ENTRIES;

export function modelNames(): string[] {
  return Object.keys(MODELS);
}

export function isModelName(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(MODELS, name);
}

function entry(name: string): ModelEntry {
  const e = MODELS[name];
  if (!e) throw new Error(`unknown model '${name}'; valid models: ${modelNames().join(', ')}`);
  return e;
}

/** Builds a registered model; an unknown name throws, listing the valid ones. */
export function createModel(name: string, options: ModelOptions = {}): Segmentor {
  const e = entry(name);
  return e.build({ ...options, numClasses: options.numClasses ?? 21, width: options.width ?? e.width });
}

/**
 * Parameters and multiply-adds of a registered model at `size` (default 512x512); `run` picks
 * what is counted (see {@link measureComplexity}; default the full forward pass).
 */
export function modelComplexity(name: string, options: ModelOptions = {}, size: [number, number] = [512, 512], run?: Parameters<typeof measureComplexity>[3]): Complexity {
  const e = entry(name);
  const model = declareShapesOnly(() => createModel(name, options));
  const narrow = createModel(name, { ...options, width: e.width / 16 });
  try {
    return measureComplexity(model, narrow, size, run);
  } finally {
    model.dispose();
    narrow.dispose();
  }
}
