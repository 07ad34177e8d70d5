/**
 * Evaluating video panoptic predictions laid out as DESIGN.md says: one folder per video, for
 * each annotated frame `NAME_sem.png` (8-bit class ids, 255 = void) and `NAME_inst.png` (track
 * ids); frames sort by name. Optional optical flow for temporal consistency:
 * `FLOW/<video>/<NAME>.flo`, the flow from frame NAME to the next frame, for every frame but the
 * last of each video.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFlo } from '@pixelwise/core/io';
import { LabelError } from '../label-error.js';
import { TemporalConsistency, type TemporalConsistencyResult } from '../temporal-consistency.js';
import { VpqAccumulator, type PanopticFrame, type VpqResult } from '../vpq.js';
import { listFiles } from './files.js';
import { readLabelPng } from './load.js';

export interface VideoFrames {
  /** Folder of the video relative to the root, POSIX (`.` for the root itself). */
  video: string;
  /** Frame names (without `_sem.png`), sorted. */
  frames: string[];
}

/** The videos under `dir`: folders holding `*_sem.png`, each frame checked for its `_inst.png`. */
export function listVideos(dir: string): VideoFrames[] {
  const sem = listFiles(dir, '_sem.png');
  const inst = new Set(listFiles(dir, '_inst.png'));
  const missing = sem.filter((f) => !inst.has(f.replace(/_sem\.png$/i, '_inst.png')));
  if (missing.length > 0) {
    throw new LabelError(`${dir}: ${missing.length} frame(s) have a _sem.png but no _inst.png: ${missing.slice(0, 10).join(', ')}`);
  }
  const videos = new Map<string, string[]>();
  for (const f of sem) {
    const slash = f.lastIndexOf('/');
    const video = slash < 0 ? '.' : f.slice(0, slash);
    const name = f.slice(slash + 1).replace(/_sem\.png$/i, '');
    videos.set(video, [...(videos.get(video) ?? []), name]);
  }
  return [...videos].map(([video, frames]) => ({ video, frames: frames.sort() }));
}

/** Ground-truth videos, checked against the predictions: the same videos and frames. */
export function pairVideos(predDir: string, gtDir: string): VideoFrames[] {
  const gt = listVideos(gtDir);
  if (gt.length === 0) throw new LabelError(`${gtDir}: no *_sem.png files found`);
  const key = (v: VideoFrames) => v.frames.map((f) => `${v.video}/${f}`);
  const gtFrames = new Set(gt.flatMap(key));
  const predFrames = new Set(listVideos(predDir).flatMap(key));
  const missing = [...gtFrames].filter((f) => !predFrames.has(f));
  const extra = [...predFrames].filter((f) => !gtFrames.has(f));
  const list = (xs: string[]) => `${xs.slice(0, 10).join(', ')}${xs.length > 10 ? `, ... (${xs.length} in all)` : ''}`;
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`${missing.length} ground-truth frame(s) have no prediction in ${predDir}: ${list(missing)}`);
  if (extra.length > 0) parts.push(`${extra.length} predicted frame(s) have no ground truth in ${gtDir}: ${list(extra)}`);
  if (parts.length > 0) throw new LabelError(parts.join('; '));
  return gt;
}

export function readPanopticFrame(dir: string, video: string, frame: string): PanopticFrame {
  const semanticSource = join(dir, video, `${frame}_sem.png`);
  const instanceSource = join(dir, video, `${frame}_inst.png`);
  const sem = readLabelPng(semanticSource);
  const inst = readLabelPng(instanceSource);
  if (sem.width !== inst.width || sem.height !== inst.height) {
    throw new LabelError(`size mismatch: ${inst.width}x${inst.height}, but ${semanticSource} is ${sem.width}x${sem.height}`, instanceSource);
  }
  return { width: sem.width, height: sem.height, semantic: sem.data, instance: inst.data, semanticSource, instanceSource };
}

export interface EvaluateVideosOptions {
  numClasses: number;
  things: readonly number[];
  names?: readonly string[];
  /** Folder of `.flo` files (see the module comment); enables temporal consistency. */
  flowDir?: string;
  maxFrames?: number;
  /** Called after each frame with frames done and the total. */
  onProgress?: (done: number, total: number) => void;
}

export interface VideoEvaluation {
  vpq: VpqResult;
  temporalConsistency?: TemporalConsistencyResult;
}

export function evaluateVideos(predDir: string, gtDir: string, options: EvaluateVideosOptions): VideoEvaluation {
  const videos = pairVideos(predDir, gtDir);
  const { flowDir } = options;
  if (flowDir !== undefined) {
    const missing = videos.flatMap((v) => v.frames.slice(0, -1).map((f) => join(flowDir, v.video, `${f}.flo`))).filter((p) => !existsSync(p));
    if (missing.length > 0) {
      throw new LabelError(`${missing.length} flow file(s) missing (flow from each frame to the next): ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''}`);
    }
  }
  const vpq = new VpqAccumulator({ numClasses: options.numClasses, things: options.things, ...(options.maxFrames ? { maxFrames: options.maxFrames } : {}) });
  const tc = flowDir === undefined ? undefined : new TemporalConsistency({ numClasses: options.numClasses });
  const total = videos.reduce((s, v) => s + v.frames.length, 0);
  let done = 0;
  for (const v of videos) {
    const gt: PanopticFrame[] = [];
    const pred: PanopticFrame[] = [];
    for (const f of v.frames) {
      gt.push(readPanopticFrame(gtDir, v.video, f));
      pred.push(readPanopticFrame(predDir, v.video, f));
      options.onProgress?.(++done, total);
    }
    vpq.addVideo(gt, pred);
    if (tc !== undefined && flowDir !== undefined) {
      for (let i = 0; i + 1 < pred.length; i++) {
        const flowPath = join(flowDir, v.video, `${v.frames[i]}.flo`);
        const a = pred[i] as PanopticFrame;
        const b = pred[i + 1] as PanopticFrame;
        tc.addPair(a.semantic, b.semantic, readFlo(readFileSync(flowPath), flowPath), {
          current: a.semanticSource,
          next: b.semanticSource,
          flow: flowPath,
        });
      }
    }
  }
  const result: VideoEvaluation = { vpq: vpq.result(options.names) };
  if (tc !== undefined) result.temporalConsistency = tc.result(options.names);
  return result;
}
