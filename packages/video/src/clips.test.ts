import { createRng, type Sample } from '@pixelwise/models';
import { describe, expect, it } from 'vitest';
import { imageClips, videoClips } from './clips.js';

const W = 12;
const H = 8;
/** Image whose red channel is x + 10 y, labels x. */
const sample: Sample = {
  image: { width: W, height: H, data: Uint8Array.from({ length: W * H * 3 }, (_, i) => (i % 3 === 0 ? Math.floor(i / 3) % W + 10 * Math.floor(i / 3 / W) : 0)) },
  labels: { width: W, height: H, data: Uint8Array.from({ length: W * H }, (_, i) => i % W) },
};

describe('training clips', () => {
  it('image clips: the last frame is the image; earlier frames are it translated at one velocity, void where it left', async () => {
    const clips = imageClips({ names: ['a'], read: async () => sample }, 3);
    const clip = await clips.read(0, 4, createRng(1));
    expect(clip).toHaveLength(4);
    expect(clip[3]?.image.data).toEqual(sample.image.data);
    expect(clip[3]?.labels.data).toEqual(sample.labels.data);
    // Frame j is the crop window moved by (vx, vy) * (3 - j): label at (x, y) of frame 2 is x + vx where inside.
    const f2 = clip[2]?.labels.data as Uint8Array;
    const f1 = clip[1]?.labels.data as Uint8Array;
    const vx = (f2[5 * W + 6] as number) - 6;
    expect(Math.abs(vx)).toBeLessThanOrEqual(3);
    expect((f1[5 * W + 6] as number) === 255 || f1[5 * W + 6] === 6 + 2 * vx).toBe(true);
    if (vx !== 0) expect(f2.some((v) => v === 255)).toBe(true);
  });

  it('video clips: perVideo clips of each video, consecutive frames from a random start', async () => {
    const reads: Array<[number, number]> = [];
    const video = (id: number) => ({ frames: 10, read: async (t: number) => (reads.push([id, t]), sample) });
    const clips = videoClips([video(0), video(1)], 3);
    expect(clips.count).toBe(6);
    await clips.read(3, 4, createRng(2));
    expect(reads.map(([id]) => id)).toEqual([1, 1, 1, 1]);
    const ts = reads.map(([, t]) => t);
    expect(ts).toEqual([ts[0], (ts[0] as number) + 1, (ts[0] as number) + 2, (ts[0] as number) + 3]);
    expect(ts[3]).toBeLessThan(10);
    await expect(videoClips([video(0)]).read(0, 11, createRng(1))).rejects.toThrow(/has 10 frames, a clip needs 11/);
  });
});
