/**
 * Clockwork convnets (Shelhamer et al., ECCV 2016 Workshops §3) on ONNX Runtime: FCN-8s cut at
 * pool3, pool4 and fc7 into three stage sessions and one for the skip fusion; the schedule
 * (`Clockwork`, unchanged) decides which stage sessions run on a frame and which cached outputs
 * (ONNX Runtime tensors) the fusion reuses. Same labels and update record as on TensorFlow.js.
 *
 * A frame on which only stage 1 may run (every adaptive frame after the first, the stage-1-only
 * frames of a fixed or alternating clock) goes through a fifth session instead: stage 1 and the
 * fusion in one graph whose deeper score maps are inputs (the cached ones), so that frame costs
 * one `session.run` instead of two (docs/BENCHMARKS.md, "Adaptive Clockwork on ONNX Runtime").
 */
import { buildOnnxGraph, channelArgmax, FCN_STAGES, labelsOf, SessionCache, tensorData, type FCN, type FcnStageIndex, type OnnxEngine, type OrtTensor } from '@pixelwise/models';
import { onnx, OnnxGraph } from '@pixelwise/core/onnx';
import type { ClockworkStages } from './clockwork.js';
import { frameBytes } from './video-segmenter.js';

/** The graphs of one FCN-8s Clockwork at one frame size (batch 1). */
export interface ClockworkGraphs {
  /** Stage k: input `image` (uint8 `[1, H, W, 3]`, k = 0) or `previous` (the stage below's features); outputs `features`, `score`. */
  stages: Uint8Array[];
  /** Inputs `score1..3` (fine to coarse); outputs `scores` (fused, `[1, C, H, W]`) and `labels` (int64 `[1, H, W]`). */
  fusion: Uint8Array;
  /**
   * Stage 1 and the fusion in one graph: inputs `image`, `score2`, `score3` (the deeper stages'
   * cached score maps); outputs stage 1's `features` and `score` and the fused `scores`, `labels`,
   * equal to `stages[0]` followed by `fusion` on the same score maps.
   */
  stage1Fusion: Uint8Array;
}

/** The graphs of the stage sessions, of the fusion and of stage 1 + fusion for frames of `[H, W]`. */
export function clockworkGraphs(model: FCN, [h, w]: readonly [number, number]): ClockworkGraphs {
  if (model.stride !== 8) throw new Error(`clockwork needs FCN-8s (three score maps to fuse), got FCN-${model.stride}s`);
  const scoreDims: number[][] = [];
  /** Stage k's graph on input dims `[C, H, W]` (`[H, W, 3]` for the frame); `more` may add inputs and outputs. */
  const stageGraph = (k: FcnStageIndex, inputDims: readonly number[], more?: (g: OnnxGraph, score: string) => Record<string, string>) =>
    buildOnnxGraph(
      model,
      inputDims as [number, number, number],
      (graph, input) => {
        const s = model.stageToOnnx(k, graph, k === 0 ? model.normalizeToOnnx(graph, input) : input);
        const score = s.score as string;
        return { features: s.features, score, ...more?.(graph, score) };
      },
      { name: more ? 'clockwork_stage1_fusion' : `clockwork_stage${k + 1}`, inputName: k === 0 ? 'image' : 'previous', inputType: k === 0 ? 'uint8' : 'float32', batch: 1 },
    );
  /** The fused scores and labels of score maps already in `g` (fine to coarse). */
  const fuse = (g: OnnxGraph, scores: readonly string[]) => {
    const fused = model.fuseScoresToOnnx(g, scores, [h, w]);
    return { scores: fused, labels: onnx.argMax(g, fused) };
  };
  const stages: Uint8Array[] = [];
  let inputDims: readonly number[] = [h, w, 3];
  for (const k of FCN_STAGES) {
    const g = stageGraph(k, inputDims);
    inputDims = g.dims('features').slice(1) as number[];
    scoreDims.push(g.dims('score').slice(1) as number[]);
    stages.push(g.toBytes());
  }
  const scoreInput = (g: OnnxGraph, k: number) => g.input(`score${k + 1}`, 'float32', [1, ...(scoreDims[k] as number[])]);
  const fusion = new OnnxGraph('clockwork_fusion');
  const fused = fuse(fusion, FCN_STAGES.map((k) => scoreInput(fusion, k)));
  fusion.output(fused.scores, 'scores');
  fusion.output(fused.labels, 'labels');
  const stage1Fusion = stageGraph(0, [h, w, 3], (g, score1) => fuse(g, [score1, scoreInput(g, 1), scoreInput(g, 2)]));
  return { stages, fusion: fusion.toBytes(), stage1Fusion: stage1Fusion.toBytes() };
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
      return labelsOf((await session.run(Object.fromEntries(scores.map((s, k) => [`score${k + 1}`, s])), ['labels'])).labels);
    },
    stage1AndFuse: async (input, [score2, score3]) => {
      const session = await sessions.get('stage1+fusion', () => graphs.stage1Fusion);
      const out = await session.run({ image: input, score2: score2 as OrtTensor, score3: score3 as OrtTensor }, ['features', 'score', 'labels']);
      return { features: out.features as OrtTensor, score: out.score as OrtTensor, labels: labelsOf(out.labels) };
    },
    release: (values) => values.forEach((v) => v.dispose?.()),
    dispose: () => sessions.release(),
  };
}
