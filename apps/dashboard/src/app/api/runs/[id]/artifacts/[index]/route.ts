/**
 * `GET /api/runs/{id}/artifacts/{index}`: the file a run registered as its artifact number
 * `index`, read from the database's artifact root only: 403 for a path that leaves it (after
 * every symlink), 404 for a missing file, 409 for one changed since it was saved. The content
 * type comes from the recorded kind (PNG and JSON kinds inline, any other a download), and
 * nothing served may run scripts (CSP sandbox).
 */
import { fail } from '../../../../../../lib/api';
import { readRunArtifact } from '../../../../../../lib/artifacts';
import { readDb } from '../../../../../../lib/db';
import { parseValue, runId } from '../../../../../../lib/params';
import { findRun } from '../../../../../../lib/runs';

export async function GET(_req: Request, ctx: { params: Promise<{ id: string; index: string }> }): Promise<Response> {
  const p = await ctx.params;
  const id = parseValue(runId, p.id);
  if (!id.ok) return fail(400, `run id: ${id.error.replace(/^parameters: /, '')}`);
  if (!/^\d{1,6}$/.test(p.index)) return fail(400, `artifact index: expected a non-negative integer, got '${p.index.slice(0, 40)}'`);
  const index = Number(p.index);
  const r = await readDb(async (db) => {
    const run = await findRun(db, id.value);
    const a = run?.artifacts[index];
    return { run, a, file: a ? await readRunArtifact(db, a) : null };
  });
  if (r.state === 'error') return fail(503, r.message);
  const { run, a, file: f } = r.state === 'ok' ? r.value : { run: null, a: undefined, file: null };
  if (!run) return fail(404, `no run with id ${id.value}`);
  if (!a || !f) return fail(404, `run ${run.id} has ${run.artifacts.length} artifact(s); no index ${p.index}`);
  if (!f.ok) return fail(f.status, `artifact ${index} of run ${run.id} (${a.kind}): ${f.error}`);
  const { body, mime: type, inline } = f;
  const name = f.name.replace(/[^\w.-]/g, '_');
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
