import { DEFAULT_STYLE } from '@pixelwise/models/data';
import { describe, expect, it } from 'vitest';
import { cameraAt, renderVideoFrame, sampleVideoSpec, UNKNOWN_FLOW, videoFlow } from './synth-video.js';
import type { VideoSpec } from './synth-video.js';

const known = (u: number) => Math.abs(u) < 1e9;

/**
 * Fraction of known, in-frame flow vectors whose nearest target pixel has the same class and
 * track id: over all of them, and over those whose target is inside a region (its 3x3
 * neighbours agree), where rounding to a pixel cannot cross a boundary.
 */
function labelAgreement(spec: VideoSpec, t: number, to: number): { agree: number; interior: number; known: number } {
  const a = renderVideoFrame(spec, t);
  const b = renderVideoFrame(spec, to);
  const { data, width, height } = videoFlow(spec, t, to, a);
  let valid = 0;
  let agree = 0;
  let inside = 0;
  let insideAgree = 0;
  const same = (q: number, r: number) => b.labels[q] === b.labels[r] && b.instances[q] === b.instances[r];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const u = data[2 * p] as number;
      const v = data[2 * p + 1] as number;
      if (!known(u)) continue;
      const tx = Math.round(x + u);
      const ty = Math.round(y + v);
      if (tx < 0 || ty < 0 || tx >= width || ty >= height) continue;
      valid++;
      const q = ty * width + tx;
      const ok = a.labels[p] === b.labels[q] && a.instances[p] === b.instances[q];
      if (ok) agree++;
      let interior = tx > 0 && ty > 0 && tx + 1 < width && ty + 1 < height;
      for (let dy = -1; dy <= 1 && interior; dy++) for (let dx = -1; dx <= 1; dx++) if (!same(q, q + dy * width + dx)) interior = false;
      if (interior) {
        inside++;
        if (ok) insideAgree++;
      }
    }
  }
  return { agree: agree / valid, interior: insideAgree / inside, known: valid / (width * height) };
}

describe('sampleVideoSpec / renderVideoFrame', () => {
  const options = { width: 96, height: 64, classes: 8, frames: 6, seed: 11 };

  it('is deterministic in the seed and differs between seeds', () => {
    const a = renderVideoFrame(sampleVideoSpec(options), 3);
    const b = renderVideoFrame(sampleVideoSpec(options), 3);
    const c = renderVideoFrame(sampleVideoSpec({ ...options, seed: 12 }), 3);
    expect(Buffer.from(a.image).equals(Buffer.from(b.image))).toBe(true);
    expect(Buffer.from(a.image).equals(Buffer.from(c.image))).toBe(false);
  });

  it('moves the camera and keeps track ids of things across frames', () => {
    const spec = sampleVideoSpec(options);
    const first = renderVideoFrame(spec, 0);
    const last = renderVideoFrame(spec, options.frames - 1);
    expect(Buffer.from(first.image).equals(Buffer.from(last.image))).toBe(false);
    const ids = (f: typeof first) => new Set(f.instances);
    const tracks = [...ids(first)].filter((id) => id > 0 && ids(last).has(id));
    // Some thing is visible at both ends, and it keeps its class.
    expect(tracks.length).toBeGreaterThan(0);
    for (const id of tracks) {
      const cls = (f: typeof first) => f.labels[f.instances.indexOf(id)];
      expect(cls(first)).toBe(cls(last));
    }
    for (const id of Object.keys(spec.motion)) expect(Number(id)).toBeGreaterThan(0);
  });

  it('rejects bad frame counts and frame indices', () => {
    expect(() => sampleVideoSpec({ ...options, frames: 1 })).toThrow(/frames >= 2, found 1/);
    expect(() => renderVideoFrame(sampleVideoSpec(options), 6)).toThrow(/frame must be an integer in 0..5, found 6/);
  });
});

