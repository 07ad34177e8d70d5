/** `GET /api/runs/{id}`: one run with everything saved with it; artifacts carry their URL. */
import { fail, fromDb, json } from '../../../../lib/api';
import { artifactUrl } from '../../../../lib/artifacts';
import { readDb } from '../../../../lib/db';
import { parseValue, runId } from '../../../../lib/params';
import { findRun } from '../../../../lib/runs';

export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const id = parseValue(runId, (await ctx.params).id);
  if (!id.ok) return fail(400, `run id: ${id.error.replace(/^parameters: /, '')}`);
  const r = await readDb((db) => findRun(db, id.value));
  return fromDb(
    r,
    (run) => (run ? json({ ...run, artifacts: run.artifacts.map((a, i) => ({ ...a, url: artifactUrl(run.id, i) })) }) : fail(404, `no run with id ${id.value}`)),
    () => fail(404, `no run with id ${id.value}`),
  );
}
