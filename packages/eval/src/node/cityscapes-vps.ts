/**
 * Importer for the Cityscapes-VPS encoding (Kim et al., CVPR 2020; COCO-panoptic style): per
 * frame an RGB PNG whose colour is a segment id (`R + 256 G + 256^2 B`, 0 = void) and a JSON file
 * with `annotations: [{ file_name, segments_info: [{ id, category_id, iscrowd }] }]` and
 * `categories: [{ id, name, isthing }]`. The same object keeps its segment id through a video.
 *
 * Output: the video panoptic layout of DESIGN.md, `OUT/<video>/<frame>_sem.png` (class id =
 * category id, 255 = void) and `<frame>_inst.png` (16-bit track ids, numbered 1.. per video in
 * order of first appearance; 0 for stuff and crowd regions). The video is the part of the file
 * name before the first `_` (`0005_0025_frankfurt_000000_001736_gtFine_color.png` -> video
 * `0005`, frame `0005_0025_frankfurt_000000_001736`).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { decodeRgbPng, encodeLabelPng } from '@pixelwise/core/io';
import { LabelError, pixelAt } from '../label-error.js';

const vpsJson = z.object({
  annotations: z.array(
    z.object({
      file_name: z.string(),
      segments_info: z.array(z.object({ id: z.number().int().nonnegative(), category_id: z.number().int(), iscrowd: z.number().int().optional() })),
    }),
  ),
  categories: z.array(z.object({ id: z.number().int(), name: z.string(), isthing: z.number().int() })),
});

export interface ImportVpsOptions {
  /** The segments JSON (e.g. panoptic_gt_val_city_vps.json). */
  json: string;
  /** Folder holding the RGB id PNGs named by `file_name`. */
  pngDir: string;
  /** Where to write `<video>/<frame>_sem.png` and `_inst.png`. */
  outDir: string;
}

export interface ImportVpsResult {
  videos: number;
  frames: number;
  /** Class names by id, from the categories. */
  classNames: string[];
  /** Thing class ids (categories with `isthing: 1`). */
  things: number[];
}

const SUFFIX = /(_gtFine_color|_final_mask|_gtFine_panoptic|_panoptic)?\.png$/i;

export function importCityscapesVps(options: ImportVpsOptions): ImportVpsResult {
  let parsed: z.output<typeof vpsJson>;
  try {
    const r = vpsJson.safeParse(JSON.parse(readFileSync(options.json, 'utf8')));
    if (!r.success) throw new Error(`not a Cityscapes-VPS segments file: ${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}`);
    parsed = r.data;
  } catch (e) {
    throw new LabelError(e instanceof Error ? e.message : String(e), options.json);
  }
  const classNames: string[] = [];
  const things: number[] = [];
  for (const c of parsed.categories) {
    if (c.id < 0 || c.id > 254) throw new LabelError(`category id ${c.id} does not fit an 8-bit class id (0..254)`, options.json);
    classNames[c.id] = c.name;
    if (c.isthing === 1) things.push(c.id);
  }
  const isThing = new Set(things);
  const tracks = new Map<string, Map<number, number>>();
  const frames = [...parsed.annotations].sort((a, b) => (a.file_name < b.file_name ? -1 : 1));
  for (const ann of frames) {
    const base = ann.file_name.slice(ann.file_name.lastIndexOf('/') + 1);
    const video = base.split('_')[0] ?? base;
    const frame = base.replace(SUFFIX, '');
    const source = join(options.pngDir, ann.file_name);
    const rgb = decodeRgbPng(readFileSync(source), source);
    const segs = new Map(ann.segments_info.map((s) => [s.id, s]));
    const videoTracks = tracks.get(video) ?? new Map<number, number>();
    tracks.set(video, videoTracks);
    const n = rgb.width * rgb.height;
    const sem = new Uint8Array(n).fill(255);
    const inst = new Uint16Array(n);
    for (let i = 0; i < n; i++) {
      const id = (rgb.data[3 * i] as number) + 256 * (rgb.data[3 * i + 1] as number) + 65536 * (rgb.data[3 * i + 2] as number);
      if (id === 0) continue;
      const seg = segs.get(id);
      if (seg === undefined) throw new LabelError(`segment id ${id} at ${pixelAt(i, rgb.width)} is not in segments_info of ${ann.file_name} in ${options.json}`, source);
      if (classNames[seg.category_id] === undefined) throw new LabelError(`segment ${id} has unknown category ${seg.category_id}`, source);
      sem[i] = seg.category_id;
      if (!isThing.has(seg.category_id) || seg.iscrowd === 1) continue;
      let track = videoTracks.get(id);
      if (track === undefined) {
        track = videoTracks.size + 1;
        if (track > 65535) throw new LabelError(`more than 65535 objects in video ${video}`, source);
        videoTracks.set(id, track);
      }
      inst[i] = track;
    }
    mkdirSync(join(options.outDir, video), { recursive: true });
    writeFileSync(join(options.outDir, video, `${frame}_sem.png`), encodeLabelPng({ width: rgb.width, height: rgb.height, data: sem }));
    writeFileSync(join(options.outDir, video, `${frame}_inst.png`), encodeLabelPng({ width: rgb.width, height: rgb.height, data: inst }));
  }
  return { videos: tracks.size, frames: frames.length, classNames: Array.from(classNames, (n, i) => n ?? String(i)), things };
}
