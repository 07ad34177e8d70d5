/**
 * @pixelwise/models — backbones, heads and segmentors on TensorFlow.js, a model registry,
 * state dicts in PyTorch layouts (torchvision checkpoints load by their own key names).
 * The main entry imports no Node built-ins (it runs in browsers).
 */
export { createModel, isModelName, modelComplexity, modelNames, MODELS } from './registry.js';
export type { ModelEntry, ModelOptions } from './registry.js';
export { measureComplexity } from './complexity.js';
export type { Complexity } from './complexity.js';
export { crossEntropy, segmentorLoss } from './losses/cross-entropy.js';
export type { CrossEntropyOptions } from './losses/cross-entropy.js';
export { softIouLoss, type IouClasses, type IouLossOptions } from './losses/soft-iou.js';
export { lovaszSoftmaxLoss } from './losses/lovasz-softmax.js';

export { Module, Layer, Sequential, EVAL, TRAIN, fromTorch, toTorch, torchShape, resetSeeds } from './module.js';
export type { ForwardContext, Slot, TorchLayout } from './module.js';
export { Segmentor, upsampleTo } from './segmentors/segmentor.js';
export type { InputNorm, SegmentorOutput } from './segmentors/segmentor.js';
export { TorchvisionResNetSegmentor, LRASPPMobileNetV3 } from './segmentors/torchvision.js';
export { FCN, FCN_STAGES } from './segmentors/fcn.js';
export type { FcnOptions, FcnStageIndex, FcnStride } from './segmentors/fcn.js';
export { DeconvNet, SegNet } from './segmentors/encoder-decoder.js';
export type { EncoderDecoderOptions } from './segmentors/encoder-decoder.js';
export { DilationNet } from './segmentors/dilation.js';
export type { DilationOptions } from './segmentors/dilation.js';
export { PSPNet } from './segmentors/pspnet.js';
export type { PSPNetOptions } from './segmentors/pspnet.js';
export { Hypercolumn } from './segmentors/hypercolumn.js';
export { LayerCascade, cascadeExits, stageMapToRgb, STAGE_COLORS } from './segmentors/layer-cascade.js';
export type { CascadeMode, CascadeStats, LayerCascadeOptions } from './segmentors/layer-cascade.js';
export type { HypercolumnOptions } from './segmentors/hypercolumn.js';
export { ContextModule, identityInit, CONTEXT_DILATIONS } from './heads/context-module.js';
export type { ContextKind } from './heads/context-module.js';
export { PSPHead } from './heads/psp-head.js';
export { HypercolumnHead } from './heads/hypercolumn-head.js';
export type { HypercolumnClassifier } from './heads/hypercolumn-head.js';
export type { TorchvisionOptions } from './segmentors/torchvision.js';

export { Backbone, scaleWidth } from './backbones/backbone.js';
export { ResNet } from './backbones/resnet.js';
export type { ResNetDepth, ResNetOptions } from './backbones/resnet.js';
export { MobileNetV3Large, makeDivisible } from './backbones/mobilenet-v3.js';
export { AlexNet } from './backbones/alexnet.js';
export { FcnVgg16, DilatedVgg16, SwitchVgg16, VggStages, VGG16_STAGES } from './backbones/vgg.js';
export type { MobileNetV3Options } from './backbones/mobilenet-v3.js';

export { Conv2d, ConvTranspose2d, recordConvOutputs } from './layers/conv.js';
export type { Conv2dOptions, ConvTranspose2dOptions } from './layers/conv.js';
export { BatchNorm2d } from './layers/batch-norm.js';
export { Activation, Dropout, activate } from './layers/activations.js';
export type { ActivationName } from './layers/activations.js';
export { MaxPool2d, AdaptiveAvgPool2d } from './layers/pooling.js';
export { ConvNormAct } from './layers/conv-norm-act.js';
export type { ConvNormActOptions } from './layers/conv-norm-act.js';
export { FCNHead, DeepLabHead, ASPP, LRASPPHead } from './heads/torchvision-heads.js';

export { stateDict, loadStateDict, saveWeights, loadWeights, WeightsMismatchError } from './weights/state-dict.js';
export { hashedUniform, hashedWeight } from './weights/hashed.js';

export { train, evaluate, createOptimizer, polyLearningRate } from './train/trainer.js';
export type { TrainConfig, TrainState, TrainRun, EpochRecord, StepInfo } from './train/trainer.js';
export { stackBatch, loadBatch, shuffled, toUint8Rgb } from './train/batches.js';
export type { SampleSource } from './train/batches.js';

// The TensorFlow.js-free data side (synthetic scenes, augmentation, dataset conventions).
export * from './data/index.js';
