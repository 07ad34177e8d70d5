/**
 * A `Segmentor` on ONNX Runtime: exported whole (`exportOnnx`) at each input size it meets, one
 * session per size, created on first use and reused; uint8 RGB in, labels (and scores) out.
 * Deep Layer Cascade in cascade mode runs as its stages instead (`OnnxCascade`).
 */
import { exportOnnx } from '../onnx/model-export.js';
import { cascadeStats, LayerCascade } from '../segmentors/layer-cascade.js';
import type { Segmentor } from '../segmentors/segmentor.js';
import { OnnxCascade } from './onnx-cascade.js';
import { SessionCache, type OnnxEngine } from './onnx-engine.js';
import { labelsOf, tensorData } from './ort.js';
import { checkBatch, type BatchPrediction, type EngineInfo, type ImageSegmenter, type RgbBatch } from './segmenter.js';

/** A model as `loadModel` returns it: the built segmentor, its registry name and options. */
export interface ModelForExport {
  model: Segmentor;
  name: string;
  options: Record<string, unknown>;
  classNames?: readonly string[];
}

export class OnnxSegmenter implements ImageSegmenter {
  readonly info: EngineInfo;
  private readonly sessions: SessionCache;
  constructor(
    readonly engine: OnnxEngine,
    private readonly source: ModelForExport,
  ) {
    this.info = engine.info;
    this.sessions = new SessionCache(engine);
  }
  get numClasses(): number {
    return this.source.model.numClasses;
  }
  /** Sessions created so far (one per input size). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  async run(batch: RgbBatch, o: { scores?: boolean } = {}): Promise<BatchPrediction> {
    checkBatch(batch);
    const [n, h, w] = batch.shape;
    const { model, name, options, classNames } = this.source;
    const session = await this.sessions.get(`${h}x${w}`, () => exportOnnx(model, name, options, [h, w], classNames ? { classNames } : {}).bytes);
    const out = await session.run({ image: this.engine.tensor('uint8', batch.data, [n, h, w, 3]) }, o.scores ? ['scores', 'labels'] : ['labels']);
    const result: BatchPrediction = { labels: labelsOf(out.labels) };
    if (o.scores) result.scores = tensorData(out.scores, 'scores', Float32Array);
    // Full mode of a cascade: every pixel through every stage, the last one labels it.
    if (model instanceof LayerCascade) {
      const [gh, gw] = model.gridSize([h, w]);
      result.stats = cascadeStats(new Uint8Array(n * gh * gw).fill(2), [n, gh, gw], model.stageMacs([gh, gw]));
    }
    return result;
  }

  async dispose(): Promise<void> {
    await this.sessions.release();
  }
}

/** The ONNX Runtime segmenter of a model: the cascade's stages in cascade (and masked) mode, else the whole graph. */
export function onnxSegmenter(engine: OnnxEngine, source: ModelForExport): ImageSegmenter {
  if (source.model instanceof LayerCascade && source.model.mode !== 'full') return new OnnxCascade(engine, source.model);
  return new OnnxSegmenter(engine, source);
}
