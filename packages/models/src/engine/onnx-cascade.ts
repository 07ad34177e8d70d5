/**
 * Deep Layer Cascade (Li et al., CVPR 2017 §3) on ONNX Runtime: one session per stage, the
 * schedule in TypeScript. Stage 1 runs densely on the image; the pixels whose top class
 * probability stays below `rho` go on, and stages 2 and 3 run region convolution on exactly those
 * pixels (their taps fed as int64 inputs: Gather -> MatMul -> ScatterND, so the work follows the
 * region); each pixel keeps the scores of the stage where it exited, and a last session resizes
 * them to the input and takes the argmax. Labels, stage map and stage fractions equal the
 * TensorFlow.js forward's (`LayerCascade.logits`, cascade mode).
 */
import { onnx, OnnxGraph } from '@pixelwise/core/onnx';
import { buildOnnxGraph } from '../onnx/export.js';
import { cascadeStats, type LayerCascade } from '../segmentors/layer-cascade.js';
import { SessionCache, type OnnxEngine } from './onnx-engine.js';
import { labelsOf, tensorData, type OrtTensor } from './ort.js';
import { checkBatch, type BatchPrediction, type EngineInfo, type ImageSegmenter, type RgbBatch } from './segmenter.js';

/** Outputs of every stage graph. */
const STAGE_OUTPUTS = ['features', 'scores', 'top'] as const;

export class OnnxCascade implements ImageSegmenter {
  readonly info: EngineInfo;
  private readonly sessions: SessionCache;
  /** `rho` as float32, as the TensorFlow.js comparison and the exported graph see it. */
  private readonly rho: number;
  constructor(
    readonly engine: OnnxEngine,
    readonly model: LayerCascade,
  ) {
    this.info = engine.info;
    this.sessions = new SessionCache(engine);
    this.rho = Math.fround(model.rho);
  }
  get numClasses(): number {
    return this.model.numClasses;
  }
  /** Sessions created so far (three stages and the output per input size and batch). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /**
   * Stage `s`'s graph for `n` images of `[H, W]`: stage 0 reads the uint8 image (`image`), later
   * ones the previous stage's features (`previous`) and the region (`taps`, `centers`); outputs
   * `features`, `scores` and `top`.
   */
  stageGraph(s: number, n: number, size: readonly [number, number]): Uint8Array {
    const m = this.model;
    const [gh, gw] = m.gridSize(size);
    const g =
      s === 0
        ? buildOnnxGraph(m, [size[0], size[1], 3], (graph, image) => pick(m.stageToOnnx(0, graph, m.normalizeToOnnx(graph, image))), { name: 'cascade_stage1', inputName: 'image', inputType: 'uint8', batch: n })
        : buildOnnxGraph(
            m,
            [m.stageWidth(s - 1), gh, gw],
            (graph, features) => {
              const region = { taps: graph.input('taps', 'int64', ['P', 9]), centers: graph.input('centers', 'int64', ['P', 1]) };
              return pick(m.stageToOnnx(s, graph, features, region));
            },
            { name: `cascade_stage${s + 1}`, inputName: 'previous', batch: n },
          );
    return g.toBytes();
  }

  /** The last graph: the combined grid scores (`grid_scores`) resized to the input (`scores`) and their argmax (`labels`). */
  outputGraph(n: number, size: readonly [number, number]): Uint8Array {
    const [gh, gw] = this.model.gridSize(size);
    const g = new OnnxGraph('cascade_output');
    const scores = onnx.resize(g, g.input('grid_scores', 'float32', [n, this.numClasses, gh, gw]), [size[0], size[1]]);
    g.output(scores, 'scores');
    g.output(onnx.argMax(g, scores), 'labels');
    return g.toBytes();
  }

  async run(batch: RgbBatch, o: { scores?: boolean } = {}): Promise<BatchPrediction> {
    checkBatch(batch);
    const [n, h, w] = batch.shape;
    const size = [h, w] as const;
    const [gh, gw] = this.model.gridSize(size);
    const grid = n * gh * gw;
    const key = `${n}x${h}x${w}`;
    const stage0 = await this.sessions.get(`stage1 ${key}`, () => this.stageGraph(0, n, size));
    let out = await stage0.run({ image: this.engine.tensor('uint8', batch.data, [n, h, w, 3]) });
    // The stage that labels each grid pixel; the scores of every stage that ran.
    const stageMap = new Uint8Array(grid);
    const scores: Float32Array[] = [tensorData(out.scores, 'scores', Float32Array)];
    let active = below(tensorData(out.top, 'top', Float32Array), this.rho, undefined);
    for (let s = 1; s < 3 && active.length > 0; s++) {
      for (const p of active) stageMap[p] = s;
      const features = out.features as OrtTensor;
      const session = await this.sessions.get(`stage${s + 1} ${key}`, () => this.stageGraph(s, n, size));
      const d = this.model.stageDilation(s);
      const region = onnx.regionTaps(active, [n, gh, gw], { kernel: 3, dilation: d, pad: d });
      out = await session.run({
        previous: features,
        taps: this.engine.tensor('int64', region.taps, [region.count, 9]),
        centers: this.engine.tensor('int64', region.centers, [region.count, 1]),
      });
      scores.push(tensorData(out.scores, 'scores', Float32Array));
      if (s < 2) active = below(tensorData(out.top, 'top', Float32Array), this.rho, active);
    }
    // Each pixel keeps the scores of the stage where it exited.
    const k = this.numClasses;
    const combined = new Float32Array(n * k * gh * gw);
    for (let p = 0; p < grid; p++) {
      const from = scores[stageMap[p] ?? 0] as Float32Array;
      const b = Math.floor(p / (gh * gw));
      const at = p % (gh * gw);
      for (let c = 0; c < k; c++) combined[(b * k + c) * gh * gw + at] = from[(b * k + c) * gh * gw + at] ?? 0;
    }
    const last = await this.sessions.get(`output ${key}`, () => this.outputGraph(n, size));
    const final = await last.run({ grid_scores: this.engine.tensor('float32', combined, [n, k, gh, gw]) }, o.scores ? ['scores', 'labels'] : ['labels']);
    return {
      labels: labelsOf(final.labels),
      ...(o.scores ? { scores: tensorData(final.scores, 'scores', Float32Array) } : {}),
      stats: cascadeStats(stageMap, [n, gh, gw], this.model.stageMacs([gh, gw])),
    };
  }

  async dispose(): Promise<void> {
    await this.sessions.release();
  }
}

/** A stage's outputs as named graph outputs. */
function pick(stage: Record<(typeof STAGE_OUTPUTS)[number], string>): Record<string, string> {
  return Object.fromEntries(STAGE_OUTPUTS.map((k) => [k, stage[k]]));
}

/** Grid pixels (of `among`, default all) whose top probability is below `rho`: they go on to the next stage. */
function below(top: Float32Array, rho: number, among: Int32Array | undefined): Int32Array {
  const candidates = among ?? Int32Array.from(top.keys());
  return candidates.filter((p) => (top[p] ?? 0) < rho);
}
