/**
 * Frame pairs (t - k, t) of videos, the samples of video adversarial training: every frame t >= k
 * of every video once per epoch, in a fixed order (the loop shuffles), with frame t's labels
 * where the domain is labelled (source) and none where it is not (target: adaptation never reads
 * its labels).
 */
import type { RgbImage } from '@pixelwise/core/io';
import type { Rng, Sample } from '@pixelwise/models';

type LabelImage = Sample['labels'];

/** One video: its frame count, its frames, and (labelled domains only) frame t's labels. */
export interface DomainVideo {
  name: string;
  frames: number;
  image(t: number): Promise<RgbImage>;
  labels?(t: number): Promise<LabelImage>;
}

/** Frame t of a video with the frame k earlier, and frame t's labels when the domain has them. */
export interface DomainPair {
  video: string;
  t: number;
  current: RgbImage;
  previous: RgbImage;
  labels?: LabelImage;
}

/** Pairs of one domain: `count` per epoch; `read(i)` is pair i (`at(rng)` a uniformly random one). */
export interface DomainPairSource {
  readonly count: number;
  readonly gap: number;
  read(i: number): Promise<DomainPair>;
  /** A pair drawn uniformly by `rng` (the target pair that goes with a source pair). */
  at(rng: Rng): Promise<DomainPair>;
}

/**
 * The pairs (t - gap, t), t = gap..T-1, of `videos` (each needs more than `gap` frames); with
 * `labelled`, each pair carries frame t's labels.
 */
export function domainPairs(videos: readonly DomainVideo[], gap: number, labelled: boolean): DomainPairSource {
  if (!Number.isInteger(gap) || gap < 1) throw new RangeError(`frame gap must be a positive integer, found ${gap}`);
  const short = videos.find((v) => v.frames <= gap);
  if (short) throw new RangeError(`video ${short.name} has ${short.frames} frames; pairs ${gap} frames apart need more`);
  if (labelled && videos.some((v) => v.labels === undefined)) throw new Error('domainPairs: a labelled domain needs labels for every video');
  // Pair i: the (i - offset)-th pair of the video whose range holds i.
  const offsets: number[] = [];
  let count = 0;
  for (const v of videos) {
    offsets.push(count);
    count += v.frames - gap;
  }
  const read = async (v: DomainVideo, t: number): Promise<DomainPair> => {
    const [current, previous] = await Promise.all([v.image(t), v.image(t - gap)]);
    const labels = labelled && v.labels ? await v.labels(t) : undefined;
    return { video: v.name, t, current, previous, ...(labels ? { labels } : {}) };
  };
  const locate = (i: number): [DomainVideo, number] => {
    if (!Number.isInteger(i) || i < 0 || i >= count) throw new RangeError(`pair ${i} out of range 0..${count - 1}`);
    let j = offsets.length - 1;
    while ((offsets[j] as number) > i) j--;
    return [videos[j] as DomainVideo, gap + i - (offsets[j] as number)];
  };
  return {
    count,
    gap,
    read: (i) => read(...locate(i)),
    at: (rng) => read(...locate(rng.int(0, count - 1))),
  };
}
