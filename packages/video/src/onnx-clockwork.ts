/**
 * Clockwork convnets (Shelhamer et al., ECCV 2016 Workshops §3) on ONNX Runtime: FCN-8s cut at
 * pool3, pool4 and fc7 into three stage sessions and one for the skip fusion; the schedule
 * (`Clockwork`, unchanged) decides which stage sessions run on a frame and which cached outputs
 * (ONNX Runtime tensors) the fusion reuses. Same labels and update record as on TensorFlow.js.
 */
import { buildOnnxGraph, channelArgmax, FCN_STAGES, labelsOf, SessionCache, tensorData, type FCN, type FcnStageIndex, type OnnxEngine, type OrtTensor } from '@pixelwise/models';
import { onnx, OnnxGraph } from '@pixelwise/core/onnx';
import type { ClockworkStages } from './clockwork.js';
import { frameBytes } from './video-segmenter.js';

/** The graphs of the stage sessions and of the fusion for frames of `[H, W]` (batch 1). */
export function clockworkGraphs(model: FCN, [h, w]: readonly [number, number]): { stages: Uint8Array[]; fusion: Uint8Array } {
  if (model.stride !== 8) throw new Error(`clockwork needs FCN-8s (three score maps to fuse), got FCN-${model.stride}s`);
  const stages: Uint8Array[] = [];
  const scoreDims: number[][] = [];
  let inputDims: readonly number[] = [h, w, 3];
  for (const k of FCN_STAGES) {
    const g = buildOnnxGraph(
      model,
      inputDims as [number, number, number],
      (graph, input) => {
        const s = model.stageToOnnx(k, graph, k === 0 ? model.normalizeToOnnx(graph, input) : input);
        const score = s.score as string;
        inputDims = graph.dims(s.features).slice(1) as number[];
        scoreDims.push(graph.dims(score).slice(1) as number[]);
        return { features: s.features, score };
      },
      { name: `clockwork_stage${k + 1}`, inputName: k === 0 ? 'image' : 'previous', inputType: k === 0 ? 'uint8' : 'float32', batch: 1 },
    );
    stages.push(g.toBytes());
  }
  const g = new OnnxGraph('clockwork_fusion');
  const scores = scoreDims.map((d, k) => g.input(`score${k + 1}`, 'float32', [1, ...d]));
  g.output(onnx.argMax(g, model.fuseScoresToOnnx(g, scores, [h, w])), 'labels');
  return { stages, fusion: g.toBytes() };
}

/** FCN-8s's Clockwork stages as ONNX Runtime sessions for frames of `[H, W]`. */
export function onnxClockworkStages(engine: OnnxEngine, model: FCN, size: readonly [number, number]): ClockworkStages<OrtTensor> & { release(values: readonly OrtTensor[]): void; dispose(): Promise<void> } {
  const graphs = clockworkGraphs(model, size);
  const sessions = new SessionCache(engine);
  const [h, w] = size;
  return {
    input: (rgb, frame) => engine.tensor('uint8', frameBytes(rgb, frame).data, [1, h, w, 3]),
    run: async (k: FcnStageIndex, input) => {
      const session = await sessions.get(`stage${k + 1}`, () => graphs.stages[k] as Uint8Array);
      const out = await session.run({ [k === 0 ? 'image' : 'previous']: input });
      return { features: out.features as OrtTensor, score: out.score as OrtTensor };
    },
    labels: (score) => channelArgmax(tensorData(score, 'score', Float32Array), score.dims),
    fuse: async (scores) => {
      const session = await sessions.get('fusion', () => graphs.fusion);
      return labelsOf((await session.run(Object.fromEntries(scores.map((s, k) => [`score${k + 1}`, s])))).labels);
    },
    release: (values) => values.forEach((v) => v.dispose?.()),
    dispose: () => sessions.release(),
  };
}
