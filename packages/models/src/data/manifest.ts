/**
 * `manifest.json` of a synthetic data set (`pixelwise data synth`): one schema that
 * validates the file and yields its type.
 */
import { z } from 'zod';
import { DatasetError } from './errors.js';

const rgb = z.tuple([z.number().int().min(0).max(255), z.number().int().min(0).max(255), z.number().int().min(0).max(255)]);

export const synthManifestSchema = z.object({
  format: z.literal('pixelwise-synth'),
  version: z.literal(1),
  /** `images` (this package) or `video` (@pixelwise/video). */
  kind: z.enum(['images', 'video']),
  classes: z
    .array(z.object({ id: z.number().int().min(0).max(254), name: z.string().min(1), color: rgb, kind: z.enum(['stuff', 'thing']).optional() }))
    .min(1),
  ignoreIndex: z.number().int().min(0).max(255),
  /** `[width, height]` of every image. */
  size: z.tuple([z.number().int().positive(), z.number().int().positive()]),
  seed: z.number().int(),
  count: z.number().int().nonnegative(),
  /** Width of the void band around objects, 0 for none. */
  voidBorder: z.number().int().nonnegative().optional(),
  /** File names without extension, per split. */
  splits: z.object({ train: z.array(z.string()), val: z.array(z.string()) }),
});

export type SynthManifest = z.infer<typeof synthManifestSchema>;

/** Format tag and version written by this package. */
export const SYNTH_MANIFEST_FORMAT = 'pixelwise-synth';
export const SYNTH_MANIFEST_VERSION = 1;

/** Validates parsed JSON; the DatasetError names `source` and the first problem. */
export function parseSynthManifest(json: unknown, source: string): SynthManifest {
  const r = synthManifestSchema.safeParse(json);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  throw new DatasetError(`${source}: not a pixelwise-synth manifest: ${issue?.message ?? 'invalid'}${where}`);
}
