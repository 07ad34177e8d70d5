/**
 * Frame pairs with ground-truth forward flow from a video data set on disk, for training and
 * evaluating flow networks: every frame but the last of every video, with the next frame.
 */
import type { FlowPairSource } from '../flow-train.js';
import { openVideoDataset } from './video-dataset.js';

/** The frame pairs of split `split` of the video data set in `dir` (see `openVideoDataset`). */
export async function openFlowPairs(dir: string, split: 'train' | 'val' = 'train'): Promise<FlowPairSource> {
  const ds = await openVideoDataset(dir, split);
  const pairs = ds.videos.flatMap((v) => v.frames.slice(0, -1).map((frame, t) => ({ video: v.name, frame, next: v.frames[t + 1] as string })));
  return {
    names: pairs.map((p) => `${p.video}/${p.frame}`),
    size: ds.size,
    async read(i) {
      const p = pairs[i];
      if (p === undefined) throw new RangeError(`frame pair ${i} out of range 0..${pairs.length - 1}`);
      const [first, second, flow] = await Promise.all([ds.readImage(p.video, p.frame), ds.readImage(p.video, p.next), ds.readFlow(p.video, p.frame)]);
      return { name: `${p.video}/${p.frame}`, first, second, flow };
    },
  };
}
