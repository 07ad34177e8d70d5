/**
 * @pixelwise/models — backbones, heads and segmentors on TensorFlow.js, one model registry for
 * every task (segmentation, video, flow), state dicts in PyTorch layouts (torchvision checkpoints
 * load by their own key names), and the one training loop. The main entry imports no Node
 * built-ins (it runs in browsers); the file side is `@pixelwise/models/node`, the TensorFlow.js-free
 * data side `@pixelwise/models/data`.
 */
// Registry
export { buildModel, createFlowModel, createModel, isModelName, ModelConfigError, modelComplexity, modelEntry, modelNames, MODELS, resolveModelOptions } from './registry.js';
export type { ModelEntry, ModelOptions, ModelTask } from './registry.js';
export { measureComplexity } from './complexity.js';
export { benchmark, benchmarkInputs, StageAccumulator } from './bench.js';
export { segmentImage } from './predict.js';
export type { ImagePrediction } from './predict.js';
export type { BenchmarkResult } from './bench.js';
export type { Complexity } from './complexity.js';

// Module system and weights
export { Module, Layer, Sequential, EVAL, TRAIN, declareShapesOnly, fromTorch, toTorch, torchShape, resetSeeds } from './module.js';
export type { ForwardContext, Slot, TorchLayout } from './module.js';
export { stateDict, loadStateDict, saveWeights, loadWeights, readWeightEntries, readWeights, isForgivableMissing, WeightsMismatchError } from './weights/state-dict.js';
export { fromMmsegmentation } from './weights/mmseg.js';
export { hashedUniform, hashedWeight } from './weights/hashed.js';

// Segmentors
export { Segmentor } from './segmentors/segmentor.js';
export type { InputNorm, SegmentorOutput, StageStats } from './segmentors/segmentor.js';
export { EncoderDecoder } from './segmentors/encoder-decoder.js';
export type { EncoderDecoderParts, Neck } from './segmentors/encoder-decoder.js';
export { TorchvisionResNetSegmentor, LRASPPMobileNetV3 } from './segmentors/torchvision.js';
export type { TorchvisionOptions } from './segmentors/torchvision.js';
export { FCN, FCN_STAGES, fcnUpsampleMatrix } from './segmentors/fcn.js';
export type { FcnOptions, FcnStageIndex, FcnStride } from './segmentors/fcn.js';
export { DeconvNet, SegNet } from './segmentors/segnet-deconvnet.js';
export type { SegNetOptions } from './segmentors/segnet-deconvnet.js';
export { DilationNet } from './segmentors/dilation.js';
export type { DilationOptions } from './segmentors/dilation.js';
export { PSPNet } from './segmentors/pspnet.js';
export type { PSPNetOptions } from './segmentors/pspnet.js';
export { Hypercolumn } from './segmentors/hypercolumn.js';
export type { HypercolumnOptions } from './segmentors/hypercolumn.js';
export { LayerCascade, cascadeExits, cascadeStats, stageMapToRgb, STAGE_COLORS } from './segmentors/layer-cascade.js';
export { CascadeStage, RegionBlock } from './segmentors/region-block.js';
export type { OnnxRegion } from './segmentors/region-block.js';
export type { CascadeMode, CascadeStats, LayerCascadeOptions } from './segmentors/layer-cascade.js';
export { TDNet } from './segmentors/tdnet.js';
export type { TDNetEncoding, TDNetOptions } from './segmentors/tdnet.js';
export { attend, attentionMacs, pooledGrid, propagateAttention, propagateAttentionToOnnx } from './segmentors/attention-propagation.js';
export type { AttentionEncoding, OnnxAttentionEncoding } from './segmentors/attention-propagation.js';

// Flow
export { FlowNetS, FLOWNET_STRIDE, stackFrames } from './flow/flownets.js';
export type { FlowNetOutput, FlowNetSOptions } from './flow/flownets.js';

// Heads
export { DecodeHead } from './heads/decode-head.js';
export type { DecodeHeadOptions } from './heads/decode-head.js';
export { FCNHead, DeepLabHead, ASPP, LRASPPHead } from './heads/torchvision-heads.js';
export { PSPHead } from './heads/psp-head.js';
export type { PSPHeadOptions } from './heads/psp-head.js';
export { HypercolumnHead } from './heads/hypercolumn-head.js';
export type { HypercolumnClassifier } from './heads/hypercolumn-head.js';
export { ContextModule, identityInit, CONTEXT_DILATIONS } from './heads/context-module.js';
export type { ContextKind } from './heads/context-module.js';

