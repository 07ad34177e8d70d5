/**
 * `pixelwise flow --model flownets-lite --weights CKPT --input DIR --out DIR [--gt FLOWDIR]
 * [--backend B] [--json]` (or `--model lucas-kanade`, the classical baseline, without weights):
 * optical flow between consecutive frames of every video folder in
 * DIR (frames are the folder's `*.png`, sorted by name; DIR itself when it holds the frames):
 * writes `OUT/<video>/<frame>.flo` (flow from each frame to the next, the layout `eval-video
 * --flow` and the synthetic video's `flow/` use), atomically. With `--gt` it prints the EPE over
 * known ground-truth pixels, and the zero-flow EPE on the same pixels.
 */
import { statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describeChoice, setBackend } from '@pixelwise/core';
import { decodeRgbPng, readFlo, writeFlo } from '@pixelwise/core/io';
import type { FlowField, RgbImage } from '@pixelwise/core/io';
import { readdirUtf8 } from '@pixelwise/eval/node';
import { isModelName, modelNames, type FlowNetS } from '@pixelwise/models';
import { loadModel, readBytes, writeFileAtomic } from '@pixelwise/models/node';
import { EpeAccumulator, lucasKanadeFlow, predictFlow } from '@pixelwise/video';
import { z } from 'zod';
import { openAtomicOutput } from '../atomic-output.js';
import { CliError } from '../errors.js';
import { backendFlag, defineCommand, flag, type Parsed } from '../flags.js';
import { createProgress } from '../progress.js';

/** The classical baseline: pyramidal Lucas-Kanade, no weights. */
const LUCAS_KANADE = 'lucas-kanade';
const flowModelNames = () => [...modelNames('flow'), LUCAS_KANADE];

const FLAGS = {
  model: {
    description: `flow model: ${flowModelNames().join(', ')}`,
    arg: '<name>',
    required: true,
    schema: z.string().superRefine((m, ctx) => {
      if (!isModelName(m, 'flow') && m !== LUCAS_KANADE) ctx.addIssue({ code: 'custom', message: `--model: unknown flow model '${m}'; valid flow models: ${flowModelNames().join(', ')}` });
    }),
  },
  weights: flag.path('checkpoint from `pixelwise train --model flownets-lite --data VIDEO_DIR` (not for lucas-kanade)', { arg: '<ckpt>' }),
  input: flag.path('folder of video folders of PNG frames (e.g. VIDEO_DIR/val/images)', { required: true, arg: '<dir>' }),
  out: flag.path('output folder: OUT/<video>/<frame>.flo, flow from each frame to the next', { required: true, arg: '<dir>' }),
  gt: flag.path('ground-truth flow folder (<video>/<frame>.flo, e.g. VIDEO_DIR/val/flow): print EPE', { arg: '<dir>' }),
  backend: backendFlag(),
  json: flag.bool('print one JSON object (EPE with --gt)'),
};

interface VideoFolder {
  /** Folder relative to the input (`.` for the input itself). */
  video: string;
  /** Frame names without `.png`, sorted. */
  frames: string[];
}

export interface FlowResult {
  model: string;
  input: string;
  out: string;
  videos: number;
  pairs: number;
  seconds: number;
  /** With `--gt`: mean EPE in pixels over known ground-truth pixels, and zero flow's. */
  epe?: number;
  zeroFlowEpe?: number;
  pixels?: number;
}

