/**
 * Run artifacts (docs/ARTIFACTS.md): files are served only through the run that registered them
 * (`/api/runs/ID/artifacts/INDEX`), never by a path taken from the request.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { RunDetail } from '@pixelwise/db';
import { z } from 'zod';

export type Artifact = RunDetail['artifacts'][number];

export const artifactUrl = (runId: number, index: number): string => `/api/runs/${runId}/artifacts/${index}`;

/** Stage legend of layer-cascade stage maps (fixed by docs/ARTIFACTS.md). */
export const STAGE_COLORS: Record<number, string> = { 1: '#2ca02c', 2: '#ff7f0e', 3: '#d62728' };

export interface CascadeView {
  image?: number;
  prediction?: number;
  stageMap?: number;
}

/** Image, prediction and stage map per input image: the artifacts repeat in that order. */
export function cascadeViews(artifacts: readonly Artifact[]): CascadeView[] {
  const views: CascadeView[] = [];
  artifacts.forEach((a, i) => {
    const key = a.kind === 'image' ? 'image' : a.kind === 'prediction' ? 'prediction' : a.kind === 'stage-map' ? 'stageMap' : null;
    if (!key) return;
    let v = views[views.length - 1];
    if (!v || v[key] !== undefined) views.push((v = {}));
    v[key] = i;
  });
  return views;
}

/** Content types served inline; anything else is a download, so a file can never run as a page. */
const INLINE: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.json': 'application/json' };

export function servedType(a: Artifact): { type: string; inline: boolean } {
  const byExt = INLINE[extname(a.path).toLowerCase()];
  if (byExt && (a.mime == null || a.mime === byExt)) return { type: byExt, inline: true };
  return { type: 'application/octet-stream', inline: false };
}

const frameRecordSchema = z.object({
  method: z.string().max(100),
  schedule: z.string().max(100).optional(),
  units: z.array(z.string().max(100)).max(64),
  frames: z
    .array(
      z.object({
        video: z.string().max(200),
        frame: z.number().int().nonnegative(),
        ran: z.array(z.string().max(100)),
        ms: z.number().finite().nonnegative(),
        meanIoU: z.number().min(0).max(1).nullable(),
      }),
    )
    .max(100_000),
});
export type FrameRecord = z.output<typeof frameRecordSchema>;

/** Reads a `frame-record` artifact; a problem becomes one line naming the file. */
export async function readFrameRecord(a: Artifact): Promise<{ ok: true; value: FrameRecord } | { ok: false; error: string }> {
  let text: string;
  try {
    text = await readFile(a.path, 'utf8');
  } catch (e) {
    return { ok: false, error: `${a.path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: `${a.path}: not valid JSON` };
  }
  const r = frameRecordSchema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0];
    return { ok: false, error: `${a.path}: ${i?.path.join('.') || 'top level'}: ${i?.message ?? 'invalid'}` };
  }
  return { ok: true, value: r.data };
}
