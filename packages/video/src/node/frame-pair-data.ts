/**
 * Frame pairs (labelled frame t, neighbour t+k, flow t -> t+k) from a video data set on disk, with
 * the flow from the data set's ground truth (`flow/`, `flow-bw/`, chained frame to frame) or
 * estimated: Lucas-Kanade, or a FlowNetS checkpoint.
 */
import { loadModel } from '@pixelwise/models/node';
import type { FlowNetS } from '@pixelwise/models';
import { lucasKanadeFlow } from '../flow-lucas-kanade.js';
import { predictFlow } from '../flow-train.js';
import { framePairs, type FlowEstimator, type FramePairSource, type PairVideo } from '../frame-pairs.js';
import { checkVideoLabels, videoLabelReader } from './click-labels.js';
import { openVideoDataset } from './video-dataset.js';

/** Where the flow between a frame and its neighbour comes from: `gt`, `lucas-kanade`, or a flow model checkpoint (flownets-lite). */
export type FlowSource = string;

export interface OpenedFramePairs {
  pairs: FramePairSource;
  classNames: string[];
  ignoreIndex: number;
  /** `[width, height]` of the frames. */
  size: [number, number];
  /** The flow source as recorded (`gt`, `lucas-kanade` or the flow model's name and checkpoint). */
  flow: string;
  /** Frees the flow model, if one was loaded. */
  dispose(): void;
}

/** The estimator of a flow source (undefined for the ground truth); a checkpoint loads through `loadModel`. */
export async function flowEstimator(source: FlowSource, flag = '--flow'): Promise<{ estimate?: FlowEstimator; name: string; dispose(): void }> {
  if (source === 'gt') return { name: 'gt', dispose: () => undefined };
  if (source === 'lucas-kanade') return { estimate: lucasKanadeFlow, name: 'lucas-kanade', dispose: () => undefined };
  const loaded = await loadModel(source, { task: 'flow', flag });
  const model = loaded.model as FlowNetS;
  return { estimate: (a, b) => predictFlow(model, a, b), name: `${loaded.name} ${source}`, dispose: () => model.dispose() };
}

/** The videos of split `split` of the video data set in `dir` for the training readers; `labels` reads the semantic labels from another folder in the same layout (click annotations). */
export async function openPairVideos(dir: string, split: 'train' | 'val', labels?: string): Promise<{ videos: PairVideo[]; classNames: string[]; ignoreIndex: number; size: [number, number] }> {
  const ds = await openVideoDataset(dir, split);
  const classNames = ds.manifest.classes.map((c) => c.name);
  const ignoreIndex = ds.manifest.ignoreIndex;
  if (labels !== undefined) checkVideoLabels(labels, split, ds.videos);
  const readLabels = labels === undefined ? async (video: string, frame: string) => (await ds.readLabels(video, frame)).semantic : videoLabelReader(labels, split, ds.size, classNames.length, ignoreIndex);
  const videos: PairVideo[] = ds.videos.map((v) => ({
    name: v.name,
    frames: v.frames.length,
    read: async (t) => {
      const frame = v.frames[t] as string;
      const [image, data] = await Promise.all([ds.readImage(v.name, frame), readLabels(v.name, frame)]);
      return { name: frame, image, labels: { width: image.width, height: image.height, data } };
    },
    flow: (t, direction) => ds.readFlow(v.name, v.frames[t] as string, direction),
  }));
  return { videos, classNames, ignoreIndex, size: ds.size };
}

/**
 * The frame pairs of split `split` of the video data set in `dir` (see `openVideoDataset`), with
 * the flow of `flow` ({@link flowEstimator}; default the ground truth); with `labelledEvery` N > 1
 * only one frame in N is a labelled frame t (`FramePairOptions.labelledEvery`).
 */
export async function openFramePairs(dir: string, split: 'train' | 'val', flow: FlowSource = 'gt', labelledEvery = 1): Promise<OpenedFramePairs> {
  const { videos, classNames, ignoreIndex, size } = await openPairVideos(dir, split);
  const source = await flowEstimator(flow);
  return {
    pairs: framePairs(videos, { labelledEvery, ...(source.estimate ? { estimate: source.estimate } : {}) }),
    classNames,
    ignoreIndex,
    size,
    flow: source.name,
    dispose: source.dispose,
  };
}
