/**
 * TDNet (Hu et al., CVPR 2020 §3.2-3.3) on ONNX Runtime: one session per sub-network (the frame to
 * its attention encoding: query, key, value) and one for attention propagation and the PSP head;
 * the stream (`TDNetStream`, unchanged) runs sub-network t mod m on frame t and feeds the cached
 * encodings of the other sub-networks to the attention session. Same labels as on TensorFlow.js.
 */
import { buildOnnxGraph, labelsOf, SessionCache, type OnnxEngine, type OrtTensor, type TDNet } from '@pixelwise/models';
import { onnx, OnnxGraph } from '@pixelwise/core/onnx';
import type { TDNetParts } from './tdnet-video.js';
import { frameBytes } from './video-segmenter.js';

/** A sub-network's encoding as ONNX Runtime tensors `[1, d|C, h, w]`. */
export interface OnnxTdnetEncoding {
  query: OrtTensor;
  key: OrtTensor;
  value: OrtTensor;
}

const ENCODING = ['query', 'key', 'value'] as const;

/** The graphs of the sub-network sessions and of the attention + head session for frames of `[H, W]` (batch 1). */
export function tdnetGraphs(model: TDNet, [h, w]: readonly [number, number]): { paths: Uint8Array[]; classify: Uint8Array } {
  const dims: Record<string, number[]> = {};
  const paths = Array.from({ length: model.paths }, (_, i) =>
    buildOnnxGraph(
      model,
      [h, w, 3],
      (graph, image) => {
        const e = model.encodeToOnnx(i, graph, model.normalizeToOnnx(graph, image));
        for (const k of ENCODING) dims[k] = graph.dims(e[k]).slice(1) as number[];
        return { query: e.query, key: e.key, value: e.value };
      },
      { name: `tdnet_subnet${i + 1}`, inputName: 'image', inputType: 'uint8', batch: 1 },
    ).toBytes(),
  );
  const g = new OnnxGraph('tdnet_attention_head');
  const input = (name: string, kind: (typeof ENCODING)[number]) => g.input(name, 'float32', [1, ...(dims[kind] ?? [])]);
  const current = { query: input('query', 'query'), value: input('value', 'value') };
  const previous = Array.from({ length: model.paths - 1 }, (_, j) => ({ key: input(`key_${j + 1}`, 'key'), value: input(`value_${j + 1}`, 'value') }));
  g.output(onnx.argMax(g, model.aggregateToOnnx(g, current, previous, [h, w])), 'labels');
  return { paths, classify: g.toBytes() };
}

/** A TDNet's stream parts as ONNX Runtime sessions for frames of `[H, W]`. */
export function onnxTdnetParts(engine: OnnxEngine, model: TDNet, size: readonly [number, number]): TDNetParts<OnnxTdnetEncoding, OrtTensor> & { dispose(): Promise<void> } {
  const graphs = tdnetGraphs(model, size);
  const sessions = new SessionCache(engine);
  const [h, w] = size;
  return {
    paths: model.paths,
    input: (rgb, frame) => engine.tensor('uint8', frameBytes(rgb, frame).data, [1, h, w, 3]),
    encode: async (path, image) => {
      const out = await (await sessions.get(`subnet${path + 1}`, () => graphs.paths[path] as Uint8Array)).run({ image });
      return { query: out.query as OrtTensor, key: out.key as OrtTensor, value: out.value as OrtTensor };
    },
    classify: async (current, previous) => {
      const feeds: Record<string, OrtTensor> = { query: current.query, value: current.value };
      previous.forEach((p, j) => Object.assign(feeds, { [`key_${j + 1}`]: p.key, [`value_${j + 1}`]: p.value }));
      return labelsOf((await (await sessions.get('classify', () => graphs.classify)).run(feeds)).labels);
    },
    release: (e) => ENCODING.forEach((k) => e[k].dispose?.()),
    releaseInput: (x) => x.dispose?.(),
    dispose: () => sessions.release(),
  };
}
