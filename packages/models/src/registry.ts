/**
 * The model registry: one explicit map from name to builder (no decorators, no side-effect
 * registration). `createModel` with an unknown name lists the valid ones.
 */
import type { Segmentor } from './segmentors/segmentor.js';
import { LRASPPMobileNetV3, TorchvisionResNetSegmentor } from './segmentors/torchvision.js';

export interface ModelOptions {
  /** Classes to predict. Default: the registry entry's (21, PASCAL VOC, for torchvision models). */
  numClasses?: number;
  /** Auxiliary head(s) for training (PSPNet, torchvision FCN). */
  aux?: boolean;
}

export interface ModelEntry {
  /** Paper or library family, for grouping (leaderboard filters). */
  family: string;
  /** One line: what it is and where it comes from. */
  description: string;
  build: (options: ModelOptions) => Segmentor;
}

export const MODELS = {
  fcn_resnet50: {
    family: 'torchvision',
    description: 'torchvision fcn_resnet50: dilated ResNet-50 (output stride 8) + FCNHead; loads torchvision weights',
    build: (o: ModelOptions) => new TorchvisionResNetSegmentor('fcn', o),
  },
  deeplabv3_resnet50: {
    family: 'torchvision',
    description: 'torchvision deeplabv3_resnet50: dilated ResNet-50 + ASPP head; loads torchvision weights',
    build: (o: ModelOptions) => new TorchvisionResNetSegmentor('deeplabv3', o),
  },
  lraspp_mobilenet_v3_large: {
    family: 'torchvision',
    description: 'torchvision lraspp_mobilenet_v3_large: dilated MobileNetV3-Large + LR-ASPP; loads torchvision weights',
    build: (o: ModelOptions) => new LRASPPMobileNetV3(o),
  },
} satisfies Record<string, ModelEntry>;

export type ModelName = keyof typeof MODELS;

export function modelNames(): ModelName[] {
  return Object.keys(MODELS) as ModelName[];
}

export function isModelName(name: string): name is ModelName {
  return Object.prototype.hasOwnProperty.call(MODELS, name);
}

/** Builds a registered model; an unknown name throws, listing the valid ones. */
export function createModel(name: string, options: ModelOptions = {}): Segmentor {
  if (!isModelName(name)) throw new Error(`unknown model '${name}'; valid models: ${modelNames().join(', ')}`);
  return MODELS[name].build(options);
}