// Backbones and layers
export { Backbone, scaleWidth } from './backbones/backbone.js';
export { ResNet } from './backbones/resnet.js';
export type { ResNetDepth, ResNetOptions } from './backbones/resnet.js';
export { MobileNetV3Large, makeDivisible } from './backbones/mobilenet-v3.js';
export type { MobileNetV3Options } from './backbones/mobilenet-v3.js';
export { AlexNet } from './backbones/alexnet.js';
export { FcnVgg16, DilatedVgg16, SwitchVgg16, VggStages, VGG16_STAGES } from './backbones/vgg.js';
export { Conv2d, ConvTranspose2d, recordConvOutputs } from './layers/conv.js';
export type { Conv2dOptions, ConvTranspose2dOptions } from './layers/conv.js';
export { BatchNorm2d } from './layers/batch-norm.js';
export { Activation, Dropout, activate, activateOnnx } from './layers/activations.js';
export type { ActivationName } from './layers/activations.js';
export { MaxPool2d, AdaptiveAvgPool2d } from './layers/pooling.js';
export { ConvNormAct } from './layers/conv-norm-act.js';
export type { ConvNormActOptions } from './layers/conv-norm-act.js';
export { upsampleTo } from './layers/resize.js';

// ONNX export
export { buildOnnxGraph } from './onnx/export.js';
export type { OnnxGraphOptions } from './onnx/export.js';
export { exportOnnx, ONNX_METADATA_KEYS } from './onnx/model-export.js';
export type { ExportOnnxOptions, OnnxModelMetadata } from './onnx/model-export.js';

// Inference engines (ONNX Runtime's module is handed in: onnxruntime-node or onnxruntime-web)
export { checkBatch, predictBatch, TfjsSegmenter } from './engine/segmenter.js';
export type { BatchPrediction, EngineInfo, EngineName, ImageSegmenter, RgbBatch } from './engine/segmenter.js';
export { OnnxEngine, SessionCache } from './engine/onnx-engine.js';
export type { OnnxDevice, OnnxEngineOptions } from './engine/onnx-engine.js';
export { OnnxSegmenter, onnxSegmenter } from './engine/onnx-segmenter.js';
export type { ModelForExport } from './engine/onnx-segmenter.js';
export { OnnxCascade } from './engine/onnx-cascade.js';
export { channelArgmax, labelsOf, tensorData } from './engine/ort.js';
export type { OrtData, OrtModule, OrtSession, OrtSessionOptions, OrtTensor, OrtTensorType } from './engine/ort.js';

// Losses and training
export { crossEntropy } from './losses/cross-entropy.js';
export { PIXEL_LOSSES, pixelLoss, segmentorLoss, splitsOverShards } from './losses/segmentor-loss.js';
export type { PixelLossName, SegmentorLossOptions } from './losses/segmentor-loss.js';
export type { CrossEntropyOptions } from './losses/cross-entropy.js';
export { softIouLoss, type IouClasses, type IouLossOptions } from './losses/soft-iou.js';
export { lovaszSoftmaxLoss } from './losses/lovasz-softmax.js';
export { fit, createOptimizer, polyLearningRate, sampleRng } from './train/fit.js';
export type { EpochRecord, FitConfig, FitHooks, Objective, OptimizerConfig, SampleRng, StepInfo, TrainingTask, TrainState, Validation } from './train/fit.js';
export { checkMemory, memoryInUse, OutOfMemoryError, WASM_HEAP_LIMIT } from './train/memory.js';
export { evaluate, segmentationTask, train } from './train/segmentation.js';
export type { EvaluateOptions, SegmentationTrainOptions } from './train/segmentation.js';
export { stackBatch, loadBatch, rgbTensor, shuffled, toUint8Rgb } from './train/batches.js';
export type { SampleSource } from './train/batches.js';

// The TensorFlow.js-free data side the model code uses (all of it: `@pixelwise/models/data`).
export { createRng, cropSample, flipHorizontal, generateScene, IMAGENET_MEAN, IMAGENET_STD, DatasetError } from './data/index.js';
export type { AugmentOptions, Rng, Sample } from './data/index.js';
