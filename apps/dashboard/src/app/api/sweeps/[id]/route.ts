/** `GET /api/sweeps/{id}`: one sweep with every job (state, attempts, worker, run id, error line). */
import { fail, fromDb, json } from '../../../../lib/api';
import { readDb } from '../../../../lib/db';
import { parseValue, sweepId } from '../../../../lib/params';
import { findSweep } from '../../../../lib/runs';

export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const id = parseValue(sweepId, (await ctx.params).id);
  if (!id.ok) return fail(400, `sweep id: ${id.error.replace(/^parameters: /, '')}`);
  const r = await readDb((db) => findSweep(db, id.value));
  return fromDb(
    r,
    (sweep) => (sweep ? json(sweep) : fail(404, `no sweep with id ${id.value}`)),
    () => fail(404, `no sweep with id ${id.value}`),
  );
}
