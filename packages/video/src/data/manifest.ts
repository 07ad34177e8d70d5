/**
 * `manifest.json` of a synthetic video data set (`pixelwise data synth --kind video`): the
 * image manifest of `@pixelwise/models/data` with `kind: "video"`, the frames per video and
 * the flow convention; `splits` lists video names.
 */
import { z } from 'zod';
import { DatasetError, synthManifestSchema } from '@pixelwise/models/data';
import { VIDEO_DOMAIN_NAMES } from './domain.js';

export const videoManifestSchema = synthManifestSchema.extend({
  kind: z.literal('video'),
  /** Frames per video, named f000000, f000001, ... */
  frames: z.number().int().min(2),
  /** Flow files: forward (`flow/`) and backward (`flow-bw/`); `unknown` marks occluded points. */
  flow: z.object({ format: z.literal('flo'), unknown: z.number(), occluded: z.literal('unknown') }),
  /** Appearance domain (`data/domain.ts`); older manifests lack it: `source`. */
  domain: z.enum(VIDEO_DOMAIN_NAMES).optional(),
});

export type VideoManifest = z.infer<typeof videoManifestSchema>;

/** Validates parsed JSON; the DatasetError names `source` and the first problem. */
export function parseVideoManifest(json: unknown, source: string): VideoManifest {
  const r = videoManifestSchema.safeParse(json);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  throw new DatasetError(`${source}: not a pixelwise-synth video manifest: ${issue?.message ?? 'invalid'}${where}`);
}

/** Name of frame `t`: f000000, f000001, ... */
export function frameName(t: number): string {
  return `f${String(t).padStart(6, '0')}`;
}
