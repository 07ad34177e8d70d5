/**
 * `GET /api/runs/{id}/artifacts/{index}`: the file a run registered as its artifact number
 * `index`. Only paths stored in the database are ever read; PNG/JPEG/JSON are served inline, every
 * other file as a download, and nothing served may run scripts (CSP sandbox).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fail } from '../../../../../../lib/api';
import { servedType } from '../../../../../../lib/artifacts';
import { readDb } from '../../../../../../lib/db';
import { parseValue, runId } from '../../../../../../lib/params';
import { findRun } from '../../../../../../lib/runs';

export async function GET(_req: Request, ctx: { params: Promise<{ id: string; index: string }> }): Promise<Response> {
  const p = await ctx.params;
  const id = parseValue(runId, p.id);
  if (!id.ok) return fail(400, `run id: ${id.error.replace(/^parameters: /, '')}`);
  if (!/^\d{1,6}$/.test(p.index)) return fail(400, `artifact index: expected a non-negative integer, got '${p.index.slice(0, 40)}'`);
  const r = await readDb((db) => findRun(db, id.value));
  if (r.state === 'error') return fail(503, r.message);
  const run = r.state === 'ok' ? r.value : null;
  if (!run) return fail(404, `no run with id ${id.value}`);
  const a = run.artifacts[Number(p.index)];
  if (!a) return fail(404, `run ${run.id} has ${run.artifacts.length} artifact(s); no index ${p.index}`);
  let body: Buffer;
  try {
    body = await readFile(a.path);
  } catch (e) {
    return fail(404, `artifact ${p.index} of run ${run.id} (${a.kind}): cannot read ${a.path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const { type, inline } = servedType(a);
  const name = basename(a.path).replace(/[^\w.-]/g, '_');
  return new Response(new Uint8Array(body), {
    headers: {
      'content-type': type,
      'content-length': String(body.length),
      'content-disposition': `${inline ? 'inline' : 'attachment'}; filename="${name}"`,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'cache-control': 'no-store',
    },
  });
}
