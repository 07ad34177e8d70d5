/**
 * Run artifacts (docs/ARTIFACTS.md): files are served only through the run that registered them
 * (`/api/runs/ID/artifacts/INDEX`), never by a path taken from the request, and only from the
 * database's artifact root (`readArtifact` of @pixelwise/db: symlinks resolved, size and sha256
 * checked, the type fixed by the kind).
 */
import type { ArtifactRead, Database, RunDetail } from '@pixelwise/db';
import { parseFrameRecord, type FrameRecordFile } from '@pixelwise/eval';
import { loadDbModule } from './db';

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

/** How an artifact is named to people: the file it was saved from, else its place in the root. */
export const artifactName = (a: Artifact): string => a.source ?? a.path;

/** Reads an artifact of a run for serving or rendering (403 outside the root, 404 gone, 409 changed). */
export async function readRunArtifact(db: Database, a: Artifact): Promise<ArtifactRead> {
  return (await loadDbModule()).readArtifact(db.artifactRoot, { kind: a.kind, path: a.stored, bytes: a.bytes, sha256: a.sha256 });
}

export type FrameRecord = FrameRecordFile;

/** Reads a `frame-record` artifact from the artifact root; a problem becomes one line naming the file. */
export async function readFrameRecord(db: Database, a: Artifact): Promise<{ ok: true; value: FrameRecord } | { ok: false; error: string }> {
  const file = await readRunArtifact(db, a);
  if (!file.ok) return { ok: false, error: file.error };
  const r = parseFrameRecord(file.body.toString('utf8'));
  return r.ok ? r : { ok: false, error: `${artifactName(a)}: ${r.error}` };
}
