/**
 * The video methods `pixelwise video` runs, built from a loaded model: per-frame inference,
 * Clockwork schedules over FCN-8s stages, and TDNet's sub-networks on a stream; each with the
 * multiply-adds of the per-frame image model it replaces. And the frame record of a run.
 */
import type { FrameRecordFile } from '@pixelwise/eval';
import { FCN, ModelConfigError, modelComplexity, MODELS, onnxSegmenter, TDNet, type ModelOptions, type OnnxEngine, type Segmentor } from '@pixelwise/models';
import { Clockwork, clockworkStageMacs } from './clockwork.js';
import { onnxClockworkStages } from './onnx-clockwork.js';
import { onnxTdnetParts } from './onnx-tdnet.js';
import type { ClockworkScheduleOptions } from './clockwork-schedule.js';
import type { FrameRecord } from './run-video.js';
import { TDNetStream, tdnetMacs } from './tdnet-video.js';
import { PerFrame, type VideoSegmenter } from './video-segmenter.js';

export const VIDEO_METHODS = ['per-frame', 'clockwork', 'tdnet'] as const;
export type VideoMethod = (typeof VIDEO_METHODS)[number];

/** Which registry models a method runs; a mismatch is a one-line ModelConfigError. */
export function checkMethodModel(method: VideoMethod, model: string): void {
  const tdnet = MODELS[model]?.family === 'tdnet';
  if (method === 'tdnet' && !tdnet) throw new ModelConfigError(`--model: --method tdnet needs a TDNet model (tdnet2-lite, tdnet4-lite), got '${model}'`);
  if (method !== 'tdnet' && tdnet) throw new ModelConfigError(`--model: '${model}' runs with --method tdnet; --method ${method} needs an image model`);
  if (method === 'clockwork' && !/^fcn8s(-lite)?$/.test(model)) throw new ModelConfigError(`--model: --method clockwork needs FCN-8s (fcn8s or fcn8s-lite), got '${model}'`);
}

export interface VideoMethodSetup {
  seg: VideoSegmenter;
  /** Multiply-adds per frame of the image model on every frame (the per-frame baseline's). */
  perFrameMacs: number;
}

/**
 * The segmenter of `method` around a loaded model (it takes the model over: disposing the
 * segmenter disposes the model). `size` is the frames' `[height, width]`. With an ONNX Runtime
 * `engine` the method's units run as sessions (Clockwork: one per stage and the fusion; TDNet:
 * one per sub-network and the attention + head; per-frame: the whole model), the schedule as on
 * TensorFlow.js.
 */
export function videoMethod(method: VideoMethod, loaded: { model: Segmentor; name: string; options: ModelOptions }, size: [number, number], clockwork: ClockworkScheduleOptions = { schedule: 'adaptive' }, engine?: OnnxEngine): VideoMethodSetup {
  checkMethodModel(method, loaded.name);
  const { model, name, options } = loaded;
  if (method === 'tdnet') {
    if (!(model instanceof TDNet)) throw new ModelConfigError(`--model: ${name} is not a TDNet`);
    const macs = tdnetMacs(model, size);
    const perFrameMacs = macs.shared + macs.paths.reduce((a, b) => a + b, 0);
    if (!engine) return { seg: new TDNetStream(model, macs), perFrameMacs };
    const parts = onnxTdnetParts(engine, model, size);
    return { seg: new TDNetStream(parts, macs, () => void parts.dispose().finally(() => model.dispose())), perFrameMacs };
  }
  if (method === 'clockwork') {
    if (!(model instanceof FCN) || model.stride !== 8) throw new ModelConfigError(`--model: --method clockwork needs FCN-8s (fcn8s or fcn8s-lite), got '${name}'`);
    const macs = clockworkStageMacs(name, options, size);
    try {
      if (!engine) return { seg: new Clockwork(model, clockwork, macs), perFrameMacs: macs.full };
      const stages = onnxClockworkStages(engine, model, size);
      return { seg: new Clockwork(stages, clockwork, macs, () => void stages.dispose().finally(() => model.dispose())), perFrameMacs: macs.full };
    } catch (e) {
      throw new ModelConfigError(`--schedule ${clockwork.schedule}: ${(e as Error).message}`);
    }
  }
  const macs = modelComplexity(name, options, size).macs;
  if (!engine) return { seg: new PerFrame(model, macs), perFrameMacs: macs };
  return { seg: new PerFrame(onnxSegmenter(engine, { model, name, options: options as Record<string, unknown> }), macs, () => model.dispose()), perFrameMacs: macs };
}

/** The `frame-record` artifact of a run (docs/ARTIFACTS.md). */
export function frameRecordOf(method: VideoMethod, units: readonly string[], frames: readonly FrameRecord[], schedule?: string): FrameRecordFile {
  return {
    method,
    ...(schedule ? { schedule } : {}),
    units: [...units],
    frames: frames.map((f) => ({ video: f.video, frame: f.frame, ran: f.ran, ms: f.ms, meanIoU: f.meanIoU })),
  };
}