/** A folder's entry names; one that is not UTF-8 is a one-line CliError, not a later "no such file". */
function names(folder: string): string[] {
  try {
    return readdirUtf8(folder).map((e) => e.name);
  } catch (e) {
    throw (e as NodeJS.ErrnoException).code ? e : new CliError(`--input: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The video folders under `dir` (one level; `dir` itself when it holds PNG frames). */
function listVideoFolders(dir: string): VideoFolder[] {
  let entries: string[];
  try {
    entries = names(dir).sort();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(`--input: ${dir}: ${code === 'ENOENT' ? 'no such directory' : code === 'ENOTDIR' ? 'not a directory' : String(e)}`);
  }
  const frames = (folder: string) => names(folder).filter((f) => f.toLowerCase().endsWith('.png')).sort().map((f) => f.slice(0, -4));
  const own = frames(dir);
  const videos: VideoFolder[] = own.length > 0 ? [{ video: '.', frames: own }] : [];
  for (const name of entries) {
    const path = join(dir, name);
    if (!statSync(path).isDirectory()) continue;
    const f = frames(path);
    if (f.length > 0) videos.push({ video: name, frames: f });
  }
  if (videos.length === 0) throw new CliError(`--input: ${dir}: no PNG frames (expected video folders of frames, e.g. data synth --kind video's val/images)`);
  const short = videos.find((v) => v.frames.length < 2);
  if (short) throw new CliError(`--input: ${join(dir, short.video)}: a video needs at least 2 frames, found ${short.frames.length}`);
  return videos;
}

/** A ground-truth flow file (a FormatError names it). */
const readGroundTruth = async (path: string): Promise<FlowField> => readFlo(await readBytes(path), path);
const readFrame = async (path: string): Promise<RgbImage> => decodeRgbPng(await readBytes(path), path);

export async function flowCommand(o: Parsed<typeof FLAGS>): Promise<FlowResult> {
  const videos = listVideoFolders(o.input);
  const pairs = videos.reduce((n, v) => n + v.frames.length - 1, 0);
  // Every ground-truth file is checked before anything is written.
  const gtPath = (v: VideoFolder, t: number) => join(o.gt ?? '', v.video, `${v.frames[t]}.flo`);
  if (o.gt !== undefined) for (const v of videos) for (let t = 0; t + 1 < v.frames.length; t++) await readGroundTruth(gtPath(v, t));
  const choice = await setBackend(o.backend);
  process.stderr.write(`flow: ${describeChoice(choice)}\n`);
  if (o.model !== LUCAS_KANADE && o.weights === undefined) throw new CliError(`--weights: required for ${o.model} (a checkpoint from \`pixelwise train --model ${o.model}\`)`);
  const model = o.weights === undefined || o.model === LUCAS_KANADE ? undefined : ((await loadModel(o.weights, { model: o.model, task: 'flow', flag: '--weights' })).model as FlowNetS);
  const estimate = (a: RgbImage, b: RgbImage) => (model === undefined ? lucasKanadeFlow(a, b) : predictFlow(model, a, b));
  const progress = createProgress(pairs, { label: 'flow', unit: 'pairs' });
  const t0 = performance.now();
  const epe = new EpeAccumulator();
  let done = 0;
  const out = await openAtomicOutput(o.out, '--out'); // all flow files or none: a bad --gt file leaves --out as it was
  try {
    for (const v of videos) {
      const outDir = join(out.dir, v.video);
      await mkdir(outDir, { recursive: true }).catch((e: unknown) => {
        throw new CliError(`--out: ${outDir}: cannot create directory: ${e instanceof Error ? e.message : String(e)}`);
      });
      let previous = await readFrame(join(o.input, v.video, `${v.frames[0]}.png`));
      for (let t = 0; t + 1 < v.frames.length; t++) {
        const name = v.frames[t] as string;
        const nextPath = join(o.input, v.video, `${v.frames[t + 1]}.png`);
        const next = await readFrame(nextPath);
        if (next.width !== previous.width || next.height !== previous.height) {
          throw new CliError(`${nextPath}: size ${next.width}x${next.height}, but the previous frame is ${previous.width}x${previous.height}`);
        }
        const flow = estimate(previous, next);
        if (o.gt !== undefined) {
          const gt = await readGroundTruth(gtPath(v, t));
          if (gt.width !== flow.width || gt.height !== flow.height) throw new CliError(`${gtPath(v, t)}: size ${gt.width}x${gt.height}, but the frames are ${flow.width}x${flow.height}`);
          epe.add(flow, gt);
        }
        await writeFileAtomic(join(outDir, `${name}.flo`), writeFlo(flow));
        previous = next;
        progress.update(++done);
      }
    }
    await out.commit();
  } catch (e) {
    await out.abort();
    throw e;
  } finally {
    progress.done();
    model?.dispose();
  }
  const res: FlowResult = { model: o.model, input: o.input, out: o.out, videos: videos.length, pairs, seconds: (performance.now() - t0) / 1000 };
  if (o.gt !== undefined) {
    const { epe: mean, zeroFlowEpe, pixels } = epe.result();
    Object.assign(res, { epe: mean, zeroFlowEpe, pixels });
  }
  if (o.json) process.stdout.write(`${JSON.stringify(res)}\n`);
  else {
    const epe = res.epe === undefined ? '' : `; EPE ${res.epe.toFixed(3)} px over ${res.pixels} pixels (zero flow ${res.zeroFlowEpe?.toFixed(3)} px)`;
    process.stdout.write(`wrote ${pairs} flow files for ${videos.length} videos to ${o.out} in ${res.seconds.toFixed(1)} s${epe}\n`);
  }
  return res;
}

export const registerFlow = defineCommand({ name: 'flow', description: 'estimate optical flow between consecutive frames (FlowNetS, or the Lucas-Kanade baseline); .flo per frame pair, EPE with --gt', flags: FLAGS, run: flowCommand });