describe('videoFlow (exact ground truth)', () => {
  it('follows pixels to the same class and track id (forward and backward, many videos)', () => {
    for (let seed = 0; seed < 6; seed++) {
      const spec = sampleVideoSpec({ width: 96, height: 64, classes: 12, frames: 5, seed });
      for (const [t, to] of [[0, 1], [3, 4], [4, 3], [2, 1]] as const) {
        const r = labelAgreement(spec, t, to);
        expect(r.agree).toBeGreaterThan(0.93);
        expect(r.interior).toBeGreaterThan(0.999);
        expect(r.known).toBeGreaterThan(0.8);
      }
    }
  });

  it('is forward-backward consistent where both are known', () => {
    const spec = sampleVideoSpec({ width: 96, height: 64, classes: 8, frames: 4, seed: 5 });
    const fw = videoFlow(spec, 1, 2);
    const bw = videoFlow(spec, 2, 1);
    let n = 0;
    let bad = 0;
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 96; x++) {
        const p = y * 96 + x;
        const u = fw.data[2 * p] as number;
        const v = fw.data[2 * p + 1] as number;
        if (!known(u)) continue;
        const tx = Math.round(x + u);
        const ty = Math.round(y + v);
        if (tx < 0 || ty < 0 || tx >= 96 || ty >= 64) continue;
        const q = ty * 96 + tx;
        if (!known(bw.data[2 * q] as number)) continue;
        n++;
        // Nearest sampling of a smooth field: within a pixel of the round trip.
        if (Math.hypot(u + (bw.data[2 * q] as number), v + (bw.data[2 * q + 1] as number)) > 1) bad++;
      }
    }
    expect(n).toBeGreaterThan(96 * 64 * 0.8);
    expect(bad / n).toBeLessThan(0.02);
  });

  it('is exact on a hand-made scene: a car moving 3 px right occludes the sky it enters', () => {
    const spec: VideoSpec = {
      scene: {
        width: 32,
        height: 16,
        lighting: { gain: 1, gradient: [0, 0] },
        layers: [
          { classId: 0, shape: { type: 'fill' }, style: DEFAULT_STYLE },
          { classId: 3, shape: { type: 'rect', cx: 10, cy: 8, width: 6, height: 4 }, style: DEFAULT_STYLE, texture: 'object', instance: 1 },
        ],
      },
      frames: 2,
      camera: { start: [16, 8], velocity: [0, 0], zoom: [1, 1] },
      motion: { 1: [3, 0] },
    };
    expect(cameraAt(spec, 1)).toEqual({ x: 0, y: 0, zoom: 1 });
    const flow = videoFlow(spec, 0, 1);
    const at = (x: number, y: number) => [flow.data[2 * (y * 32 + x)], flow.data[2 * (y * 32 + x) + 1]];
    expect(at(7, 6)).toEqual([3, 0]); // car
    expect(at(12, 9)).toEqual([3, 0]);
    expect(at(0, 0)).toEqual([0, 0]); // sky
    expect(at(13, 7)).toEqual([UNKNOWN_FLOW, UNKNOWN_FLOW]); // sky covered by the car in frame 1
    expect(at(15, 7)).toEqual([UNKNOWN_FLOW, UNKNOWN_FLOW]);
    expect(at(16, 7)).toEqual([0, 0]);
    const back = videoFlow(spec, 1, 0);
    const bat = (x: number, y: number) => [back.data[2 * (y * 32 + x)], back.data[2 * (y * 32 + x) + 1]];
    expect(bat(10, 6)).toEqual([-3, 0]);
    expect(bat(8, 7)).toEqual([UNKNOWN_FLOW, UNKNOWN_FLOW]); // disoccluded: behind the car in frame 0
    let unknown = 0;
    for (let p = 0; p < 32 * 16; p++) if (!known(flow.data[2 * p] as number)) unknown++;
    expect(unknown).toBe(3 * 4); // a 3x4 strip of sky
  });

  it('zoom and pan: flow is affine per layer (zoom 1 -> 1.25 about the centre)', () => {
    const spec: VideoSpec = {
      scene: { width: 40, height: 40, lighting: { gain: 1, gradient: [0, 0] }, layers: [{ classId: 1, shape: { type: 'fill' }, style: DEFAULT_STYLE }] },
      frames: 2,
      camera: { start: [20, 20], velocity: [2, 0], zoom: [1, 1.25] },
      motion: {},
    };
    const flow = videoFlow(spec, 0, 1);
    for (const [x, y] of [[0, 0], [19, 19], [39, 5]] as const) {
      // world = s + (0, 0) in frame 0; frame 1 looks at (22, 20) with zoom 1.25.
      const sx = x + 0.5;
      const sy = y + 0.5;
      const ex = (sx - 22) * 1.25 + 20 - sx;
      const ey = (sy - 20) * 1.25 + 20 - sy;
      expect(flow.data[2 * (y * 40 + x)]).toBeCloseTo(ex, 4);
      expect(flow.data[2 * (y * 40 + x) + 1]).toBeCloseTo(ey, 4);
    }
  });
});
